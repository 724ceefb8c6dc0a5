/**
 * The offline-migrated scheme on one node (docs/hot-remove-schemes.md): a
 * Normal block that holds slab and page tables, which zone-movable refuses
 * with EBUSY at its first slab page, offlines under offline-migrated: the
 * slab is copied and its section remapped, the page tables relocated, and
 * the stop_machine time reported. Translation afterwards is exact, on both
 * engines alike, and stays so once the block is hot-removed; a pinned page fails the offline under both schemes with
 * EINTR (pinned) or EBUSY, and leaves the model as it was.
 */
import { describe, expect, test } from 'vitest';
import { classBit, PAGE_OFFSET, PAGE_SIZE, PageClass } from '../../../src/contract/constants.js';
import { EngineError } from '../../../src/contract/errors.js';
import type { AllocOutcome, HotRemoveScheme, MachineSpec } from '../../../src/model/core/types.js';
import { bootMachine, type BootedMachine } from '../../helpers/boot.js';
import { expectErrno, expectOk, GiB, machineSpec, MEMORY_DIR, observe, readSysfs } from './helpers.js';

const BLOCK_BYTES = 128 * 2 ** 20;
const BLOCK_PAGES = BLOCK_BYTES / PAGE_SIZE;
/** A Normal block of node 0, the only node: targets are its other blocks. */
const BLOCK_ID = (6 * GiB) / BLOCK_BYTES;
const START_PFN = BLOCK_ID * BLOCK_PAGES;
const END_PFN = START_PFN + BLOCK_PAGES;
const SLAB_CLASSES = classBit(PageClass.SLAB) | classBit(PageClass.SLAB_RECLAIMABLE);

function spec(scheme: HotRemoveScheme): MachineSpec {
  return { ...machineSpec([{ node: 0, boot: { base: 4 * GiB, size: 4 * GiB } }]), hotRemoveScheme: scheme };
}

/** The machine with a fragmented workload: slab, reclaimable slab and page tables in most blocks. */
async function polluted(scheme: HotRemoveScheme, engine: 'wasm' | 'reference' = 'wasm'): Promise<BootedMachine> {
  const machine = await bootMachine(spec(scheme), { engine });
  expectOk(
    await machine.workload({
      node: 0,
      anon: { share: 0.3 },
      file: { share: 0.2 },
      slab: { share: 0.05 },
      slabReclaimablePerFileGiB: 64 * 2 ** 20,
      placement: 'fragmented',
      seed: 1,
    }),
  );
  return machine;
}

async function count(machine: BootedMachine, mask: number, startPfn = START_PFN, endPfn = END_PFN): Promise<number> {
  return machine.shards.shardOfPfn(startPfn)!.engine.count(startPfn, endPfn, mask);
}

