/**
 * An engine call that throws during a hot-add takes the whole add back, its
 * auto-online included: no section stays present, the memmap taken from
 * kernel zones is free again, and the blocks, the memory group, the iomem
 * resource and the node's state are as before. Only an engine shard started
 * for the new window stays, empty.
 */
import { expect, test } from 'vitest';
import { bootPerTest, expectRolledBack } from './engine-faults.js';
import { expectOk, GiB, NODE_DIR, readSysfs, twoNodeVm } from './helpers.js';

const boot = bootPerTest();

test.each([
  ['addSections', 3],
  ['claim', 1],
] as const)('a failing %s (call %i) leaves nothing added', async (method, nth) => {
  const { machine, faults } = await boot(twoNodeVm('movable_node'));
  await expectRolledBack(machine, faults, method, nth, () => machine.addMemory({ node: 1, base: 8 * GiB, size: 1 * GiB }));
  expect(machine.blockList().some((b) => b.id >= 64)).toBe(false);
  // The range can be added afterwards.
  expectOk(await machine.addMemory({ node: 1, base: 8 * GiB, size: 1 * GiB }));
  await machine.checkInvariants();
});

test.each([
  ['setClass', 5],
  ['setMigratetype', 2],
  ['setSectionFlags', 8],
] as const)('with memmap_on_memory, a failing %s (call %i) leaves nothing added', async (method, nth) => {
  const { machine, faults } = await boot(twoNodeVm('movable_node memory_hotplug.memmap_on_memory=Y'));
  await expectRolledBack(machine, faults, method, nth, () => machine.addMemory({ node: 1, base: 8 * GiB, size: 1 * GiB, memmapOnMemory: true }));
});

test('a failure while auto-onlining the third block takes back the two onlined and the add', async () => {
  const { machine, faults } = await boot(twoNodeVm('movable_node memhp_default_state=online'));
  await expectRolledBack(machine, faults, 'setSectionZone', 3, () => machine.addMemory({ node: 1, base: 8 * GiB, size: 1 * GiB }));
});

test('a failed first add to a node without memory leaves the node offline', async () => {
  const { machine, faults } = await boot(twoNodeVm('movable_node'));
  expect(await readSysfs(machine, `${NODE_DIR}/online`)).toBe('0-1\n');
  await expectRolledBack(machine, faults, 'addSections', 2, () => machine.addMemory({ node: 2, base: 10 * GiB, size: 1 * GiB }));
  expect(await readSysfs(machine, `${NODE_DIR}/online`)).toBe('0-1\n');
  expect(machine.nodeStates[2].online).toBe(false);
});
