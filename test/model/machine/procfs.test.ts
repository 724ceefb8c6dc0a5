/**
 * /proc/zoneinfo and /proc/iomem on small machines, line by line against
 * numbers derived by hand from the layout rules:
 * - RAM: [4 KiB, 636 KiB), [1 MiB, 3 GiB), [4 GiB, 8 GiB) (+ [8 GiB, 12 GiB) on node 1);
 * - the kernel image: 32 MiB at 16 MiB (8,192 pages of DMA32);
 * - the boot memmap: 2 MiB (512 pages) per present section, taken from the
 *   top of the node's Normal memory.
 */
import { describe, expect, test } from 'vitest';
import { bootMachine } from '../../helpers/boot.js';
import { formatNodeList } from '../../../src/model/views/sysfs.js';
import { GiB, singleNodeWithPciHole, twoNodes } from '../../helpers/machines.js';

/** min, low, high, promo. */
type Marks = [number, number, number, number];
const NO_MARKS: Marks = [0, 0, 0, 0];
/** An empty ZONE_MOVABLE: its min is clamped up to 32, and with no share its gaps are 0. */
const EMPTY_MOVABLE: Marks = [32, 32, 32, 32];
const NO_PROTECTION = [0, 0, 0, 0, 0];

function zoneLines(
  nid: number,
  name: string,
  free: number,
  spanned: number,
  present: number,
  managed: number,
  startPfn?: number,
  [min, low, high, promo]: Marks = NO_MARKS,
  protection: number[] = NO_PROTECTION,
): string[] {
  const lines = [
    `Node ${nid}, zone ${name.padStart(8, ' ')}`,
    `  pages free     ${free}`,
    `        boost    0`,
    `        min      ${min}`,
    `        low      ${low}`,
    `        high     ${high}`,
    `        promo    ${promo}`,
    `        spanned  ${spanned}`,
    `        present  ${present}`,
    `        managed  ${managed}`,
    `        cma      0`,
    `        protection: (${protection.join(', ')})`,
  ];
  if (startPfn !== undefined) lines.push(`  start_pfn:           ${startPfn}`);
  return lines;
}

// Node 0 of both machines.
// DMA: span [1, 4096); present = 158 pages below 636 KiB + [256, 4096) = 3,998.
const DMA = { spanned: 4095, present: 3998, managed: 3998, start: 1 };
// DMA32: span [4096, 1 Mi pfn) (holes count); present [4096, 786,432) = 782,336; the kernel image takes 8,192.
const DMA32 = { spanned: 1_044_480, present: 782_336, managed: 774_144, start: 4096 };
// Node 0 has sections 0-23 and 32-63: 56 sections, 28,672 memmap pages, all in Normal.
const NODE0_NORMAL = { spanned: 1_048_576, present: 1_048_576, managed: 1_048_576 - 56 * 512, start: 1_048_576 };

// Watermarks (THP always, the default): khugepaged raises min_free_kbytes to
// 22528 kB per populated zone up to Normal. One node: 3 zones, 67584 kB,
// pages_min 16896 over lowmem 3,998 + 774,144 + 1,019,904 = 1,798,046; each
// zone's min is its share ⌊16896 · managed / lowmem⌋, each gap the larger of
// a quarter share and managed/1000.
// Protection: DMA keeps ⌊774,144/256⌋ = 3024 against DMA32 and ⌊1,794,048/256⌋
// = 7008 against the zones above; DMA32 ⌊1,019,904/256⌋ = 3984.
const DMA_PROTECTION = [0, 3024, 7008, 7008, 7008];
const DMA32_PROTECTION = [0, 0, 3984, 3984, 3984];

