/**
 * Shards follow memory, not the address space: a node whose ranges lie
 * terabytes apart gets a window per range (SHARD_SPLIT_HOLE_PAGES), a
 * machine without an SRAT (one dummy node spanning everything) likewise, so
 * the engines' section tables cover the RAM and not the holes. A hot-add
 * into such a hole gets a shard of its own. Short holes (the PCI hole) stay
 * inside a window.
 */
import { describe, expect, test } from 'vitest';
import { classBit, PAGE_SIZE, PageClass } from '../../../src/contract/constants.js';
import { nodeMemorySpans, planShardWindows, SHARD_SPLIT_HOLE_PAGES } from '../../../src/model/core/shards.js';
import { bootMachine, type BootedMachine } from '../../helpers/boot.js';
import { machineSpec, sratRange as srat } from '../../helpers/machines.js';

const GiB = 2 ** 30;
const TiB = 2 ** 40;
const PiB = 2 ** 50;
const SECTION = 32768;


/** Engine state over every shard, in bytes. */
function stateBytes(machine: BootedMachine): number {
  return machine.shards.shards.reduce((sum, shard) => sum + (shard.engine.bytesUsed() as number), 0);
}

describe('nodeMemorySpans', () => {
  test("a node's ranges join across holes shorter than the split, and part at longer ones", () => {
    const short = SHARD_SPLIT_HOLE_PAGES - SECTION;
    expect(
      nodeMemorySpans([
        { nid: 1, startPfn: 100 * SECTION, endPfn: 101 * SECTION },
        { nid: 0, startPfn: 0, endPfn: SECTION },
        { nid: 0, startPfn: SECTION + short, endPfn: 2 * SECTION + short },
        { nid: 1, startPfn: 101 * SECTION + SHARD_SPLIT_HOLE_PAGES, endPfn: 102 * SECTION + SHARD_SPLIT_HOLE_PAGES },
      ]),
    ).toEqual([
      { nid: 0, startPfn: 0, endPfn: 2 * SECTION + short },
      { nid: 1, startPfn: 100 * SECTION, endPfn: 101 * SECTION },
      { nid: 1, startPfn: 101 * SECTION + SHARD_SPLIT_HOLE_PAGES, endPfn: 102 * SECTION + SHARD_SPLIT_HOLE_PAGES },
    ]);
  });

  test('the split is 512 GiB of pages', () => {
    expect(SHARD_SPLIT_HOLE_PAGES * PAGE_SIZE).toBe(512 * GiB);
  });

  test("another node inside a node's hole gets its own window between the node's two", () => {
    const spans = nodeMemorySpans([
      { nid: 0, startPfn: 0, endPfn: (TiB / PAGE_SIZE) },
      { nid: 0, startPfn: (3 * TiB) / PAGE_SIZE, endPfn: (4 * TiB) / PAGE_SIZE },
      { nid: 1, startPfn: (2 * TiB) / PAGE_SIZE, endPfn: (2 * TiB + GiB) / PAGE_SIZE },
    ]);
    expect(planShardWindows(spans).map((w) => [w.nid, w.startPfn * PAGE_SIZE, w.endPfn * PAGE_SIZE])).toEqual([
      [0, 0, TiB],
      [1, 2 * TiB, 2 * TiB + GiB],
      [0, 3 * TiB, 4 * TiB],
    ]);
  });
});

describe('machines', () => {
  test('a node with ranges 2 PiB apart costs two small windows, and a hot-add between them a third', async () => {
    // Node 0 low; node 1 with 4 GiB at 1 PiB and 4 GiB at 3 PiB; node 1's
    // hotplug slot in between. 5-level paging for the addresses.
    const spec = machineSpec(
      [
        { base: 0, size: 4 * GiB, type: 'usable' },
        { base: PiB, size: 4 * GiB, type: 'usable' },
        { base: 3 * PiB, size: 4 * GiB, type: 'usable' },
      ],
      [srat(0, 0, 4 * GiB), srat(1, PiB, 4 * GiB), srat(1, PiB + TiB, TiB, { populated: false }), srat(1, 3 * PiB, 4 * GiB)],
      { paging: 5 },
    );
    const machine = await bootMachine(spec);
    try {
      const windows = machine.shards.shards.map((s) => [s.nid, s.startPfn * PAGE_SIZE, s.endPfn * PAGE_SIZE]);
      expect(windows).toEqual([
        [0, 0, 4 * GiB],
        [1, PiB, PiB + 4 * GiB],
        [1, 3 * PiB, 3 * PiB + 4 * GiB],
      ]);
      // One window over node 1's span would hold 2 PiB of sections (2^24, 32 bytes each at least).
      expect(stateBytes(machine)).toBeLessThan(3 * 256 * 1024 + 16 * 2 ** 20);
      const node1 = (await machine.nodes()).find((n) => n.nid === 1)!;
      expect(node1).toMatchObject({ nodeStartPfn: PiB / PAGE_SIZE, nodeSpannedPages: (2 * PiB + 4 * GiB) / PAGE_SIZE, nodePresentPages: (8 * GiB) / PAGE_SIZE });

      expect(await machine.addMemory({ node: 1, base: PiB + TiB, size: 4 * GiB })).toMatchObject({ ok: true });
      expect(machine.shards.shards.map((s) => [s.startPfn * PAGE_SIZE, s.endPfn * PAGE_SIZE])).toContainEqual([PiB + TiB, PiB + TiB + 4 * GiB]);
      expect(machine.shards.shards.length).toBe(4);
      expect((await machine.onlineBlocks({ node: 1 }, 'online')).ok).toBe(true);
      expect((await machine.alloc({ kind: 'anon', size: 10 * GiB, node: 1 })).ok).toBe(true);
      await machine.checkInvariants();
      // The anon pages sit on node 1's three windows, none on node 0's.
      expect(await machine.shards.count(PiB / PAGE_SIZE, (3 * PiB + 4 * GiB) / PAGE_SIZE, classBit(PageClass.USER))).toBe((10 * GiB) / PAGE_SIZE);
    } finally {
      await machine.close();
    }
  });

  test('without an SRAT, one node from 0 to 4 PiB still gets a window per stretch of RAM', async () => {
    const spec = machineSpec(
      [
        { base: 0, size: 4 * GiB, type: 'usable' },
        { base: 4 * PiB - 8 * GiB, size: 8 * GiB, type: 'usable' },
      ],
      null,
      { paging: 5 },
    );
    const machine = await bootMachine(spec);
    try {
      expect(machine.nodeStates.map((n) => n.nid)).toEqual([0]);
      expect(machine.shards.shards.map((s) => [s.nid, s.startPfn * PAGE_SIZE, s.endPfn * PAGE_SIZE])).toEqual([
        [0, 0, 4 * GiB],
        [0, 4 * PiB - 8 * GiB, 4 * PiB],
      ]);
      const blocks = await machine.blocks();
      expect(blocks.at(-1)).toMatchObject({ id: 2 ** 21 - 1, state: 'online', nids: [0] });
      await machine.checkInvariants();
    } finally {
      await machine.close();
    }
  });
});
