/**
 * Fact 76, its second half: memory faulted in under a long-term pin
 * (`pin_user_pages(FOLL_LONGTERM)` on a not-yet-faulted address) is
 * allocated directly in a kernel zone. The pin runs with PF_MEMALLOC_PIN,
 * which strips __GFP_MOVABLE from the fault's GFP_HIGHUSER_MOVABLE
 * (mm/gup.c `__gup_longterm_locked`, include/linux/sched/mm.h
 * `current_gfp_context`), so the highest zone is Normal: free ZONE_MOVABLE
 * memory on the same node is never used, and when the kernel zones are
 * exhausted the pin fails like any kernel allocation.
 *
 * The first half (an anonymous page already in ZONE_MOVABLE is migrated to
 * a kernel zone when pinned) is not modelled: there is no operation that
 * pins memory already allocated.
 */
import { expect, test } from 'vitest';
import { classBit, PageClass } from '../../../src/contract/constants.js';
import { __GFP_MOVABLE, GFP_HIGHUSER, GFP_HIGHUSER_MOVABLE, KIND_SPECS } from '../../../src/model/alloc/gfp.js';
import { countIn } from '../../../src/model/core/page-state.js';
import { ZONE_MOVABLE, ZONE_NORMAL } from '../../../src/model/core/mmzone.js';
import type { AllocOutcome } from '../../../src/model/core/types.js';
import { boot, expectOk, GiB, machineSpec, twoNodeVm, zoneOf } from '../hotplug/helpers.js';

const PINNED = classBit(PageClass.PINNED);

test('fact 76: the pinned kind’s mask is the fault’s GFP_HIGHUSER_MOVABLE without __GFP_MOVABLE', () => {
  expect(KIND_SPECS.pinned.gfp).toBe(GFP_HIGHUSER_MOVABLE & ~__GFP_MOVABLE);
  expect(KIND_SPECS.pinned.gfp).toBe(GFP_HIGHUSER);
});

test.each(['grouped', 'fragmented'] as const)(
  'fact 76: pinned memory on an all-Movable node is born in another node’s kernel zones (%s)',
  async (placement) => {
    // movable_node: node 1 is all ZONE_MOVABLE; node 0 has DMA, DMA32 and Normal.
    const machine = await boot(twoNodeVm('movable_node'));
    try {
      const movable1 = machine.node(1)!.zones[ZONE_MOVABLE].memberRanges;
      const movableFree = (await zoneOf(machine, 1, 'Movable')).freePages;
      const pages = (256 * 2 ** 20) / 4096;

      const pinned = (await machine.alloc({ kind: 'pinned', size: pages * 4096, node: 1, placement, seed: 7 })) as AllocOutcome;
      expectOk(pinned);
      expect(Object.keys(pinned.byZone).every((key) => key.startsWith('0:') && key !== '0:Movable')).toBe(true);
      expect(Object.values(pinned.byZone).reduce((sum, n) => sum + n, 0)).toBe(pages);
      expect(await countIn(machine.shards, movable1, PINNED)).toBe(0);
      expect((await zoneOf(machine, 1, 'Movable')).freePages).toBe(movableFree);
      const kernel0 = machine.node(0)!.zones.filter((z) => z.zoneIdx <= ZONE_NORMAL).flatMap((z) => z.memberRanges);
      expect(await countIn(machine.shards, kernel0, PINNED)).toBe(pages);

      // The same node's anonymous memory, not pinned, does go to its ZONE_MOVABLE.
      const anon = (await machine.alloc({ kind: 'anon', size: pages * 4096, node: 1 })) as AllocOutcome;
      expectOk(anon);
      expect(anon.byZone).toEqual({ '1:Movable': pages });
      await machine.checkInvariants();
    } finally {
      await machine.close();
    }
  },
);

test('fact 76: with the kernel zones exhausted a pin fails (OOM) while ZONE_MOVABLE is free', async () => {
  // One node: Normal [4 GiB, 6 GiB) and 4 GiB of ZONE_MOVABLE above it (movablecore).
  const machine = await boot(machineSpec([{ node: 0, boot: { base: 4 * GiB, size: 6 * GiB } }], { cmdline: 'movablecore=4G' }));
  try {
    const movable = machine.node(0)!.zones[ZONE_MOVABLE];
    expect(movable.managedPages).toBeGreaterThan(0);
    const movableFree = (await zoneOf(machine, 0, 'Movable')).freePages;
    const [room] = (await machine.headroom(0)).filter((h) => h.kind === 'pinned');
    expect(room.movablePages).toBe(0);
    expectOk(await machine.alloc({ kind: 'pinned', size: room.pages * 4096, node: 0 }));

    const outcome = (await machine.alloc({ kind: 'pinned', size: 4096, node: 0 })) as AllocOutcome;
    expect(outcome.ok).toBe(false);
    expect(outcome.failure?.kind).toBe('pinned');
    expect(outcome.failure?.outcome).toBe('oom');
    expect(outcome.failure?.movableFreePages).toBe(movableFree);
    expect(outcome.failure?.zones.map((z) => z.zone)).not.toContain('Movable');
    expect(await countIn(machine.shards, movable.memberRanges, PINNED)).toBe(0);
    expect((await zoneOf(machine, 0, 'Movable')).freePages).toBe(movableFree);
    await machine.checkInvariants();
  } finally {
    await machine.close();
  }
});