describe('/proc/zoneinfo', () => {
  test('single node with the PCI hole: five zones of node 0, start_pfn only on populated ones', async () => {
    const machine = await bootMachine(singleNodeWithPciHole(), { engine: 'reference' });
    try {
      const expected = [
        ...zoneLines(0, 'DMA', DMA.managed, DMA.spanned, DMA.present, DMA.managed, DMA.start, [37, 46, 55, 64], DMA_PROTECTION),
        ...zoneLines(0, 'DMA32', DMA32.managed, DMA32.spanned, DMA32.present, DMA32.managed, DMA32.start, [7274, 9092, 10910, 12728], DMA32_PROTECTION),
        ...zoneLines(0, 'Normal', NODE0_NORMAL.managed, NODE0_NORMAL.spanned, NODE0_NORMAL.present, NODE0_NORMAL.managed, NODE0_NORMAL.start, [9583, 11978, 14373, 16768]),
        ...zoneLines(0, 'Movable', 0, 0, 0, 0, undefined, EMPTY_MOVABLE),
        ...zoneLines(0, 'Device', 0, 0, 0, 0),
      ];
      const text = await machine.zoneinfo();
      expect(text.endsWith('\n')).toBe(true);
      expect(text.split('\n').slice(0, -1)).toEqual(expected);
      expect(text.split('\n')[0]).toBe('Node 0, zone      DMA');
    } finally {
      await machine.close();
    }
  });

  test('two nodes: node 1 has only Normal, minus its own 32 sections of memmap', async () => {
    const machine = await bootMachine(twoNodes(), { engine: 'reference' });
    try {
      const node1Normal = 1_048_576 - 32 * 512;
      // Four populated kernel zones: 90112 kB, pages_min 22528 over lowmem 2,830,494.
      const expected = [
        ...zoneLines(0, 'DMA', DMA.managed, DMA.spanned, DMA.present, DMA.managed, DMA.start, [31, 38, 45, 52], DMA_PROTECTION),
        ...zoneLines(0, 'DMA32', DMA32.managed, DMA32.spanned, DMA32.present, DMA32.managed, DMA32.start, [6161, 7701, 9241, 10781], DMA32_PROTECTION),
        ...zoneLines(0, 'Normal', NODE0_NORMAL.managed, NODE0_NORMAL.spanned, NODE0_NORMAL.present, NODE0_NORMAL.managed, NODE0_NORMAL.start, [8118, 10147, 12176, 14205]),
        ...zoneLines(0, 'Movable', 0, 0, 0, 0, undefined, EMPTY_MOVABLE),
        ...zoneLines(0, 'Device', 0, 0, 0, 0),
        ...zoneLines(1, 'DMA', 0, 0, 0, 0),
        ...zoneLines(1, 'DMA32', 0, 0, 0, 0),
        ...zoneLines(1, 'Normal', node1Normal, 1_048_576, 1_048_576, node1Normal, 2_097_152, [8215, 10268, 12321, 14374]),
        ...zoneLines(1, 'Movable', 0, 0, 0, 0, undefined, EMPTY_MOVABLE),
        ...zoneLines(1, 'Device', 0, 0, 0, 0),
      ];
      expect((await machine.zoneinfo()).split('\n').slice(0, -1)).toEqual(expected);
      // The memmap sits at the top of each node.
      expect(machine.layout.reserved.map((r) => [r.base, r.size])).toEqual([
        [16 * 2 ** 20, 32 * 2 ** 20],
        [8 * GiB - 56 * 2 * 2 ** 20, 56 * 2 * 2 ** 20],
        [12 * GiB - 32 * 2 * 2 ** 20, 32 * 2 * 2 ** 20],
      ]);
    } finally {
      await machine.close();
    }
  });

  test('movablecore=1000M: Normal ends and Movable starts at pfn 1,841,152', async () => {
    const machine = await bootMachine(singleNodeWithPciHole({ cmdline: 'movablecore=1000M' }), { engine: 'reference' });
    try {
      const lines = (await machine.zoneinfo()).split('\n');
      const at = (header: string) => lines.slice(lines.indexOf(header), lines.indexOf(header) + 13);
      // The memmap (top of the node) now lies in Movable. Normal keeps
      // ⌊227,328/32⌋ = 7104 pages against Movable; Movable's min is
      // ⌊227,328/1024⌋ = 222 clamped to 128, its gaps a quarter of its share.
      expect(at('Node 0, zone   Normal')).toEqual(
        zoneLines(0, 'Normal', 792_576, 792_576, 792_576, 792_576, 1_048_576, [8525, 10656, 12787, 14918], [0, 0, 0, 7104, 7104]),
      );
      expect(at('Node 0, zone  Movable')).toEqual(
        zoneLines(0, 'Movable', 256_000 - 28_672, 256_000, 256_000, 256_000 - 28_672, 1_841_152, [128, 739, 1350, 1961]),
      );
    } finally {
      await machine.close();
    }
  });
});

describe('/proc/iomem', () => {
  test('System RAM lines: %08lx, lowercase, inclusive end, one per e820 RAM range', async () => {
    const machine = await bootMachine(singleNodeWithPciHole(), { engine: 'reference' });
    try {
      expect(await machine.iomem()).toBe(
        ['00001000-0009efff : System RAM', '00100000-bfffffff : System RAM', '100000000-1ffffffff : System RAM', ''].join('\n'),
      );
    } finally {
      await machine.close();
    }
  });

  test('adjacent RAM entries merge into one resource; node boundaries do not split it', async () => {
    const spec = twoNodes();
    // Split [4 GiB, 12 GiB) into two touching firmware entries.
    spec.e820 = spec.e820.flatMap((e) =>
      e.base === 4 * GiB ? [{ ...e, size: 2 * GiB }, { base: 6 * GiB, size: e.size - 2 * GiB, type: e.type }] : [e],
    );
    const machine = await bootMachine(spec, { engine: 'reference' });
    try {
      expect((await machine.iomem()).split('\n')).toEqual([
        '00001000-0009efff : System RAM',
        '00100000-bfffffff : System RAM',
        '100000000-2ffffffff : System RAM',
        '',
      ]);
    } finally {
      await machine.close();
    }
  });
});

test('node lists print as ranges', () => {
  expect(formatNodeList([])).toBe('');
  expect(formatNodeList([0])).toBe('0');
  expect(formatNodeList([3, 0, 1, 2, 5, 7, 8])).toBe('0-3,5,7-8');
});
