/**
 * A hot-remove that frees a boot memmap raises node 0's managed pages
 * (free_reserved_page → adjust_managed_page_count), and 6.18 recomputes the
 * lowmem reserves there, not the watermarks: the reserves follow the new
 * managed counts, the marks keep those of the last online or offline.
 */
import { expect, test } from 'vitest';
import { lowmemReserve } from '../../../src/model/alloc/watermarks.js';
import { boot, expectOk, fourNodeVm, GiB } from '../hotplug/helpers.js';

test('removing a movable_node node’s memory recomputes node 0’s reserves but not its marks', async () => {
  const machine = await boot(fourNodeVm('movable_node'));
  try {
    expectOk(await machine.offlineBlocks({ firstBlockId: 48, lastBlockId: 55 }));
    const node0 = machine.node(0);
    if (node0 === undefined) throw new Error('no node 0');
    const marksBefore = node0.zones.map((zone) => zone.watermarks);
    const managedBefore = node0.zones.map((zone) => zone.managedPages);
    const reservesBefore = node0.zones.map((zone) => zone.lowmemReserve);

    expectOk(await machine.removeMemory(6 * GiB, 1 * GiB));
    const managed = node0.zones.map((zone) => zone.managedPages);
    expect(managed).not.toEqual(managedBefore);
    expect(node0.zones.map((zone) => zone.lowmemReserve)).not.toEqual(reservesBefore);
    expect(node0.zones.map((zone) => zone.lowmemReserve)).toEqual(lowmemReserve(managed, machine.watermarks.settings.lowmemReserveRatio));
    expect(node0.zones.map((zone) => zone.watermarks)).toEqual(marksBefore);
  } finally {
    await machine.close();
  }
});
