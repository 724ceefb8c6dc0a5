/** e820 sanitising: overlaps resolved with the higher type winning, touching entries merged, pages trimmed. */
import { describe, expect, it } from 'vitest';
import { computeBootLayout } from '../../../src/model/boot/setup.js';
import { e820EndOfRamPfn, sanitizeE820 } from '../../../src/model/boot/e820.js';
import { GiB, MiB } from './machines.js';

describe('sanitizeE820', () => {
  it('lets reserved win an overlap with usable, with one warning', () => {
    const { entries, warnings } = sanitizeE820([
      { base: 0, size: 4 * GiB, type: 'usable' },
      { base: 3 * GiB, size: 2 * GiB, type: 'reserved' },
    ]);
    expect(entries).toEqual([
      { base: 0, size: 3 * GiB, type: 'usable' },
      { base: 3 * GiB, size: 2 * GiB, type: 'reserved' },
    ]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/entries 0 \(usable\) and 1 \(reserved\) overlap .* sanitised as reserved/);
  });

  it('punches a reserved hole into the middle of usable RAM regardless of entry order', () => {
    const { entries, warnings } = sanitizeE820([
      { base: 2 * GiB, size: 256 * MiB, type: 'reserved' },
      { base: 0, size: 8 * GiB, type: 'usable' },
    ]);
    expect(entries).toEqual([
      { base: 0, size: 2 * GiB, type: 'usable' },
      { base: 2 * GiB, size: 256 * MiB, type: 'reserved' },
      { base: 2 * GiB + 256 * MiB, size: 6 * GiB - 256 * MiB, type: 'usable' },
    ]);
    expect(warnings).toHaveLength(1);
  });

  it('merges touching and overlapping entries of one type, warning only for the overlap', () => {
    const { entries, warnings } = sanitizeE820([
      { base: 0, size: GiB, type: 'usable' },
      { base: GiB, size: GiB, type: 'usable' },
      { base: GiB + 512 * MiB, size: GiB, type: 'usable' },
      { base: 0, size: 0, type: 'reserved' },
    ]);
    expect(entries).toEqual([{ base: 0, size: 2 * GiB + 512 * MiB, type: 'usable' }]);
    expect(warnings).toHaveLength(1);
  });

  it('feeds the sanitised map to boot: the overlap is not RAM and the warning is kept', () => {
    const layout = computeBootLayout({
      e820: [
        { base: 0, size: 4 * GiB, type: 'usable' },
        { base: 3 * GiB, size: 2 * GiB, type: 'reserved' },
        { base: 5 * GiB, size: 3 * GiB, type: 'usable' },
      ],
      srat: null,
      reservations: [],
      blockSize: 'auto',
      hypervisor: false,
      slit: null,
      cmdline: '',
    });
    expect(layout.memory.map((r) => [r.base, r.size])).toEqual([
      [0, 3 * GiB],
      [5 * GiB, 3 * GiB],
    ]);
    expect(layout.nodes[0].nodePresentPages).toBe(6 * 262_144);
    expect(layout.warnings.some((w) => w.includes('sanitised as reserved'))).toBe(true);
  });
});

describe('page trimming', () => {
  it('keeps only whole pages of usable RAM in memblock and in max_pfn', () => {
    const layout = computeBootLayout({
      e820: [
        { base: 0x1010, size: 0x9f000 - 0x1010, type: 'usable' },
        { base: MiB, size: 128 * MiB + 0x800, type: 'usable' },
      ],
      srat: null,
      reservations: [{ name: 'kernel', base: 16 * MiB, size: 16 * MiB }],
      blockSize: 'auto',
      hypervisor: true,
      slit: null,
      cmdline: '',
    });
    expect(layout.memory.map((r) => [r.base, r.base + r.size])).toEqual([
      [0x2000, 0x9f000],
      [MiB, MiB + 128 * MiB],
    ]);
    expect(layout.maxPfn).toBe((MiB + 128 * MiB) / 4096);
    expect(e820EndOfRamPfn([{ base: 0, size: 0x1fff, type: 'usable' }])).toBe(1);
    // Present pages are whole pages only: 0x9d pages low plus 32768.
    expect(layout.nodes[0].nodePresentPages).toBe((0x9f000 - 0x2000) / 4096 + 32_768);
  });
});
