/**
 * An engine call that throws while a block goes online takes the whole
 * call back: the block's pages, pageblocks and sections are as they were,
 * the counters and blocks too, and the engine's error comes out of the
 * call (it is an internal failure, not an errno).
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { BootedMachine } from '../../../src/model/machine.js';
import { bootWithFaults, expectRolledBack, type EngineFaults } from './engine-faults.js';
import { expectOk, GiB, MEMORY_DIR, readSysfs, twoNodeVm } from './helpers.js';

const SLOT = 8 * GiB; // memory64-71 once added

describe.each([
  ['without memmap_on_memory', 'movable_node', false],
  ['with memmap_on_memory', 'movable_node memory_hotplug.memmap_on_memory=Y', true],
])('online %s', (_name, cmdline, memmapOnMemory) => {
  let machine: BootedMachine;
  let faults: EngineFaults;
  beforeEach(async () => {
    ({ machine, faults } = await bootWithFaults(twoNodeVm(cmdline)));
    expectOk(await machine.addMemory({ node: 1, base: SLOT, size: 1 * GiB, memmapOnMemory }));
  });
  afterEach(() => machine?.close());

  test.each(['setClass', 'setMigratetype', 'setSectionZone', 'setSectionFlags'] as const)(
    'a failing %s leaves the block offline and its pages RESERVED',
    async (method) => {
      await expectRolledBack(machine, faults, method, 1, () => machine.onlineBlocks({ firstBlockId: 64 }, 'online_movable'));
      expect(await readSysfs(machine, `${MEMORY_DIR}/memory64/state`)).toBe('offline\n');
    },
  );

  test('a failure on the third block of four takes the first two back offline', async () => {
    await expectRolledBack(machine, faults, 'setSectionZone', 3, () => machine.onlineBlocks({ firstBlockId: 64, lastBlockId: 67 }, 'online'));
  });

  test('a write to the state file rejects with the engine error and changes nothing', async () => {
    await expectRolledBack(machine, faults, 'setSectionFlags', 1, () => machine.sysfsWrite(`${MEMORY_DIR}/memory65/state`, 'online_kernel'));
  });

  test('after a rolled-back online the same online succeeds', async () => {
    await expectRolledBack(machine, faults, 'setSectionFlags', 1, () => machine.onlineBlocks({ firstBlockId: 64 }, 'online_movable'));
    expectOk(await machine.onlineBlocks({ firstBlockId: 64 }, 'online_movable'));
    await machine.checkInvariants();
    expect(await readSysfs(machine, `${MEMORY_DIR}/memory64/state`)).toBe('online\n');
  });
});
