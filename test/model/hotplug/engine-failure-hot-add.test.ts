/**
 * An engine call that throws during a hot-add takes the whole add back, its
 * auto-online included: no section stays present, the memmap taken from
 * kernel zones is free again, and the blocks, the memory group, the iomem
 * resource and the node's state are as before. Only an engine shard started
 * for the new window stays, empty.
 */
import { afterEach, expect, test } from 'vitest';
import type { BootedMachine } from '../../../src/model/machine.js';
import { bootWithFaults, expectRolledBack } from './engine-faults.js';
import { expectOk, GiB, NODE_DIR, readSysfs, twoNodeVm } from './helpers.js';

let machine: BootedMachine | undefined;
afterEach(() => machine?.close());

test.each([
  ['addSections', 3],
  ['claim', 1],
] as const)('a failing %s (call %i) leaves nothing added', async (method, nth) => {
  const booted = await bootWithFaults(twoNodeVm('movable_node'));
  machine = booted.machine;
  const m = machine;
  await expectRolledBack(m, booted.faults, method, nth, () => m.addMemory({ nid: 1, base: 8 * GiB, size: 1 * GiB }));
  expect(m.blockList().some((b) => b.id >= 64)).toBe(false);
  // The range can be added afterwards.
  expectOk(await m.addMemory({ nid: 1, base: 8 * GiB, size: 1 * GiB }));
  await m.checkInvariants();
});

test.each([
  ['setClass', 5],
  ['setMigratetype', 2],
  ['setSectionFlags', 8],
] as const)('with memmap_on_memory, a failing %s (call %i) leaves nothing added', async (method, nth) => {
  const booted = await bootWithFaults(twoNodeVm('movable_node memory_hotplug.memmap_on_memory=Y'));
  machine = booted.machine;
  const m = machine;
  await expectRolledBack(m, booted.faults, method, nth, () => m.addMemory({ nid: 1, base: 8 * GiB, size: 1 * GiB, memmapOnMemory: true }));
});

test('a failure while auto-onlining the third block takes back the two onlined and the add', async () => {
  const booted = await bootWithFaults(twoNodeVm('movable_node memhp_default_state=online'));
  machine = booted.machine;
  const m = machine;
  await expectRolledBack(m, booted.faults, 'setSectionZone', 3, () => m.addMemory({ nid: 1, base: 8 * GiB, size: 1 * GiB }));
});

test('a failed first add to a node without memory leaves the node offline', async () => {
  const booted = await bootWithFaults(twoNodeVm('movable_node'));
  machine = booted.machine;
  const m = machine;
  expect(await readSysfs(m, `${NODE_DIR}/online`)).toBe('0-1\n');
  await expectRolledBack(m, booted.faults, 'addSections', 2, () => m.addMemory({ nid: 2, base: 10 * GiB, size: 1 * GiB }));
  expect(await readSysfs(m, `${NODE_DIR}/online`)).toBe('0-1\n');
  expect(m.nodeStates[2].online).toBe(false);
});
