/**
 * sysfs text of the memory root and of each block on booted machines:
 * docs/kernel-facts.md facts 1-5, 8 and 49.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { NO_ZONE, PAGES_PER_SECTION, SectionFlag, SECTION_WORD_NID_SHIFT, SECTION_WORD_ZONE_SHIFT } from '../../../src/contract/constants.js';
import { bootMachine, type BootedMachine } from '../../helpers/boot.js';
import { pfnToSectionNr } from '../../../src/model/boot/sparse.js';
import { fourNodeBox, GiB, pfn, singleNodeWithPciHole, TiB, vmEndingAt } from '../../helpers/machines.js';
import { ZONE_DMA, ZONE_DMA32, ZONE_MOVABLE, ZONE_NORMAL } from '../../../src/model/core/mmzone.js';

const MEMORY = '/sys/devices/system/memory';

async function read(machine: BootedMachine, path: string): Promise<string> {
  const result = await machine.sysfsRead(path);
  if (!result.ok) throw new Error(`${path}: ${result.errno} ${result.message}`);
  return result.value;
}

describe('a single node with the PCI hole (128 MiB blocks)', () => {
  let machine: BootedMachine;
  beforeAll(async () => {
    machine = await bootMachine(singleNodeWithPciHole(), { engine: 'reference' });
  });
  afterAll(() => machine?.close());

  test('fact 1: pfn 0x100000 is section 32, present, online, early, node 0, zone Normal', async () => {
    expect(pfnToSectionNr(0x100000)).toBe(32);
    expect(PAGES_PER_SECTION).toBe(32768);
    const shard = machine.shards.shardOfPfn(0x100000);
    expect(shard).toBeDefined();
    const [word] = await shard!.engine.readSections(32, 1);
    expect(word & 0xff).toBe(SectionFlag.PRESENT | SectionFlag.ONLINE | SectionFlag.EARLY);
    expect((word >>> SECTION_WORD_ZONE_SHIFT) & 0xff).toBe(ZONE_NORMAL);
    expect(word >>> SECTION_WORD_NID_SHIFT).toBe(0);
  });

  test('sections in the PCI hole are not present; section 0 takes the zone of its first page (DMA)', async () => {
    const shard = machine.shards.shardOfPfn(0)!;
    const words = await shard.engine.readSections(0, 33);
    // [3 GiB, 4 GiB) = sections 24..31 hold no memory.
    for (let s = 24; s < 32; s++) expect(words[s]).toBe(0);
    expect((words[0] >>> SECTION_WORD_ZONE_SHIFT) & 0xff).toBe(ZONE_DMA);
    for (let s = 1; s < 24; s++) expect((words[s] >>> SECTION_WORD_ZONE_SHIFT) & 0xff).toBe(ZONE_DMA32);
    expect((words[32] >>> SECTION_WORD_ZONE_SHIFT) & 0xff).not.toBe(NO_ZONE);
  });

  test('block_size_bytes is "8000000\\n" and read-only', async () => {
    expect(await read(machine, `${MEMORY}/block_size_bytes`)).toBe('8000000\n');
    const write = await machine.sysfsWrite(`${MEMORY}/block_size_bytes`, '10000000');
    expect(write).toMatchObject({ ok: false, errno: 'EACCES' });
    expect(await read(machine, `${MEMORY}/block_size_bytes`)).toBe('8000000\n');
  });

  test('fact 4: with 128 MiB blocks the block holding 4 GiB is memory32, phys_index "00000020\\n"', async () => {
    const block = (await machine.blocks()).find((b) => b.startPfn <= pfn(4 * GiB) && pfn(4 * GiB) < b.startPfn + b.nrPages);
    expect(block?.id).toBe(32);
    expect(await read(machine, `${MEMORY}/memory32/phys_index`)).toBe('00000020\n');
  });

  test('blocks exist exactly for present sections: 0-23 and 32-63, none in the hole', async () => {
    const ids = (await machine.blocks()).map((b) => b.id);
    expect(ids).toEqual([...Array.from({ length: 24 }, (_, i) => i), ...Array.from({ length: 32 }, (_, i) => 32 + i)]);
    expect(await machine.sysfsRead(`${MEMORY}/memory24/state`)).toMatchObject({ ok: false, errno: 'ENOENT' });
    const listing = await machine.sysfsList(MEMORY);
    expect(listing).toContain('block_size_bytes');
    expect(listing).toContain('auto_online_blocks');
    expect(listing?.filter((name) => name.startsWith('memory'))).toHaveLength(56);
  });

  test('fact 5: every block reads removable "1\\n" and phys_device "0\\n"', async () => {
    for (const block of await machine.blocks()) {
      expect(await read(machine, `${MEMORY}/memory${block.id}/removable`)).toBe('1\n');
      expect(await read(machine, `${MEMORY}/memory${block.id}/phys_device`)).toBe('0\n');
    }
  });

  test('phys_index is %08lx of the block id, state "online\\n", online "1\\n"', async () => {
    expect(await read(machine, `${MEMORY}/memory0/phys_index`)).toBe('00000000\n');
    expect(await read(machine, `${MEMORY}/memory63/phys_index`)).toBe('0000003f\n');
    expect(await read(machine, `${MEMORY}/memory63/state`)).toBe('online\n');
    expect(await read(machine, `${MEMORY}/memory63/online`)).toBe('1\n');
  });

  test('fact 8: a boot block in Normal reads "Normal\\n"; memory0 spans DMA and DMA32 and reads "none\\n"', async () => {
    expect(await read(machine, `${MEMORY}/memory40/valid_zones`)).toBe('Normal\n');
    expect(await read(machine, `${MEMORY}/memory5/valid_zones`)).toBe('DMA32\n');
    expect(await read(machine, `${MEMORY}/memory0/valid_zones`)).toBe('none\n');
    const blocks = await machine.blocks();
    expect(blocks.find((b) => b.id === 0)?.zone).toBe('none');
    expect(blocks.find((b) => b.id === 40)?.zone).toBe('Normal');
  });

  test('node links: memory<id>/node0 leads to the node, node0/memory<id> back to the block', async () => {
    expect(await machine.sysfsList(`${MEMORY}/memory7`)).toContain('node0');
    expect(await read(machine, `${MEMORY}/memory7/node0/memory7/phys_index`)).toBe('00000007\n');
    expect(await read(machine, '/sys/devices/system/node/node0/memory40/valid_zones')).toBe('Normal\n');
    expect(await machine.sysfsRead(`${MEMORY}/memory7/node0`)).toMatchObject({ ok: false, errno: 'EISDIR' });
    expect(await machine.sysfsRead(`${MEMORY}/memory7/node1`)).toMatchObject({ ok: false, errno: 'ENOENT' });
    expect(await machine.sysfsRead(`${MEMORY}/block_size_bytes/x`)).toMatchObject({ ok: false, errno: 'ENOTDIR' });
    expect(await read(machine, `${MEMORY}/memory7/../memory8/./phys_index`)).toBe('00000008\n');
  });

  test('node masks: possible, online, has_memory and has_normal_memory all "0\\n"', async () => {
    for (const name of ['possible', 'online', 'has_memory', 'has_normal_memory']) {
      expect(await read(machine, `/sys/devices/system/node/${name}`)).toBe('0\n');
    }
  });

  test('a block id with a leading zero is not a block', async () => {
    expect(await machine.sysfsRead(`${MEMORY}/memory07/state`)).toMatchObject({ ok: false, errno: 'ENOENT' });
  });
});

describe('block size probe', () => {
  test('fact 3: a VM whose RAM ends at 48 GiB uses 128 MiB blocks ("8000000\\n")', async () => {
    const machine = await bootMachine(vmEndingAt(48 * GiB), { engine: 'reference' });
    try {
      expect(await read(machine, `${MEMORY}/block_size_bytes`)).toBe('8000000\n');
    } finally {
      await machine.close();
    }
  });

  test('fact 3: a VM whose RAM ends at 1 TiB + 1 GiB uses 1 GiB blocks ("40000000\\n")', async () => {
    const machine = await bootMachine(vmEndingAt(TiB + GiB));
    try {
      expect(await read(machine, `${MEMORY}/block_size_bytes`)).toBe('40000000\n');
      const blocks = await machine.blocks();
      expect(blocks).toHaveLength(1025);
      expect(blocks.at(-1)?.id).toBe(1024);
    } finally {
      await machine.close();
    }
  });
});

describe('the 4-node 4 TiB box (2 GiB blocks)', () => {
  let machine: BootedMachine;
  beforeAll(async () => {
    machine = await bootMachine(fourNodeBox());
  });
  afterAll(() => machine?.close());

  test('fact 2: bare metal with boot RAM ending at 4098 GiB reads "80000000\\n"', async () => {
    expect(await read(machine, `${MEMORY}/block_size_bytes`)).toBe('80000000\n');
  });

  test('fact 4: the block holding 0x100000000 is memory2, phys_index "00000002\\n"', async () => {
    const blocks = await machine.blocks();
    const holder = blocks.find((b) => b.startPfn <= pfn(0x100000000) && pfn(0x100000000) < b.startPfn + b.nrPages);
    expect(holder?.id).toBe(2);
    expect(await read(machine, `${MEMORY}/memory2/phys_index`)).toBe('00000002\n');
  });

  test('2048 blocks: memory0, memory2..2048; memory1 (the PCI hole) does not exist', async () => {
    const blocks = await machine.blocks();
    expect(blocks).toHaveLength(2048);
    expect(blocks[0].id).toBe(0);
    expect(blocks[1].id).toBe(2);
    expect(blocks.at(-1)?.id).toBe(2048);
    expect(await machine.sysfsRead(`${MEMORY}/memory1/state`)).toMatchObject({ ok: false, errno: 'ENOENT' });
  });

  test('fact 8: memory0 ([0, 2 GiB), DMA + DMA32) reads "none\\n"; memory2 reads "Normal\\n"', async () => {
    expect(await read(machine, `${MEMORY}/memory0/valid_zones`)).toBe('none\n');
    expect(await read(machine, `${MEMORY}/memory2/valid_zones`)).toBe('Normal\n');
  });

  test('node links follow the SRAT: memory512 is node 0, memory513 node 1, memory2048 node 3', async () => {
    const blocks = await machine.blocks();
    const nidsOf = (id: number) => blocks.find((b) => b.id === id)?.nids;
    expect(nidsOf(512)).toEqual([0]);
    expect(nidsOf(513)).toEqual([1]);
    expect(nidsOf(1536)).toEqual([2]);
    expect(nidsOf(2048)).toEqual([3]);
    expect(await read(machine, '/sys/devices/system/node/node1/memory513/phys_index')).toBe('00000201\n');
    expect(await read(machine, '/sys/devices/system/node/online')).toBe('0-3\n');
  });

  test('one shard per node window', () => {
    expect(machine.shards.shards.map((s) => [s.startPfn, s.endPfn])).toEqual([
      [0, pfn(1026 * GiB)],
      [pfn(1026 * GiB), pfn(2050 * GiB)],
      [pfn(2050 * GiB), pfn(3074 * GiB)],
      [pfn(3074 * GiB), pfn(4098 * GiB)],
    ]);
  });
});

describe('fact 49: kernelcore=1001G on the 4-node box', () => {
  let machine: BootedMachine;
  beforeAll(async () => {
    machine = await bootMachine(fourNodeBox({ cmdline: 'kernelcore=1001G' }));
  });
  afterAll(() => machine?.close());

  test('ZONE_MOVABLE of node 0 starts at 252.25 GiB (pfn 66,125,824), inside memory126', async () => {
    const nodes = await machine.nodes();
    expect(nodes[0].zones[3].zoneStartPfn).toBe(66_125_824);
  });

  test('memory126 = [252, 254) GiB spans Normal and Movable: valid_zones "none\\n"', async () => {
    expect(await read(machine, `${MEMORY}/memory126/valid_zones`)).toBe('none\n');
    expect(await read(machine, `${MEMORY}/memory125/valid_zones`)).toBe('Normal\n');
    expect(await read(machine, `${MEMORY}/memory127/valid_zones`)).toBe('Movable\n');
  });

  test('node 1 movable starts at pfn 334,561,280 (1276.25 GiB): memory638 is "none", memory639 Movable', async () => {
    expect(await read(machine, `${MEMORY}/memory638/valid_zones`)).toBe('none\n');
    expect(await read(machine, `${MEMORY}/memory637/valid_zones`)).toBe('Normal\n');
    expect(await read(machine, `${MEMORY}/memory639/valid_zones`)).toBe('Movable\n');
  });

  test('fact 9 on a boot block: echo offline > memory126/state fails with EINVAL and changes nothing', async () => {
    const result = await machine.sysfsWrite(`${MEMORY}/memory126/state`, 'offline');
    expect(result).toMatchObject({ ok: false, errno: 'EINVAL' });
    expect(await read(machine, `${MEMORY}/memory126/state`)).toBe('online\n');
    expect(await read(machine, `${MEMORY}/memory126/online`)).toBe('1\n');
    const viaOnlineFile = await machine.sysfsWrite(`${MEMORY}/memory126/online`, '0');
    expect(viaOnlineFile).toMatchObject({ ok: false, errno: 'EINVAL' });
    expect(await read(machine, `${MEMORY}/memory126/state`)).toBe('online\n');
  });

  test('section zones follow the zone boundary inside memory126', async () => {
    const shard = machine.shards.shardOfPfn(66_125_824)!;
    // memory126 covers sections 2016..2031; ZONE_MOVABLE starts at 252.25 GiB = section 2018.
    const words = await shard.engine.readSections(2016, 16);
    const zones = Array.from(words, (w) => (w >>> SECTION_WORD_ZONE_SHIFT) & 0xff);
    expect(zones.slice(0, 2)).toEqual([ZONE_NORMAL, ZONE_NORMAL]);
    expect(zones.slice(2).every((z) => z === ZONE_MOVABLE)).toBe(true);
  });
});
