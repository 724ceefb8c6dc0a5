/**
 * An engine call that throws during an offline: isolation is undone, a
 * migration step caught half way (a target zone took pages, the block has not
 * given them up yet) is undone, and the block is online again with its
 * counters as before. Pages of steps that completed stay migrated, as the
 * kernel leaves them after an interrupted offline; no counter depends on
 * where they sit, so the counters still match and the invariants hold.
 */
import { afterEach, beforeEach, expect, test } from 'vitest';
import { PageClass } from '../../../src/contract/constants.js';
import type { BootedMachine } from '../../../src/model/machine.js';
import { bootWithFaults, expectRolledBack, type EngineFaults } from './engine-faults.js';
import { BLOCK_128M_PAGES, countClass, countClassEverywhere, expectOk, GiB, MEMORY_DIR, observe, readSysfs, twoNodeVm } from './helpers.js';

/** memory48 = [6G, 6G + 128M): node 1's first boot block, Movable under movable_node. */
const BLOCK_ID = 48;
const START_PFN = (6 * GiB) / 4096;
const END_PFN = START_PFN + BLOCK_128M_PAGES;
const USER_PAGES = 1000;

let machine: BootedMachine;
let faults: EngineFaults;
beforeEach(async () => {
  ({ machine, faults } = await bootWithFaults(twoNodeVm('movable_node')));
  // The lowest free pfns of node 1: the pages land in memory48.
  expectOk(await machine.alloc({ kind: 'user', size: USER_PAGES * 4096, node: 1 }));
  expect(await countClass(machine, START_PFN, END_PFN, PageClass.USER)).toBe(USER_PAGES);
});
afterEach(() => machine?.close());

test('a failing isolation changes nothing', async () => {
  await expectRolledBack(machine, faults, 'setIsolate', 1, () => machine.offlineBlocks({ firstBlockId: BLOCK_ID }));
  expect(await readSysfs(machine, `${MEMORY_DIR}/memory${BLOCK_ID}/state`)).toBe('online\n');
});

test('a migration step that fails between its two claims is undone with the isolation', async () => {
  // The first claim gives the target zone the pages, the second would take them from the block.
  await expectRolledBack(machine, faults, 'claim', 2, () => machine.offlineBlocks({ firstBlockId: BLOCK_ID }));
  expect(await countClass(machine, START_PFN, END_PFN, PageClass.USER)).toBe(USER_PAGES);
});

test.each(['setClass', 'setSectionFlags', 'setSectionZone'] as const)(
  'a failing %s after migration: the block is online again, counters as before, the pages stay migrated',
  async (method) => {
    const before = (await observe(machine)) as { nodes: { zones: { freePages: number }[] }[]; classTotals: number[] };
    const error = faults.arm(method, 1);
    await expect(machine.offlineBlocks({ firstBlockId: BLOCK_ID })).rejects.toBe(error);
    await machine.checkInvariants();
    const after = (await observe(machine)) as typeof before;
    const withoutFree = (state: typeof before) => ({
      ...state,
      nodes: state.nodes.map((node) => ({ ...node, zones: node.zones.map((zone) => ({ ...zone, freePages: 0 })) })),
    });
    expect(withoutFree(after)).toEqual(withoutFree(before));
    expect(after.classTotals).toEqual(before.classTotals);
    expect(await readSysfs(machine, `${MEMORY_DIR}/memory${BLOCK_ID}/state`)).toBe('online\n');
    expect(await countClass(machine, START_PFN, END_PFN, PageClass.USER)).toBe(0);
    expect(await countClassEverywhere(machine, PageClass.USER)).toBe(USER_PAGES);
  },
);

test('a failure on the second block of an offline call takes the first block back online', async () => {
  // Highest first: memory49 (no user pages) goes offline, then memory48 fails in its isolation.
  await expectRolledBack(machine, faults, 'setIsolate', 3, () => machine.offlineBlocks({ firstBlockId: BLOCK_ID, lastBlockId: BLOCK_ID + 1 }));
  expect(await readSysfs(machine, `${MEMORY_DIR}/memory${BLOCK_ID + 1}/state`)).toBe('online\n');
});

test('after a rolled-back offline the same offline succeeds', async () => {
  await expectRolledBack(machine, faults, 'setIsolate', 1, () => machine.offlineBlocks({ firstBlockId: BLOCK_ID }));
  const outcome = await machine.offlineBlocks({ firstBlockId: BLOCK_ID });
  expectOk(outcome);
  expect(outcome.migratedPages).toBe(USER_PAGES);
  await machine.checkInvariants();
});
