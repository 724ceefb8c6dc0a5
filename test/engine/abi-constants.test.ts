/**
 * The engine keeps its own copy of the shared constants (assembly/constants.ts,
 * assembly/errors.ts). This checks, value by value, that it agrees with
 * src/contract/constants.ts, through the engine's abiConstants() export.
 */
import { describe, expect, test } from 'vitest';
import * as K from '../../src/contract/constants.js';
import { ABI_CONSTANT_NAMES, ABI_U64_CONSTANT_NAMES, IO_BULK } from '../../src/engine/abi.js';
import { instantiateEngine } from '../../src/engine/load.js';

function tsValue(name: string): number | bigint {
  const [head, member] = name.split('.') as [string, string | undefined];
  const value = (K as Record<string, unknown>)[head];
  const picked = member === undefined ? value : (value as Record<string, unknown>)[member];
  if (typeof picked !== 'number' && typeof picked !== 'bigint') throw new Error(`src/contract/constants.ts has no ${name}`);
  return picked;
}

describe.each(['release', 'release-simd', 'release-simd-shared', 'debug'] as const)('ABI constants of the %s build', (variant) => {
  test('every engine constant equals its src/contract/constants.ts twin', async () => {
    const x = await instantiateEngine(variant);
    expect(x.init(0, K.PAGES_PER_SECTION, 2 ** 26, 0xffff8880, 0)).toBe(0);
    const written = x.abiConstants();
    expect(written).toBe(ABI_CONSTANT_NAMES.length + ABI_U64_CONSTANT_NAMES.length);
    const at = (x.ioArea() >>> 0) + IO_BULK;
    const numbers = new Float64Array(x.memory.buffer, at, ABI_CONSTANT_NAMES.length);
    const wide = new BigUint64Array(x.memory.buffer, at + 8 * ABI_CONSTANT_NAMES.length, ABI_U64_CONSTANT_NAMES.length);
    const engineSide: Record<string, number | bigint> = {};
    ABI_CONSTANT_NAMES.forEach((name, i) => (engineSide[name] = numbers[i]!));
    ABI_U64_CONSTANT_NAMES.forEach((name, i) => (engineSide[name] = wide[i]!));
    const tsSide: Record<string, number | bigint> = {};
    for (const name of [...ABI_CONSTANT_NAMES, ...ABI_U64_CONSTANT_NAMES]) tsSide[name] = tsValue(name);
    expect(engineSide).toEqual(tsSide);
  });

  test('every EngineStatus code and every PageClass is covered', () => {
    for (const name of Object.keys(K.EngineStatus)) expect(ABI_CONSTANT_NAMES).toContain(`EngineStatus.${name}`);
    for (const name of Object.keys(K.PageClass)) expect(ABI_CONSTANT_NAMES).toContain(`PageClass.${name}`);
    for (const name of Object.keys(K.SectionFlag)) expect(ABI_CONSTANT_NAMES).toContain(`SectionFlag.${name}`);
    for (const name of Object.keys(K.ScanStatus)) expect(ABI_CONSTANT_NAMES).toContain(`ScanStatus.${name}`);
  });
});