describe('a Normal block with slab and page tables', () => {
  test('zone-movable: EBUSY at the first slab page; offline-migrated: copied, remapped, offline', async () => {
    const zoneMovable = await polluted('zone-movable');
    try {
      expect(await count(zoneMovable, SLAB_CLASSES)).toBeGreaterThan(0);
      const refused = await zoneMovable.offlineBlocks({ firstBlockId: BLOCK_ID });
      expectErrno(refused, 'EBUSY');
      expect(refused.kernelPages).toBeUndefined();
    } finally {
      await zoneMovable.close();
    }

    const machine = await polluted('offline-migrated');
    try {
      const slab = await count(machine, SLAB_CLASSES);
      const pgtable = await count(machine, classBit(PageClass.PGTABLE));
      const user = await count(machine, classBit(PageClass.USER));
      expect(slab).toBeGreaterThan(0);
      expect(pgtable).toBeGreaterThan(0);
      const totalsBefore = [PageClass.SLAB, PageClass.SLAB_RECLAIMABLE, PageClass.PGTABLE].map((cls) => count(machine, classBit(cls), 0, 2 ** 21));
      const done = await machine.offlineBlocks({ firstBlockId: BLOCK_ID });
      expectOk(done);
      expect(done.kernelPages).toMatchObject({ copiedPages: slab, pgtablePages: pgtable, remappedSections: 1 });
      expect(done.kernelPages!.stopMachineSeconds).toBeGreaterThan(0);
      expect(done.migratedPages).toBe(user + slab + pgtable);
      expect(done.modelledSeconds).toBeGreaterThan(done.kernelPages!.stopMachineSeconds);
      expect(await readSysfs(machine, `${MEMORY_DIR}/memory${BLOCK_ID}/state`)).toBe('offline\n');
      // Copied, not lost: every kernel class has as many pages as before.
      expect(await Promise.all([PageClass.SLAB, PageClass.SLAB_RECLAIMABLE, PageClass.PGTABLE].map((cls) => count(machine, classBit(cls), 0, 2 ** 21)))).toEqual(
        await Promise.all(totalsBefore),
      );
      await machine.checkInvariants();
    } finally {
      await machine.close();
    }
  });

  test('after the copy, and after hot-remove, virt_to_phys of every old slab address gives its new frame, the same on both engines', async () => {
    const results: bigint[][] = [];
    for (const engine of ['wasm', 'reference'] as const) {
      const machine = await polluted('offline-migrated', engine);
      try {
        // The old direct-map address of every slab page, and of every other page of the block.
        const classes = await machine.shards.shardOfPfn(START_PFN)!.engine.readClasses(START_PFN, BLOCK_PAGES);
        const slabPfns: number[] = [];
        classes.forEach((cls, i) => {
          if (cls === PageClass.SLAB || cls === PageClass.SLAB_RECLAIMABLE) slabPfns.push(START_PFN + i);
        });
        expectOk(await machine.offlineBlocks({ firstBlockId: BLOCK_ID }));
        const engineOfBlock = machine.shards.shardOfPfn(START_PFN)!.engine;
        const vas = new BigUint64Array(slabPfns.map((pfn, k) => PAGE_OFFSET + BigInt(pfn) * BigInt(PAGE_SIZE) + BigInt(k % PAGE_SIZE)));
        const translated = await engineOfBlock.virtToPhys(vas);
        expect(translated.slow).toBe(slabPfns.length);
        const newPfns = [...translated.out].map((pa) => Number(pa / BigInt(PAGE_SIZE)));
        // Each lands on a distinct frame outside the block that now holds a slab page, offset kept.
        expect(new Set(newPfns).size).toBe(newPfns.length);
        for (const [k, pa] of [...translated.out].entries()) {
          const pfn = Number(pa / BigInt(PAGE_SIZE));
          expect(pfn < START_PFN || pfn >= END_PFN).toBe(true);
          expect(Number(pa % BigInt(PAGE_SIZE))).toBe(k % PAGE_SIZE);
        }
        const newClasses = await Promise.all(newPfns.map((pfn) => engineOfBlock.readClasses(pfn, 1)));
        for (const cls of newClasses) expect([PageClass.SLAB, PageClass.SLAB_RECLAIMABLE]).toContain(cls[0]);
        // An address outside the block still takes the direct map.
        const outside = await engineOfBlock.virtToPhys(new BigUint64Array([PAGE_OFFSET + BigInt(START_PFN - 1) * BigInt(PAGE_SIZE)]));
        expect(outside.fast).toBe(1);
        expect(outside.out[0]).toBe(BigInt(START_PFN - 1) * BigInt(PAGE_SIZE));
        // Offline, it cannot come back online: its addresses are the copies'.
        const online = await machine.onlineBlocks({ firstBlockId: BLOCK_ID }, 'online');
        expectErrno(online, 'EBUSY');
        expect(online.message).toMatch(new RegExp(`still reach ${slabPfns.length} kernel pages copied out`));
        // Hot-removed, the block's copied slab is still reached through its
        // old addresses; the rest of the block misses.
        expectOk(await machine.removeMemory(BLOCK_ID * BLOCK_BYTES, BLOCK_BYTES));
        const afterRemoval = await engineOfBlock.virtToPhys(vas);
        expect(afterRemoval.slow).toBe(slabPfns.length);
        expect([...afterRemoval.out]).toEqual([...translated.out]);
        const unmoved = classes.findIndex((cls) => cls !== PageClass.SLAB && cls !== PageClass.SLAB_RECLAIMABLE);
        const gone = await engineOfBlock.virtToPhys(new BigUint64Array([PAGE_OFFSET + BigInt(START_PFN + unmoved) * BigInt(PAGE_SIZE)]));
        expect(gone.miss).toBe(1);
        // Its direct map is in use, so the range cannot come back as new memory.
        const readd = await machine.addMemory({ node: 0, base: BLOCK_ID * BLOCK_BYTES, size: BLOCK_BYTES });
        expectErrno(readd, 'EEXIST');
        expect(readd.message).toMatch(new RegExp(`still reaches ${slabPfns.length} kernel pages copied out`));
        await machine.checkInvariants();
        results.push([...translated.out]);
      } finally {
        await machine.close();
      }
    }
    expect(results[0]).toEqual(results[1]);
  });
});

describe('pinned pages block both schemes', () => {
  test('a pinned page in the block: EBUSY under zone-movable, EINTR (pinned page) under offline-migrated, nothing changed', async () => {
    for (const scheme of ['zone-movable', 'offline-migrated'] as const) {
      const machine = await polluted(scheme);
      try {
        // The workload left this block's free pages to the pin: pins go where free pages are, lowest first.
        expectOk(await machine.alloc({ kind: 'pinned', size: PAGE_SIZE, node: 0, placement: 'compact' }));
        const pinned = await count(machine, classBit(PageClass.PINNED), 0, 2 ** 21);
        expect(pinned).toBe(1);
        const pinnedPfn = await machine.shards.shardOfPfn(0)!.engine.findNext(0, 2 ** 21, classBit(PageClass.PINNED));
        const blockId = Math.floor(pinnedPfn / BLOCK_PAGES);
        const before = await observe(machine);
        const refused = await machine.offlineBlocks({ firstBlockId: blockId });
        if (scheme === 'zone-movable') {
          expectErrno(refused, 'EBUSY');
        } else {
          expectErrno(refused, 'EINTR');
          expect(refused.reason).toBe('pinned page');
          expect(refused.kernelPages).toBeUndefined();
        }
        expect(await observe(machine)).toEqual(before);
        await machine.checkInvariants();
      } finally {
        await machine.close();
      }
    }
  });
});

