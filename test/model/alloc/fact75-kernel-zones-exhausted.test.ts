/**
 * Fact 75: kernel zones exhausted, ZONE_MOVABLE with 1 M pages free, no
 * swap, no page cache. GFP_KERNEL order 0 → OOM kill; GFP_DMA32 → NULL
 * without a kill; GFP_KERNEL order 4 → NULL without a kill;
 * GFP_KERNEL | __GFP_NORETRY → NULL; GFP_NOFS → loops without a kill
 * (mm/page_alloc.c `__alloc_pages_slowpath`, `__alloc_pages_may_oom`;
 * mm/oom_kill.c `out_of_memory`). The free Movable memory helps none of
 * them: a kernel request may not use ZONE_MOVABLE, and reclaim moves
 * nothing between zones.
 */
import { describe, expect, test } from 'vitest';
import { PageClass } from '../../../src/contract/constants.js';
import {
  __GFP_NORETRY,
  __GFP_NOWARN,
  __GFP_RETRY_MAYFAIL,
  GFP_DMA32,
  GFP_KERNEL,
  GFP_NOFS,
  GFP_PGTABLE_USER,
  kindSpec,
} from '../../../src/model/alloc/gfp.js';
import { failureOutcome } from '../../../src/model/alloc/reclaim.js';
import type { AllocOutcome, MachineSpec } from '../../../src/model/core/types.js';
import { boot, countClassEverywhere, expectErrno, expectOk, GiB, machineSpec, observe, zoneOf } from '../hotplug/helpers.js';

describe('fact 75: what a request reclaim cannot satisfy ends in', () => {
  test.each([
    ['GFP_KERNEL, order 0: OOM kill', GFP_KERNEL, 0, 'oom'],
    ['GFP_KERNEL | GFP_DMA32: fails without a kill (highest zone below Normal)', GFP_KERNEL | GFP_DMA32, 0, 'ENOMEM'],
    ['GFP_KERNEL, order 4: fails without a kill (costly order)', GFP_KERNEL, 4, 'ENOMEM'],
    ['GFP_KERNEL | __GFP_NORETRY: fails after one round', GFP_KERNEL | __GFP_NORETRY, 0, 'ENOMEM'],
    ['GFP_NOFS: loops without a kill (no __GFP_FS)', GFP_NOFS, 0, 'stall'],
  ])('%s', (_name, gfp, order, outcome) => {
    expect(failureOutcome(gfp, order)).toBe(outcome);
  });

  test('order 3 is the last order the OOM killer is invoked for', () => {
    expect(failureOutcome(GFP_KERNEL, 3)).toBe('oom');
    expect(failureOutcome(GFP_KERNEL, 4)).toBe('ENOMEM');
  });

  test('the memmap of hot-added memory (GFP_KERNEL | __GFP_RETRY_MAYFAIL | __GFP_NOWARN) fails without a kill', () => {
    expect(failureOutcome(GFP_KERNEL | __GFP_RETRY_MAYFAIL | __GFP_NOWARN, 0)).toBe('ENOMEM');
  });

  test('every workload kind is an order-0 request with __GFP_FS and highest zone Normal or above: OOM', () => {
    for (const kind of ['anon', 'file', 'slab', 'slab_reclaimable', 'pgtable', 'pinned'] as const) {
      expect(failureOutcome(kindSpec(kind).gfp, 0)).toBe('oom');
    }
    expect(kindSpec('pgtable').gfp).toBe(GFP_PGTABLE_USER);
  });
});

/**
 * Node 0: DMA, DMA32 [16 MiB, 2 GiB), Normal [4 GiB, 6 GiB). Node 1:
 * [6 GiB, 10 GiB), hotpluggable, all ZONE_MOVABLE with `movable_node`:
 * 1,048,576 pages, its memmap on node 0. No swap.
 */
