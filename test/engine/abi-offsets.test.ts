/**
 * src/engine/abi.ts mirrors the engine's pool ids, I/O-area offsets and
 * record sizes (assembly/layout.ts). This checks, value by value, that both
 * copies agree, through the engine's abiOffsets() export, and that no
 * mirrored value is left out of the check.
 */
import { describe, expect, test } from 'vitest';
import { PAGES_PER_SECTION } from '../../src/contract/constants.js';
import * as ABI from '../../src/engine/abi.js';
import { ABI_OFFSET_NAMES, IO_BULK } from '../../src/engine/abi.js';
import { instantiateEngine } from '../../src/engine/load.js';

/** What abi.ts exports as a mirrored layout number: pool ids, I/O offsets, sizes. */
const MIRRORED = /^(POOL_|IO_|SIZE_OF_)/;

function tsValue(name: string): number {
  const value = (ABI as Record<string, unknown>)[name];
  if (typeof value !== 'number') throw new Error(`src/engine/abi.ts has no number ${name}`);
  return value;
}

describe.each(['release', 'release-simd', 'release-simd-shared', 'debug'] as const)('ABI offsets of the %s build', (variant) => {
  test('every mirrored offset, pool id and size equals the engine\'s', async () => {
    const x = await instantiateEngine(variant);
    expect(x.init(0, PAGES_PER_SECTION, 2 ** 26, 0xffff8880, 0)).toBe(0);
    const written = x.abiOffsets();
    expect(written).toBe(ABI_OFFSET_NAMES.length);
    const at = (x.ioArea() >>> 0) + IO_BULK;
    const numbers = new Float64Array(x.memory.buffer, at, ABI_OFFSET_NAMES.length);
    const engineSide: Record<string, number> = {};
    ABI_OFFSET_NAMES.forEach((name, i) => (engineSide[name] = numbers[i]!));
    const tsSide: Record<string, number> = {};
    for (const name of ABI_OFFSET_NAMES) tsSide[name] = tsValue(name);
    expect(engineSide).toEqual(tsSide);
  });

  test('every mirrored number abi.ts exports is in ABI_OFFSET_NAMES', () => {
    const mirrored = Object.entries(ABI)
      .filter(([name, value]) => MIRRORED.test(name) && typeof value === 'number')
      .map(([name]) => name)
      .sort();
    expect([...ABI_OFFSET_NAMES].sort()).toEqual(mirrored);
  });
});
