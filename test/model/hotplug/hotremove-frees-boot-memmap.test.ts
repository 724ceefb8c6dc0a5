/**
 * Hot-removing boot memory gives its memmap back. Under movable_node the
 * memmap of a hotpluggable node was allocated on node 0 at boot (reserved
 * there, so not managed); once node 2's memory is offlined and removed, its
 * 2 MiB per section return to node 0 as free, managed pages. Without
 * movable_node that memmap sits inside node 2 itself, reserved, so its
 * blocks cannot be offlined at all.
 */
import { expect, test } from 'vitest';
import { PAGES_PER_SECTION } from '../../../src/contract/constants.js';
import { boot, expectErrno, expectOk, fourNodeVm, GiB, nodeOf } from './helpers.js';
import { SECTION_MEMMAP_BYTES } from '../../../src/model/core/kernel.js';

const MEMMAP_PAGES_PER_SECTION = SECTION_MEMMAP_BYTES / 4096;

function nodeTotals(node: Awaited<ReturnType<typeof nodeOf>>): { managed: number; free: number } {
  return {
    managed: node.zones.reduce((sum, z) => sum + z.managedPages, 0),
    free: node.zones.reduce((sum, z) => sum + z.freePages, 0),
  };
}

test('removing a movable_node node returns its boot memmap to node 0', async () => {
  const machine = await boot(fourNodeVm('movable_node'));
  try {
    const before = nodeTotals(await nodeOf(machine, 0));
    const removedSections = (1 * GiB) / 4096 / PAGES_PER_SECTION;

    expectOk(await machine.offlineAndRemoveMemory(6 * GiB, 1 * GiB));
    await machine.checkInvariants();
    const after = nodeTotals(await nodeOf(machine, 0));
    expect(after.managed - before.managed).toBe(removedSections * MEMMAP_PAGES_PER_SECTION);
    expect(after.free - before.free).toBe(removedSections * MEMMAP_PAGES_PER_SECTION);

    // Adding the range back takes a fresh memmap from kernel memory; removing it again returns exactly that.
    expectOk(await machine.addMemory({ node: 2, base: 6 * GiB, size: 1 * GiB }));
    expectOk(await machine.removeMemory(6 * GiB, 1 * GiB));
    await machine.checkInvariants();
    expect(nodeTotals(await nodeOf(machine, 0))).toEqual(after);
  } finally {
    await machine.close();
  }
});

test('without movable_node a node holds its own boot memmap, so its blocks stay busy', async () => {
  const machine = await boot(fourNodeVm(''));
  try {
    const outcome = await machine.offlineAndRemoveMemory(6 * GiB, 1 * GiB);
    expectErrno(outcome, 'EBUSY');
    await machine.checkInvariants();
  } finally {
    await machine.close();
  }
});