function machine(): MachineSpec {
  return machineSpec(
    [
      { node: 0, boot: { base: 4 * GiB, size: 2 * GiB } },
      { node: 1, boot: { base: 6 * GiB, size: 4 * GiB }, slot: { base: 10 * GiB, size: 1 * GiB }, hotpluggable: true },
    ],
    { cmdline: 'movable_node' },
  );
}

test('fact 75: slab on exhausted kernel zones is an OOM kill, with a million Movable pages free', async () => {
  const m = await boot(machine());
  try {
    const movable = await zoneOf(m, 1, 'Movable');
    expect(movable.freePages).toBe(1_048_576);
    expect(m.swapFreePages()).toBe(0);

    // Slab up to its headroom: the kernel zones down to their min marks.
    const [slab] = (await m.headroom(0)).filter((h) => h.kind === 'slab');
    expect(slab.movablePages).toBe(0);
    expectOk(await m.alloc({ kind: 'slab', size: slab.pages * 4096, node: 0 }));
    expect(await countClassEverywhere(m, PageClass.USER)).toBe(0);

    const outcome = (await m.alloc({ kind: 'slab', size: 64 * 4096, node: 0 })) as AllocOutcome;
    expect(outcome.ok).toBe(false);
    expect(outcome.failure?.outcome).toBe('oom');
    expect(outcome.errno).toBeUndefined();
    expect(outcome.allocatedPages).toBe(0);
    expect(outcome.reclaimedPages).toBe(0);
    expect(outcome.failure?.missingPages).toBe(64);
    expect(outcome.failure?.movableFreePages).toBe(1_048_576);
    // Every zone slab may use is at or below min + reserve; Movable is not among them.
    const zones = outcome.failure!.zones;
    expect(zones.map((z) => `${z.nid}:${z.zone}`).sort()).toEqual(['0:DMA', '0:DMA32', '0:Normal']);
    for (const z of zones) expect(z.freePages).toBeLessThanOrEqual(z.min + z.reserve);
    const normal = zones.find((z) => z.zone === 'Normal')!;
    expect(outcome.message).toContain('OOM killer');
    expect(outcome.message).toContain(`node 0 Normal ${normal.freePages} free <= min ${normal.min} + reserve ${normal.reserve}`);
    expect(outcome.message).toMatch(/node 0 DMA32 \d+ free <= min/);
    expect(outcome.message).toContain('ZONE_MOVABLE still has 1048576 free pages');
    // Movable memory is untouched and still free.
    expect((await zoneOf(m, 1, 'Movable')).freePages).toBe(1_048_576);
    await m.checkInvariants();

    // Anonymous memory still fits in ZONE_MOVABLE, but its page tables do not fit anywhere.
    const anon = (await m.alloc({ kind: 'anon', size: 1 * GiB, node: 1 })) as AllocOutcome;
    expect(anon.ok).toBe(false);
    expect(anon.failure?.kind).toBe('pgtable');
    expect(anon.failure?.outcome).toBe('oom');
    expect(anon.errno).toBeUndefined();
    await m.checkInvariants();
  } finally {
    await m.close();
  }
});

test('fact 75: the memmap of a hot-add, which the kernel fails without a kill, surfaces as ENOMEM', async () => {
  const m = await boot(machine());
  try {
    const [slab] = (await m.headroom(0)).filter((h) => h.kind === 'slab');
    expectOk(await m.alloc({ kind: 'slab', size: slab.pages * 4096, node: 0 }));
    const before = await observe(m);
    // 1 GiB needs 4096 pages of memmap from kernel zones (no memmap_on_memory).
    const outcome = await m.addMemory({ node: 1, base: 10 * GiB, size: 1 * GiB });
    expectErrno(outcome, 'ENOMEM');
    expect(outcome.message).toMatch(/memmap/);
    expect(await observe(m)).toEqual(before);
    await m.checkInvariants();
  } finally {
    await m.close();
  }
});
