/**
 * Fact 1 and the boot memmap it implies: 32,768 pages per section, pfn
 * 0x100000 in section 32, 2^19 sections for 46 physical address bits, and a
 * 2 MiB memmap per present section.
 */
import { describe, expect, it } from 'vitest';
import { PAGES_PER_SECTION, PFN_SECTION_SHIFT, SECTION_SIZE_BITS } from '../../../src/contract/constants.js';
import { computeBootLayout } from '../../../src/model/boot/setup.js';
import { machineFromNodes, MiB } from './machines.js';
import { SECTION_MEMMAP_BYTES } from '../../../src/model/core/kernel.js';

describe('section arithmetic', () => {
  it('matches fact 1', () => {
    expect(PAGES_PER_SECTION).toBe(32_768);
    expect(0x100000 >> PFN_SECTION_SHIFT).toBe(32);
    expect(2 ** (46 - SECTION_SIZE_BITS)).toBe(524_288);
  });

  it('charges 2 MiB of memmap per present section, partial sections included', () => {
    expect(SECTION_MEMMAP_BYTES).toBe(2 * MiB);
    // [0, 2) + [4, 5) GiB + 64 MiB more: 16 + 8 sections, plus one partly present section.
    const spec = machineFromNodes([{ ranges: [[0, 2], [4, 5]] }], '', { srat: null });
    spec.e820.push({ base: 5 * 2 ** 30, size: 64 * MiB, type: 'usable' });
    const layout = computeBootLayout(spec);
    expect(layout.nodes[0].memmapPages).toBe((25 * 2 * MiB) / 4096);
  });
});
