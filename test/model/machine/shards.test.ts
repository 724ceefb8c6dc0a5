/**
 * Shard windows and pfn lookup, and the 16-node 64 TiB machine end to end.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { classBit, MAX_WINDOW_PAGES, PageClass } from '../../../src/contract/constants.js';
import { bootMachine, type BootedMachine } from '../../helpers/boot.js';
import type { ShardEngine } from '../../../src/contract/engine-api.js';
import { planShardWindows, ShardSet } from '../../../src/model/core/shards.js';
import { GiB, MiB, pfn, singleNodeWithPciHole, sixteenNodeBox, TiB, twoNodes } from '../../helpers/machines.js';

const SECTION = 32768;

describe('planShardWindows', () => {
  test('node spans become section-aligned windows in address order', () => {
    expect(
      planShardWindows([
        { nid: 1, startPfn: 5 * SECTION + 7, endPfn: 9 * SECTION - 3 },
        { nid: 0, startPfn: 1, endPfn: 3 * SECTION },
      ]),
    ).toEqual([
      { nid: 0, startPfn: 0, endPfn: 3 * SECTION },
      { nid: 1, startPfn: 5 * SECTION, endPfn: 9 * SECTION },
    ]);
  });

  test('a section shared by two nodes belongs to the lower node', () => {
    const windows = planShardWindows([
      { nid: 0, startPfn: 0, endPfn: 4 * SECTION + 100 },
      { nid: 1, startPfn: 4 * SECTION + 100, endPfn: 8 * SECTION },
    ]);
    expect(windows).toEqual([
      { nid: 0, startPfn: 0, endPfn: 5 * SECTION },
      { nid: 1, startPfn: 5 * SECTION, endPfn: 8 * SECTION },
    ]);
  });

  test('a node nested inside another node span shares its shard; empty spans give nothing', () => {
    expect(
      planShardWindows([
        { nid: 0, startPfn: 0, endPfn: 10 * SECTION },
        { nid: 1, startPfn: 4 * SECTION, endPfn: 6 * SECTION },
        { nid: 2, startPfn: 20 * SECTION, endPfn: 20 * SECTION },
      ]),
    ).toEqual([{ nid: 0, startPfn: 0, endPfn: 10 * SECTION }]);
  });

  test('a span above 16 TiB splits into windows of at most 2^32 pages', () => {
    const endPfn = pfn(40 * TiB);
    const windows = planShardWindows([{ nid: 0, startPfn: 0, endPfn }]);
    expect(windows.map((w) => [w.startPfn, w.endPfn])).toEqual([
      [0, MAX_WINDOW_PAGES],
      [MAX_WINDOW_PAGES, 2 * MAX_WINDOW_PAGES],
      [2 * MAX_WINDOW_PAGES, endPfn],
    ]);
  });
});

describe('ShardSet lookup and splitting', () => {
  let shards: ShardSet;
  const opened: { basePfn: number; nrPages: number }[] = [];
  beforeAll(async () => {
    const fake = async (opts: { basePfn: number; nrPages: number }) => {
      opened.push(opts);
      return { count: (s: number, e: number) => e - s } as unknown as ShardEngine;
    };
    shards = await ShardSet.create(
      [
        { nid: 0, startPfn: 0, endPfn: 4 * SECTION },
        { nid: 1, startPfn: 8 * SECTION, endPfn: 12 * SECTION },
        { nid: 2, startPfn: 12 * SECTION, endPfn: 20 * SECTION },
      ],
      fake,
    );
  });

  test('one engine per window, with the window as its options', () => {
    expect(opened).toEqual([
      { basePfn: 0, nrPages: 4 * SECTION },
      { basePfn: 8 * SECTION, nrPages: 4 * SECTION },
      { basePfn: 12 * SECTION, nrPages: 8 * SECTION },
    ]);
  });

  test('shardOfPfn finds the window by binary search, undefined in gaps and past the end', () => {
    expect(shards.shardOfPfn(0)?.nid).toBe(0);
    expect(shards.shardOfPfn(4 * SECTION - 1)?.nid).toBe(0);
    expect(shards.shardOfPfn(4 * SECTION)).toBeUndefined();
    expect(shards.shardOfPfn(8 * SECTION)?.nid).toBe(1);
    expect(shards.shardOfPfn(12 * SECTION - 1)?.nid).toBe(1);
    expect(shards.shardOfPfn(12 * SECTION)?.nid).toBe(2);
    expect(shards.shardOfPfn(20 * SECTION)).toBeUndefined();
  });

  test('split cuts a range at window edges and leaves out the gaps', async () => {
    const pieces = shards.split(SECTION, 14 * SECTION).map((p) => [p.shard.nid, p.startPfn, p.endPfn]);
    expect(pieces).toEqual([
      [0, SECTION, 4 * SECTION],
      [1, 8 * SECTION, 12 * SECTION],
      [2, 12 * SECTION, 14 * SECTION],
    ]);
    expect(shards.split(4 * SECTION, 8 * SECTION)).toEqual([]);
    expect(await shards.count(SECTION, 14 * SECTION, 1)).toBe(3 * SECTION + 4 * SECTION + 2 * SECTION);
  });
});

test('a failing engine start releases the engines already started and reports the error', async () => {
  let released = 0;
  const factory = async (opts: { basePfn: number }) => {
    if (opts.basePfn > 0) throw new Error('no memory for this shard');
    return { terminate: async () => void released++ } as unknown as ShardEngine;
  };
  await expect(
    ShardSet.create(
      [
        { nid: 0, startPfn: 0, endPfn: SECTION },
        { nid: 1, startPfn: SECTION, endPfn: 2 * SECTION },
      ],
      factory,
    ),
  ).rejects.toThrow('no memory for this shard');
  expect(released).toBe(1);
});

test('the reference engine cannot run in a worker: a clear error, before anything starts', async () => {
  await expect(bootMachine(singleNodeWithPciHole(), { engine: 'reference', worker: true })).rejects.toThrow(/worker/);
});

test('worker shards give the same machine as in-thread shards', async () => {
  const spec = twoNodes({ boundary: 8 * GiB + 64 * MiB });
  const [inWorker, inThread] = await Promise.all([bootMachine(spec, { worker: true }), bootMachine(spec)]);
  try {
    expect(inWorker.shards.shards).toHaveLength(2);
    expect(await inWorker.nodes()).toEqual(await inThread.nodes());
    expect(await inWorker.blocks()).toEqual(await inThread.blocks());
    expect(await inWorker.zoneinfo()).toBe(await inThread.zoneinfo());
  } finally {
    await Promise.all([inWorker.close(), inThread.close()]);
  }
});

describe('the 16-node 64 TiB box', () => {
  let machine: BootedMachine;
  let bootMs = 0;
  beforeAll(async () => {
    const started = performance.now();
    machine = await bootMachine(sixteenNodeBox());
    bootMs = performance.now() - started;
  });
  afterAll(() => machine?.close());

  test('one shard per 4 TiB node, boots in seconds', () => {
    expect(machine.shards.shards).toHaveLength(16);
    machine.shards.shards.forEach((shard, i) => {
      expect(shard.startPfn).toBe(pfn(i * 4 * TiB));
      expect(shard.endPfn).toBe(pfn((i + 1) * 4 * TiB));
    });
    expect(bootMs).toBeLessThan(20_000);
  });

  test('2 GiB blocks: 32,767 blocks, memory1 missing, every node linked', async () => {
    const blocks = await machine.blocks();
    expect(machine.blockSizeBytes).toBe(2 * GiB);
    expect(blocks).toHaveLength(32_767);
    expect(blocks[1].id).toBe(2);
    expect(blocks.at(-1)?.id).toBe(32_767);
    expect(blocks.find((b) => b.id === 2048)?.nids).toEqual([1]);
    expect(blocks.filter((b) => b.zone === 'none').map((b) => b.id)).toEqual([0]);
  });

  test('zone counters: FREE per zone from the engines equals managed; node 15 is all Normal', async () => {
    const nodes = await machine.nodes();
    expect(nodes).toHaveLength(16);
    let totalManaged = 0;
    for (const node of nodes) for (const zone of node.zones) {
      expect(zone.freePages).toBe(zone.managedPages);
      totalManaged += zone.managedPages;
    }
    const node15 = nodes[15];
    expect(node15.zones[2]).toMatchObject({ zoneStartPfn: pfn(60 * TiB), spannedPages: pfn(4 * TiB), presentPages: pfn(4 * TiB) });
    // 4 TiB = 32,768 sections, 512 memmap pages each.
    expect(node15.zones[2].managedPages).toBe(pfn(4 * TiB) - 32_768 * 512);
    expect(await machine.shards.count(0, pfn(64 * TiB), classBit(PageClass.FREE))).toBe(totalManaged);
  });
});
