/**
 * Facts 14 and 15 (shrink_zone_span, update_pgdat_span): offlining the first
 * block of a zone moves its start up to the next online pfn of the zone,
 * jumping over offline holes; a middle block leaves the span alone and only
 * lowers present; the last block pulls the end down; the zone's last block
 * empties it (start 0, spanned 0), and the node span follows its zones.
 * Onlining grows the span back.
 */
import { expect, test } from 'vitest';
import { BLOCK_128M_PAGES, boot, expectOk, GiB, nodeOf, twoNodeVm, zoneOf } from './helpers.js';

const ZONE_START = (6 * GiB) / 4096; // node 1 Movable: blocks 48-63
const ZONE_PAGES = (2 * GiB) / 4096;
const pfnOfBlock = (id: number): number => id * BLOCK_128M_PAGES;

test('Movable span of node 1 through a series of offlines and onlines', async () => {
  const machine = await boot(twoNodeVm('movable_node'));
  try {
    const movable = () => zoneOf(machine, 1, 'Movable');
    expect(await movable()).toMatchObject({ zoneStartPfn: ZONE_START, spannedPages: ZONE_PAGES, presentPages: ZONE_PAGES });

    // A middle block: the span stays, present drops by a block.
    expectOk(await machine.offlineBlocks({ firstBlockId: 50 }));
    await machine.checkInvariants();
    expect(await movable()).toMatchObject({ zoneStartPfn: ZONE_START, spannedPages: ZONE_PAGES, presentPages: ZONE_PAGES - BLOCK_128M_PAGES });

    // The first block: start moves to the next online pfn, block 49.
    expectOk(await machine.offlineBlocks({ firstBlockId: 48 }));
    await machine.checkInvariants();
    expect(await movable()).toMatchObject({ zoneStartPfn: pfnOfBlock(49), spannedPages: pfnOfBlock(64) - pfnOfBlock(49) });
    expect(await nodeOf(machine, 1)).toMatchObject({ nodeStartPfn: pfnOfBlock(49), nodeSpannedPages: pfnOfBlock(64) - pfnOfBlock(49) });

    // Block 49 is now first; block 50 is offline, so the start jumps to block 51.
    expectOk(await machine.offlineBlocks({ firstBlockId: 49 }));
    await machine.checkInvariants();
    expect((await movable()).zoneStartPfn).toBe(pfnOfBlock(51));

    // The last block: the end comes down to block 62's end.
    expectOk(await machine.offlineBlocks({ firstBlockId: 63 }));
    await machine.checkInvariants();
    expect(await movable()).toMatchObject({ zoneStartPfn: pfnOfBlock(51), spannedPages: pfnOfBlock(63) - pfnOfBlock(51), presentPages: 12 * BLOCK_128M_PAGES });

    // Onlining block 48 again grows the span back down to it (the holes stay holes).
    expectOk(await machine.onlineBlocks({ firstBlockId: 48 }, 'online_movable'));
    await machine.checkInvariants();
    expect(await movable()).toMatchObject({ zoneStartPfn: pfnOfBlock(48), spannedPages: pfnOfBlock(63) - pfnOfBlock(48), presentPages: 13 * BLOCK_128M_PAGES });
    expect((await machine.sysfsRead('/sys/devices/system/memory/memory49/valid_zones'))).toMatchObject({ ok: true, value: 'Movable Normal\n' });

    // Fact 15: every block offline: the zone is empty, so is the node's span.
    expectOk(await machine.offlineBlocks({ node: 1 }));
    await machine.checkInvariants();
    expect(await movable()).toMatchObject({ zoneStartPfn: 0, spannedPages: 0, presentPages: 0, managedPages: 0 });
    expect(await nodeOf(machine, 1)).toMatchObject({ nodeStartPfn: 0, nodeSpannedPages: 0, nodePresentPages: 0, hasMemory: false });
  } finally {
    await machine.close();
  }
});

test('fact 13: online_kernel of an offline block at 5 GiB goes to Normal (DMA32 spans below 4 GiB)', async () => {
  const machine = await boot(twoNodeVm());
  try {
    const blockId = (5 * GiB) / (128 * 2 ** 20);
    expectOk(await machine.offlineBlocks({ firstBlockId: blockId }));
    const dma32 = await zoneOf(machine, 0, 'DMA32');
    expect(dma32.zoneStartPfn + dma32.spannedPages).toBeLessThanOrEqual((4 * GiB) / 4096);
    expectOk(await machine.onlineBlocks({ firstBlockId: blockId }, 'online_kernel'));
    await machine.checkInvariants();
    expect((await machine.blocks()).find((b) => b.id === blockId)).toMatchObject({ state: 'online', zone: 'Normal' });
    // Boot memory going back online counts as early memory again.
    const normal = await zoneOf(machine, 0, 'Normal');
    expect(normal.presentEarlyPages).toBe(normal.presentPages);
  } finally {
    await machine.close();
  }
});
