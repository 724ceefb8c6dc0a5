/**
 * Modelled time of the lifecycle steps: onlining charges memmap init for the
 * whole range plus the buddy hand-over for the pages that reach the buddy;
 * offlining charges the migration copy only; add and remove have no sourced
 * figure and cost nothing.
 */
import { describe, expect, it } from 'vitest';
import { addSeconds, offlineSeconds, onlineSeconds, removeSeconds, resolveCostParams } from '../../../src/model/core/cost.js';

const params = resolveCostParams();
const PAGES_PER_256M = (256 * 2 ** 20) / 4096;
const BLOCK_2G_PAGES = 524_288;

describe('lifecycle operation costs', () => {
  it('onlines 256 MiB in 1 ms of hand-over plus 1.1 s / 1024 of memmap init', () => {
    expect(onlineSeconds(params, PAGES_PER_256M)).toBeCloseTo(0.001 + 1.1 / 1024, 12);
  });

  it('onlines a 2 GiB block in 8 times that', () => {
    expect(onlineSeconds(params, BLOCK_2G_PAGES)).toBeCloseTo(8 * (0.001 + 1.1 / 1024), 12);
  });

  it('does not hand memmap_on_memory pages to the buddy, but still initialises their struct pages', () => {
    // A 2 GiB block hosting its own memmap: 8192 vmemmap pages.
    const withAltmap = onlineSeconds(params, BLOCK_2G_PAGES, { selfHostedVmemmapPages: 8192 });
    const handOverSaved = (8192 / PAGES_PER_256M) * 0.001;
    expect(withAltmap).toBeCloseTo(onlineSeconds(params, BLOCK_2G_PAGES) - handOverSaved, 12);
  });

  it('offlines at the migration copy rate, whatever the scan did', () => {
    const copyOnly = offlineSeconds(params, { migratedPages: 262_144, scannedPages: 0, retries: 0 });
    expect(copyOnly).toBeCloseTo(2 ** 30 / 3.3e9, 12);
    const longScan = offlineSeconds(params, { migratedPages: 262_144, scannedPages: 10 * BLOCK_2G_PAGES, retries: 7 });
    expect(longScan).toBe(copyOnly);
    const withHugePages = offlineSeconds(params, { migratedPages: 0, migratedFolios2m: 1024, scannedPages: 0, retries: 0 });
    expect(withHugePages).toBeCloseTo(2 ** 31 / 11e9, 12);
    expect(offlineSeconds(params, { migratedPages: 0, scannedPages: BLOCK_2G_PAGES, retries: 0 })).toBe(0);
  });

  it('charges nothing for add and remove', () => {
    expect(addSeconds(params, BLOCK_2G_PAGES)).toBe(0);
    expect(removeSeconds(params, BLOCK_2G_PAGES)).toBe(0);
    expect(() => addSeconds(params, -1)).toThrow(/nrPages/);
  });
});
