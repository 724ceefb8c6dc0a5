/**
 * Hot-add to a node that had no memory at boot, then a plain `online`:
 * contig-zones puts a range past every zone span into Movable under
 * movable_node and into Normal without it (fact 6). The possible node comes
 * online with the add (a new pgdat) and gains N_MEMORY with the online.
 */
import { describe, expect, test } from 'vitest';
import { boot, expectOk, GiB, GIB_PAGES, MEMORY_DIR, NODE_DIR, nodeOf, readSysfs, twoNodeVm, zoneOf } from './helpers.js';

const SLOT_BASE = 10 * GiB;
const FIRST_BLOCK = 80; // 10 GiB / 128 MiB
const LAST_BLOCK = 87;

describe.each([
  ['movable_node', 'Movable', 'Movable Normal'],
  ['', 'Normal', 'Normal Movable'],
])('cmdline "%s"', (cmdline, zoneName, validZones) => {
  test(`a new node's first memory goes to ${zoneName} on a plain online`, async () => {
    const machine = await boot(twoNodeVm(cmdline));
    try {
      expect(await readSysfs(machine, `${NODE_DIR}/online`)).toBe('0-1\n');
      expect((await nodeOf(machine, 2)).online).toBe(false);

      expectOk(await machine.addMemory({ node: 2, base: SLOT_BASE, size: 1 * GiB }));
      await machine.checkInvariants();
      // The node is online (it has a pgdat and a sysfs directory) but has no memory yet.
      expect(await readSysfs(machine, `${NODE_DIR}/online`)).toBe('0-2\n');
      expect(await readSysfs(machine, `${NODE_DIR}/has_memory`)).toBe('0-1\n');
      expect(await readSysfs(machine, `${MEMORY_DIR}/memory${FIRST_BLOCK}/state`)).toBe('offline\n');
      expect(await readSysfs(machine, `${MEMORY_DIR}/memory${FIRST_BLOCK}/valid_zones`)).toBe(`${validZones}\n`);
      // Its directory: distance and the links of its 8 blocks.
      expect((await machine.sysfsList(`${NODE_DIR}/node2`))?.length).toBe(9);
      // One distance per online node (0-2), 10 to itself.
      expect(await readSysfs(machine, `${NODE_DIR}/node2/distance`)).toMatch(/^\d+ \d+ 10\n$/);

      expectOk(await machine.onlineBlocks({ firstBlockId: FIRST_BLOCK, lastBlockId: LAST_BLOCK }, 'online'));
      await machine.checkInvariants();
      for (const block of (await machine.blocks()).filter((b) => b.id >= FIRST_BLOCK)) {
        expect(block).toMatchObject({ state: 'online', zone: zoneName, nids: [2] });
      }
      const zone = await zoneOf(machine, 2, zoneName);
      expect(zone).toMatchObject({ zoneStartPfn: SLOT_BASE / 4096, spannedPages: GIB_PAGES, presentPages: GIB_PAGES, managedPages: GIB_PAGES, freePages: GIB_PAGES });
      // Hot-added memory is not boot memory: nothing counts as present early.
      expect(zone.presentEarlyPages).toBe(0);
      const node = await nodeOf(machine, 2);
      expect(node).toMatchObject({ online: true, hasMemory: true, hasNormalMemory: zoneName === 'Normal', nodePresentPages: GIB_PAGES });
      expect(await readSysfs(machine, `${NODE_DIR}/has_memory`)).toBe('0-2\n');
    } finally {
      await machine.close();
    }
  });
});
