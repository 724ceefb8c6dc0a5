/**
 * Invalid cost overrides are refused with an error naming the field: values
 * that are not positive finite numbers, and names that are not parameters.
 * Work counts must be non-negative integers.
 */
import { describe, expect, it } from 'vitest';
import { migrationSeconds, offlineSeconds, onlineSeconds, resolveCostParams, type CostParams } from '../../../src/model/core/cost.js';

describe('invalid cost overrides', () => {
  const bad: [keyof CostParams, unknown][] = [
    ['migrationBytesPerSecond4k', 0],
    ['migrationBytesPerSecond2m', -11e9],
    ['onlineSecondsPer256MiB', Number.NaN],
    ['memmapInitSecondsPer256GiB', Number.POSITIVE_INFINITY],
    ['migrationBytesPerSecond4k', '3.3e9'],
  ];
  for (const [field, value] of bad) {
    it(`refuses ${field} = ${String(value)}`, () => {
      expect(() => resolveCostParams({ [field]: value } as Partial<CostParams>)).toThrow(new RegExp(`cost\\.${field}`));
    });
  }

  it('refuses an unknown field by name', () => {
    expect(() => resolveCostParams({ migrationGBps: 3 } as unknown as Partial<CostParams>)).toThrow(/cost\.migrationGBps/);
  });

  it('refuses negative or fractional work counts, naming them', () => {
    const params = resolveCostParams();
    expect(() => migrationSeconds(params, { pages4k: -1, folios2m: 0 })).toThrow(/pages4k/);
    expect(() => migrationSeconds(params, { pages4k: 0, folios2m: 0.5 })).toThrow(/folios2m/);
    expect(() => onlineSeconds(params, -32_768)).toThrow(/nrPages/);
    expect(() => offlineSeconds(params, { migratedPages: 0, scannedPages: -1, retries: 0 })).toThrow(/scannedPages/);
    expect(() => onlineSeconds(params, 512, { selfHostedVmemmapPages: 1024 })).toThrow(/selfHostedVmemmapPages/);
  });
});
