/**
 * An engine call that throws during a hot-remove puts the removed sections
 * back as the offline blocks held them (pages RESERVED, the memmap charged
 * to kernel zones again, a boot memmap RESERVED again), so the machine is as
 * before the call. offline_and_remove takes its offlines back too.
 */
import { afterEach, expect, test } from 'vitest';
import { PageClass } from '../../../src/contract/constants.js';
import type { BootedMachine } from '../../../src/model/machine.js';
import { bootWithFaults, expectRolledBack } from './engine-faults.js';
import { countClassEverywhere, expectOk, fourNodeVm, GiB, MEMORY_DIR, observe, readSysfs, twoNodeVm } from './helpers.js';

let machine: BootedMachine | undefined;
afterEach(() => machine?.close());

test('a range over two shards: the failure on the second piece puts the first back', async () => {
  const booted = await bootWithFaults(twoNodeVm('movable_node'));
  machine = booted.machine;
  const m = machine;
  // Two adds, two engine windows: [8G, 8.5G) and [8.5G, 9G).
  expectOk(await m.addMemory({ nid: 1, base: 8 * GiB, size: GiB / 2 }));
  expectOk(await m.addMemory({ nid: 1, base: 8.5 * GiB, size: GiB / 2 }));
  expect(m.shards.split((8 * GiB) / 4096, (9 * GiB) / 4096)).toHaveLength(2);
  await expectRolledBack(m, booted.faults, 'removeSections', 2, () => m.removeMemory(8 * GiB, 1 * GiB));
  // The memmap went back to the kernel zones and was taken again.
  await expectRolledBack(m, booted.faults, 'claim', 1, () => m.removeMemory(8 * GiB, 1 * GiB));
  expectOk(await m.removeMemory(8 * GiB, 1 * GiB));
  await m.checkInvariants();
});

test('removing boot memory: its freed boot memmap is reserved again', async () => {
  const booted = await bootWithFaults(fourNodeVm('movable_node'));
  machine = booted.machine;
  const m = machine;
  expectOk(await m.offlineBlocks({ node: 2 }));
  const removeSectionsBefore = booted.faults.calls('removeSections');
  await expectRolledBack(m, booted.faults, 'removeSections', 1, () => m.removeMemory(6 * GiB, 1 * GiB));
  expect(booted.faults.calls('removeSections')).toBe(removeSectionsBefore + 1);
  expectOk(await m.removeMemory(6 * GiB, 1 * GiB));
  await m.checkInvariants();
});

test('offline_and_remove: a failing removal takes the offlines back; migrated pages stay migrated', async () => {
  const booted = await bootWithFaults(fourNodeVm('movable_node'));
  machine = booted.machine;
  const m = machine;
  expectOk(await m.alloc({ kind: 'user', sizeBytes: 2000 * 4096, nid: 2 }));
  const before = (await observe(m)) as { classTotals: number[]; blocks: unknown[] };
  const error = booted.faults.arm('removeSections', 1);
  await expect(m.offlineAndRemoveMemory(6 * GiB, 1 * GiB)).rejects.toBe(error);
  await m.checkInvariants();
  const after = (await observe(m)) as typeof before;
  expect(after.blocks).toEqual(before.blocks);
  expect(after.classTotals).toEqual(before.classTotals);
  expect(await readSysfs(m, `${MEMORY_DIR}/memory48/state`)).toBe('online\n');
  expect(await countClassEverywhere(m, PageClass.USER)).toBe(2000);
});