describe('the reservation: nodes without the SRAT hotplug flag', () => {
  test('no ZONE_MOVABLE under movable_node, and long-term pins asked of the hotpluggable node land on node 0', async () => {
    const twoNodes: MachineSpec = {
      ...machineSpec(
        [
          { node: 0, boot: { base: 4 * GiB, size: 2 * GiB } },
          { node: 1, boot: { base: 6 * GiB, size: 2 * GiB }, hotpluggable: true },
        ],
        { cmdline: 'movable_node' },
      ),
      hotRemoveScheme: 'offline-migrated',
    };
    const machine = await bootMachine(twoNodes, { engine: 'wasm' });
    try {
      expect(machine.warnings).toContain('hotRemoveScheme offline-migrated has no ZONE_MOVABLE: movable_node sizes no zone');
      const node1 = (await machine.nodes()).find((n) => n.nid === 1)!;
      expect(node1.zones.find((z) => z.name === 'Movable')!.presentPages).toBe(0);
      expect(node1.zones.find((z) => z.name === 'Normal')!.presentPages).toBe((2 * GiB) / PAGE_SIZE);
      const pinned = (await machine.alloc({ kind: 'pinned', size: 2 ** 20, node: 1 })) as AllocOutcome;
      expectOk(pinned);
      expect(Object.keys(pinned.byZone)).toEqual(['0:Normal']);
      // Slab may go anywhere: node 1 first.
      const slab = (await machine.alloc({ kind: 'slab', size: 2 ** 20, node: 1 })) as AllocOutcome;
      expect(Object.keys(slab.byZone)).toEqual(['1:Normal']);
      // Headroom follows the same rule: pins from node 1 can only use node 0's zones.
      const headroom = await machine.headroom(1);
      const pinnedRoom = headroom.find((e) => e.kind === 'pinned')!;
      const slabRoom = headroom.find((e) => e.kind === 'slab')!;
      expect(pinnedRoom.limitedBy).not.toMatch(/\b1:/);
      const node0 = (await machine.nodes()).find((n) => n.nid === 0)!;
      expect(pinnedRoom.pages).toBeLessThan(node0.zones.reduce((sum, z) => sum + z.managedPages, 0));
      expect(slabRoom.pages - pinnedRoom.pages).toBeGreaterThan((3 * GiB) / 2 / PAGE_SIZE);
    } finally {
      await machine.close();
    }
  });
});

describe('an engine failure halfway through a copy across shards', () => {
  test('the offline is undone, frames included: the same block then offlines onto the same frames', async () => {
    const spec: MachineSpec = {
      ...machineSpec([
        { node: 0, boot: { base: 4 * GiB, size: 4 * GiB } },
        { node: 1, boot: { base: 8 * GiB, size: 4 * GiB } },
      ]),
      hotRemoveScheme: 'offline-migrated',
    };
    const machine = await bootMachine(spec, { engine: 'wasm' });
    try {
      expectOk(await machine.alloc({ kind: 'slab', size: 8 * 2 ** 20, node: 1 }));
      const node1 = machine.shards.shardOfPfn((8 * GiB) / PAGE_SIZE)!.engine;
      expect(machine.shards.shardOfPfn((4 * GiB) / PAGE_SIZE)!.engine).not.toBe(node1);
      const slabPfn = await node1.findNext((8 * GiB) / PAGE_SIZE, (12 * GiB) / PAGE_SIZE, SLAB_CLASSES);
      const blockId = Math.floor((slabPfn * PAGE_SIZE) / BLOCK_BYTES);
      const before = await observe(machine);

      // The frames' shard takes the reverse half, then the pages' shard fails its half.
      const remapOut = node1.remapOut.bind(node1);
      node1.remapOut = () => {
        throw new EngineError('E_FULL', 'remapOut', undefined);
      };
      await expect(machine.offlineBlocks({ firstBlockId: blockId })).rejects.toThrow(/remapOut/);
      node1.remapOut = remapOut;
      expect(await observe(machine)).toEqual(before);
      await machine.checkInvariants();

      const done = await machine.offlineBlocks({ firstBlockId: blockId });
      expectOk(done);
      expect(done.kernelPages!.copiedPages).toBe((8 * 2 ** 20) / PAGE_SIZE);
      const va = PAGE_OFFSET + BigInt(slabPfn) * BigInt(PAGE_SIZE);
      const translated = await node1.virtToPhys(BigUint64Array.of(va));
      expect(translated.slow).toBe(1);
      const frame = Number(translated.out[0]! / BigInt(PAGE_SIZE));
      expect(frame).toBeLessThan((8 * GiB) / PAGE_SIZE);
      await machine.checkInvariants();
    } finally {
      await machine.close();
    }
  });
});
