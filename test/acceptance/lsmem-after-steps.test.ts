/**
 * lsmem as a client of the lifecycle: after an offline, an online, an
 * offline_and_remove and an add, the exported tree must read back in lsmem
 * (table and JSON) as the model's blocks: offline blocks, removed blocks as
 * holes that split ranges, zones and nodes.
 *
 * The machine: node 0 is [0, 2 GiB) + [4 GiB, 8 GiB), node 1 (hotpluggable,
 * movable_node) is [8 GiB, 12 GiB) with an empty slot [12 GiB, 14 GiB).
 * Boot RAM ends at 12 GiB, so blocks are 128 MiB: block id = GiB x 8.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { bootMachine, type BootedMachine } from '../helpers/boot.js';
import type { BlockInfo, Outcome } from '../../src/model/core/types.js';
import {
  expectedLsmemRanges,
  hex16,
  lsmemJson,
  lsmemSummaryValue,
  lsmemTable,
  runLsmem,
} from '../helpers/lsmem.js';
import { GiB, twoNodeHotplugBox } from './machines.js';

const BLOCKS_PER_GIB = 8;

let machine: BootedMachine;
const roots: string[] = [];

beforeAll(async () => {
  runLsmem(['--version']);
  machine = await bootMachine(twoNodeHotplugBox(6, 4, 2), { engine: 'wasm' });
  await machine.checkInvariants();
});

afterAll(async () => {
  await machine?.close();
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** lsmem's STATE text for a block state. */
function lsmemState(state: BlockInfo['state']): string {
  return state === 'going-offline' ? 'on->off' : state;
}

/** Export the tree and check lsmem's table, JSON and totals against blocks(). */
async function checkLsmem(): Promise<BlockInfo[]> {
  const root = mkdtempSync(join(tmpdir(), 'pfnlab-lsmem-steps-'));
  roots.push(root);
  await machine.exportSysfs(root);
  const blocks = await machine.blocks();
  const blockBytes = machine.blockSizeBytes;
  const expected = expectedLsmemRanges(blocks);

  const rows = lsmemJson(root);
  expect(rows.map((row) => row.block)).toEqual(
    expected.map((want) => (want.firstId === want.lastId ? `${want.firstId}` : `${want.firstId}-${want.lastId}`)),
  );
  rows.forEach((row, i) => {
    const want = expected[i];
    const count = want.lastId - want.firstId + 1;
    expect(row.range).toBe(`${hex16(want.firstId * blockBytes)}-${hex16((want.lastId + 1) * blockBytes - 1)}`);
    expect(row.size).toBe(count * blockBytes);
    expect(row.state).toBe(lsmemState(want.state as BlockInfo['state']));
    expect(row.removable).toBe(want.state === 'online');
    expect(row.node).toBe(want.node);
    expect(row.zones).toBe(want.zones);
  });

  // The table prints the same ranges and cells (REMOVABLE as yes/no, blank when offline).
  const table = lsmemTable(root);
  expect(table).toEqual(
    rows.map((row) => [
      row.range,
      String(row.size),
      row.state,
      row.state === 'online' ? (row.removable ? 'yes' : 'no') : '',
      row.block,
      String(row.node),
      row.zones,
    ]),
  );

  const online = blocks.filter((b) => b.state === 'online').length;
  expect(lsmemSummaryValue(root, 'Total online memory:')).toBe(online * blockBytes);
  expect(lsmemSummaryValue(root, 'Total offline memory:')).toBe((blocks.length - online) * blockBytes);
  return blocks;
}

function expectOk(outcome: Outcome): void {
  expect(outcome.errno === undefined ? outcome.ok : `${outcome.errno}: ${outcome.message}`).toBe(true);
}

function blockIds(blocks: readonly BlockInfo[], keep: (block: BlockInfo) => boolean): number[] {
  return blocks.filter(keep).map((block) => block.id);
}

test('at boot, node 1 is one Movable range after node 0', async () => {
  const blocks = await checkLsmem();
  expect(blockIds(blocks, (b) => b.nids[0] === 1)).toEqual(Array.from({ length: 32 }, (_, i) => 64 + i));
});

test('after offline, the offline blocks are their own range, with the zones they could go to', async () => {
  expectOk(await machine.offlineBlocks({ firstBlockId: 72, lastBlockId: 79 }));
  await machine.checkInvariants();
  const blocks = await checkLsmem();
  expect(blockIds(blocks, (b) => b.state === 'offline')).toEqual([72, 73, 74, 75, 76, 77, 78, 79]);
  const rows = lsmemJson(roots.at(-1)!);
  expect(rows.find((row) => row.block === '72-79')).toMatchObject({ state: 'offline', removable: false, node: 1 });
});

test('after online, the onlined blocks merge back and the rest stay offline', async () => {
  expectOk(await machine.onlineBlocks({ firstBlockId: 72, lastBlockId: 75 }, 'online_movable'));
  await machine.checkInvariants();
  const blocks = await checkLsmem();
  expect(blockIds(blocks, (b) => b.state === 'offline')).toEqual([76, 77, 78, 79]);
  const rows = lsmemJson(roots.at(-1)!);
  expect(rows.find((row) => row.block === '64-75')).toMatchObject({ state: 'online', zones: 'Movable', node: 1 });
});

test('after offline_and_remove, the removed blocks are a hole that splits the ranges', async () => {
  expectOk(await machine.offlineAndRemoveMemory(10 * GiB, 1 * GiB));
  await machine.checkInvariants();
  const blocks = await checkLsmem();
  const ids = new Set(blocks.map((b) => b.id));
  for (let id = 10 * BLOCKS_PER_GIB; id < 11 * BLOCKS_PER_GIB; id++) expect(ids.has(id)).toBe(false);
  const rows = lsmemJson(roots.at(-1)!);
  expect(rows.map((row) => row.block)).toContain('88-95');
  expect(rows.some((row) => row.block.split('-').map(Number).some((id) => id >= 80 && id < 88))).toBe(false);
});

test('after add, the new blocks are offline, on node 1, with their candidate zones', async () => {
  expectOk(await machine.addMemory({ node: 1, base: 12 * GiB, size: 2 * GiB }));
  await machine.checkInvariants();
  const blocks = await checkLsmem();
  const added = blocks.filter((b) => b.id >= 12 * BLOCKS_PER_GIB);
  expect(added.map((b) => b.id)).toEqual(Array.from({ length: 16 }, (_, i) => 96 + i));
  for (const block of added) expect(block).toMatchObject({ state: 'offline', nids: [1], zone: null });
  const rows = lsmemJson(roots.at(-1)!);
  // Past every zone span of node 1, under movable_node: Movable first, then Normal (fact 6).
  expect(rows.find((row) => row.block === '96-111')).toMatchObject({ state: 'offline', node: 1, zones: 'Movable/Normal' });
});
