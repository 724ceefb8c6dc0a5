/**
 * util-linux lsmem as a real client of the exported sysfs tree: its ranges,
 * states, nodes, zones and totals must agree with the model's own blocks.
 *
 * lsmem 2.38.1 quirks taken into account (util-linux sys-utils/lsmem.c):
 * - ZONES is filled only when `memory0/valid_zones` exists, i.e. when the
 *   machine has a memory0;
 * - the NODE column is enabled by looking at the first block only, and a
 *   block linked to two nodes shows whichever link readdir returns first.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bootMachine, type BootedMachine } from '../../helpers/boot.js';
import type { BlockInfo, MachineSpec } from '../../../src/model/core/types.js';
import { hex16, LSMEM_COLUMNS as COLUMNS, lsmemZones, runLsmem as lsmem, type LsmemRow } from '../../helpers/lsmem.js';
import { GiB, MiB, singleNodeWithPciHole, twoNodes } from '../../helpers/machines.js';

interface ExpectedRange {
  firstId: number;
  lastId: number;
  state: string;
  /** The node lsmem must show; null when the block is linked to several nodes. */
  node: number | null;
  nodeChoices: number[];
  zones: string | null;
}

/** The ranges lsmem should print for `blocks`, merged by its rules with every column a split column. */
function expectedRanges(blocks: readonly BlockInfo[]): ExpectedRange[] {
  const haveZones = blocks.some((b) => b.id === 0);
  const ranges: ExpectedRange[] = [];
  for (const block of blocks) {
    const node = block.nids.length === 1 ? block.nids[0] : null;
    const zones = haveZones ? lsmemZones(block.validZones) : null;
    const last = ranges.at(-1);
    if (
      last !== undefined &&
      last.lastId + 1 === block.id &&
      last.state === block.state &&
      last.node !== null &&
      last.node === node &&
      last.zones === zones &&
      !(zones ?? '').split('/').includes('Unknown')
    ) {
      last.lastId = block.id;
    } else {
      ranges.push({ firstId: block.id, lastId: block.id, state: block.state, node, nodeChoices: block.nids, zones });
    }
  }
  return ranges;
}

const TOPOLOGIES: [string, MachineSpec][] = [
  ['a single node with the PCI hole', singleNodeWithPciHole()],
  ['two nodes', twoNodes()],
  ['a block split across Normal and Movable (movablecore=1000M)', singleNodeWithPciHole({ cmdline: 'movablecore=1000M' })],
  ['a block split across two nodes', twoNodes({ boundary: 8 * GiB + 64 * MiB })],
];

beforeAll(() => {
  lsmem(['--version']);
});

describe.each(TOPOLOGIES)('lsmem on %s', (_name, spec) => {
  let machine: BootedMachine;
  let root: string;
  let blocks: BlockInfo[];
  beforeAll(async () => {
    machine = await bootMachine(spec, { engine: 'reference' });
    root = mkdtempSync(join(tmpdir(), 'pfnlab-lsmem-'));
    await machine.exportSysfs(root);
    blocks = await machine.blocks();
  });
  afterAll(async () => {
    await machine?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  test('the JSON ranges, states, nodes and zones match the model blocks', () => {
    const parsed = JSON.parse(lsmem(['-J', '-b', '-o', COLUMNS, '--sysroot', root])) as { memory: LsmemRow[] };
    const expected = expectedRanges(blocks);
    const blockBytes = machine.blockSizeBytes;
    expect(parsed.memory).toHaveLength(expected.length);
    parsed.memory.forEach((row, i) => {
      const want = expected[i];
      const count = want.lastId - want.firstId + 1;
      expect(row.range).toBe(`${hex16(want.firstId * blockBytes)}-${hex16((want.lastId + 1) * blockBytes - 1)}`);
      expect(row.size).toBe(count * blockBytes);
      expect(row.state).toBe(want.state);
      expect(row.removable).toBe(want.state === 'online');
      expect(row.block).toBe(count === 1 ? `${want.firstId}` : `${want.firstId}-${want.lastId}`);
      if (want.node !== null) expect(row.node).toBe(want.node);
      else expect(want.nodeChoices).toContain(row.node);
      expect(row.zones).toBe(want.zones);
    });
  });

  test('the zones lsmem shows are the model block zones', () => {
    const parsed = JSON.parse(lsmem(['-J', '-b', '-o', 'BLOCK,ZONES', '--split', 'ZONES', '--sysroot', root])) as {
      memory: { block: string; zones: string }[];
    };
    const zoneOfBlock = new Map(blocks.map((b) => [b.id, lsmemZones(b.zone ?? '')]));
    for (const row of parsed.memory) {
      const [first, last] = row.block.split('-').map(Number);
      for (let id = first; id <= (last ?? first); id++) {
        if (zoneOfBlock.has(id)) expect(row.zones).toBe(zoneOfBlock.get(id));
      }
    }
  });

  test('block size and the online/offline totals match the model counts', () => {
    const summary = lsmem(['-b', '--summary=only', '--sysroot', root]);
    const value = (label: string): number => {
      const line = summary.split('\n').find((l) => l.startsWith(label));
      if (line === undefined) throw new Error(`no "${label}" line in lsmem output:\n${summary}`);
      return Number(line.slice(label.length).trim());
    };
    const online = blocks.filter((b) => b.state === 'online').length;
    expect(value('Memory block size:')).toBe(machine.blockSizeBytes);
    expect(value('Total online memory:')).toBe(online * machine.blockSizeBytes);
    expect(value('Total offline memory:')).toBe((blocks.length - online) * machine.blockSizeBytes);
  });

  test('the human-readable table has the same ranges as the JSON', () => {
    const table = lsmem(['-o', 'RANGE,STATE,BLOCK', '--split', 'STATE', '--sysroot', root]).split('\n');
    expect(table[0]).toMatch(/^RANGE\s+STATE\s+BLOCK$/);
    // Splitting on STATE only merges across zones and nodes: one row per run of consecutive blocks.
    let runs = 0;
    blocks.forEach((b, i) => {
      if (i === 0 || blocks[i - 1].id + 1 !== b.id) runs++;
    });
    expect(table.slice(1).filter((line) => line.startsWith('0x'))).toHaveLength(runs);
  });
});
