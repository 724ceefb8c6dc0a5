/**
 * checkInvariants() recounts against the engines and throws naming the
 * first broken invariant: a wrong zone counter, pages changed behind the
 * model's back, a section flag that disagrees with its block, a node count.
 */
import { expect, test } from 'vitest';
import { PageClass, SectionFlag } from '../../../src/contract/constants.js';
import { boot, expectOk, GiB, twoNodeVm } from './helpers.js';

test('each kind of corruption is caught and named', async () => {
  const machine = await boot(twoNodeVm('movable_node'));
  try {
    expectOk(await machine.addMemory({ node: 1, base: 8 * GiB, size: 256 * 2 ** 20 }));
    expectOk(await machine.onlineBlocks({ firstBlockId: 64 }, 'online'));
    await machine.checkInvariants();
    const movable = machine.nodeStates[1].zones[3];

    movable.managedPages += 1;
    await expect(machine.checkInvariants()).rejects.toThrow(/node 1 zone Movable: .*RESERVED.*managed/);
    movable.managedPages -= 1;

    movable.presentPages += 512;
    await expect(machine.checkInvariants()).rejects.toThrow(/node 1 zone Movable: member ranges hold/);
    movable.presentPages -= 512;

    machine.nodeStates[1].nodePresentPages += 1;
    await expect(machine.checkInvariants()).rejects.toThrow(/node 1: present/);
    machine.nodeStates[1].nodePresentPages -= 1;

    // A slab page appearing in ZONE_MOVABLE.
    const pfn = (6 * GiB) / 4096;
    const engine = machine.shards.shardOfPfn(pfn)!.engine;
    await engine.setClass(pfn, pfn + 1, PageClass.SLAB);
    await expect(machine.checkInvariants()).rejects.toThrow(/node 1 zone Movable: holds 1 unmovable kernel pages/);
    await engine.setClass(pfn, pfn + 1, PageClass.FREE);

    // The offline block 65 with an ONLINE section.
    const offlinePfn = 65 * 32768;
    const offlineEngine = machine.shards.shardOfPfn(offlinePfn)!.engine;
    await offlineEngine.setSectionFlags(offlinePfn, offlinePfn + 1, SectionFlag.ONLINE, 0);
    await expect(machine.checkInvariants()).rejects.toThrow(/section 65 is ONLINE but memory65 is offline/);
    await offlineEngine.setSectionFlags(offlinePfn, offlinePfn + 1, 0, SectionFlag.ONLINE);

    await machine.checkInvariants();
  } finally {
    await machine.close();
  }
});
