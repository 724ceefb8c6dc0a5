/**
 * Machine.blockPageblocks: one memory block's pageblocks, with the class
 * mask and tag of each. The masks agree with the block's class counts (a
 * class is in some pageblock exactly when the block has pages of it), the
 * WASM engine, its workers and the reference answer alike, and a block id
 * that names no block is refused with EINVAL and changes nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { NR_PAGE_CLASSES, PAGES_PER_PAGEBLOCK } from '../../../src/contract/constants.js';
import { createMachine, parseScenario, type Machine } from '../../../src/index.js';

const file = join(import.meta.dirname, '../../../scenarios/small-vm.yaml');

async function filled(options: Parameters<typeof createMachine>[1]): Promise<Machine> {
  const machine = await createMachine(parseScenario(readFileSync(file, 'utf8'), file), options);
  const outcome = await machine.workload({ node: 'spread', anon: { share: 0.4 }, file: { share: 0.2 }, slab: { share: 0.03 }, placement: 'fragmented', seed: 7 });
  expect(outcome.ok).toBe(true);
  return machine;
}

test('pageblock masks agree with class counts, on every engine', async () => {
  const machines = [await filled({}), await filled({ engine: 'reference' }), await filled({ worker: true })];
  try {
    const views = [];
    for (const machine of machines) {
      const blocks = await machine.blocks();
      const counts = await machine.blockClassCounts();
      const inside = [];
      for (const [i, block] of blocks.entries()) {
        const got = await machine.blockPageblocks(block.id);
        if (!('classes' in got)) throw new Error(`memory${block.id}: ${got.message}`);
        expect(got.classes.length).toBe(block.nrPages / PAGES_PER_PAGEBLOCK);
        expect(got.startPfn).toBe(block.startPfn);
        const union = got.classes.reduce((acc, mask) => acc | mask, 0);
        for (let cls = 0; cls < NR_PAGE_CLASSES; cls++) {
          expect((union & (1 << cls)) !== 0, `memory${block.id} class ${cls}`).toBe(counts[i]![cls]! > 0);
        }
        expect(got.classes.every((mask) => mask !== 0)).toBe(true);
        inside.push(got);
      }
      // The workload mixed classes inside pageblocks somewhere.
      expect(inside.some((b) => b.classes.some((mask) => (mask & (mask - 1)) !== 0))).toBe(true);
      views.push(inside);
    }
    expect(views[1]).toEqual(views[0]);
    expect(views[2]).toEqual(views[0]);
  } finally {
    await Promise.all(machines.map((m) => m.close()));
  }
});

test('a block id that names no block is refused with EINVAL and changes nothing', async () => {
  const machine = await filled({});
  try {
    const before = await machine.zoneinfo();
    for (const id of [-1, 1e9, 0.5, Number.NaN]) {
      const got = await machine.blockPageblocks(id);
      expect(got).toMatchObject({ ok: false, errno: 'EINVAL' });
      expect('message' in got && got.message).toMatch(/^blockId: no memory block/);
    }
    expect(await machine.zoneinfo()).toBe(before);
    await machine.checkInvariants();
  } finally {
    await machine.close();
  }
});
