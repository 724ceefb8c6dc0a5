/**
 * An engine call that throws during a hot-remove puts the removed sections
 * back as the offline blocks held them (pages RESERVED, the memmap charged
 * to kernel zones again, a boot memmap RESERVED again), so the machine is as
 * before the call. offline_and_remove takes its offlines back too.
 */
import { expect, test } from 'vitest';
import { PageClass } from '../../../src/contract/constants.js';
import { bootPerTest, expectRolledBack } from './engine-faults.js';
import { countClassEverywhere, expectOk, fourNodeVm, GiB, MEMORY_DIR, observe, readSysfs, twoNodeVm } from './helpers.js';

const boot = bootPerTest();

test('a range over two shards: the failure on the second piece puts the first back', async () => {
  const { machine, faults } = await boot(twoNodeVm('movable_node'));
  // Two adds, two engine windows: [8G, 8.5G) and [8.5G, 9G).
  expectOk(await machine.addMemory({ node: 1, base: 8 * GiB, size: GiB / 2 }));
  expectOk(await machine.addMemory({ node: 1, base: 8.5 * GiB, size: GiB / 2 }));
  expect(machine.shards.split((8 * GiB) / 4096, (9 * GiB) / 4096)).toHaveLength(2);
  await expectRolledBack(machine, faults, 'removeSections', 2, () => machine.removeMemory(8 * GiB, 1 * GiB));
  // The memmap went back to the kernel zones and was taken again.
  await expectRolledBack(machine, faults, 'claim', 1, () => machine.removeMemory(8 * GiB, 1 * GiB));
  expectOk(await machine.removeMemory(8 * GiB, 1 * GiB));
  await machine.checkInvariants();
});

test('removing boot memory: its freed boot memmap is reserved again', async () => {
  const { machine, faults } = await boot(fourNodeVm('movable_node'));
  expectOk(await machine.offlineBlocks({ node: 2 }));
  const removeSectionsBefore = faults.calls('removeSections');
  await expectRolledBack(machine, faults, 'removeSections', 1, () => machine.removeMemory(6 * GiB, 1 * GiB));
  expect(faults.calls('removeSections')).toBe(removeSectionsBefore + 1);
  expectOk(await machine.removeMemory(6 * GiB, 1 * GiB));
  await machine.checkInvariants();
});

test('offline_and_remove: a failing removal takes the offlines back; migrated pages stay migrated', async () => {
  const { machine, faults } = await boot(fourNodeVm('movable_node'));
  expectOk(await machine.alloc({ kind: 'user', size: 2000 * 4096, node: 2 }));
  const before = (await observe(machine)) as { classTotals: number[]; blocks: unknown[] };
  const error = faults.arm('removeSections', 1);
  await expect(machine.offlineAndRemoveMemory(6 * GiB, 1 * GiB)).rejects.toBe(error);
  await machine.checkInvariants();
  const after = (await observe(machine)) as typeof before;
  expect(after.blocks).toEqual(before.blocks);
  expect(after.classTotals).toEqual(before.classTotals);
  expect(await readSysfs(machine, `${MEMORY_DIR}/memory48/state`)).toBe('online\n');
  expect(await countClassEverywhere(machine, PageClass.USER)).toBe(2000);
});
