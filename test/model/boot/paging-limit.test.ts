/**
 * Where memory may end follows the paging mode, and boot and hot-add refuse
 * memory past it in the same words. With 4-level paging MAX_PHYSMEM_BITS is
 * 46 (64 TiB); with 5-level paging it is 52 (4 PiB), unless `no5lvl` turns
 * LA57 off (arch/x86/include/asm/sparsemem.h; mm/memory_hotplug.c
 * `mhp_range_allowed`, which fails the add with E2BIG).
 *
 * Each refusal below is compared with the others as text: the boot error
 * without its field prefix, and the hot-add outcome's message, for the same
 * range, must be the same string. The SRAT may describe a hotplug slot past
 * the limit (the kernel keeps such ranges for the node lookup of a later
 * hot-add); it is the add that fails. Each shard translates from the
 * direct-map base of its paging mode (PAGE_OFFSET, or the 5-level one).
 */
import { describe, expect, test } from 'vitest';
import { BootError } from '../../../src/model/core/errors.js';
import type { MachineSpec } from '../../../src/model/core/types.js';
import { computeBootLayout } from '../../../src/model/boot/setup.js';
import { BAD_ADDRESS, PAGE_OFFSET, PAGE_OFFSET_L5 } from '../../../src/contract/constants.js';
import { bootMachine, type BootedMachine } from '../../helpers/boot.js';
import { machineSpec, sratRange } from '../../helpers/machines.js';

const GiB = 2 ** 30;
const TiB = 2 ** 40;
const LIMIT_46 = 2 ** 46;
const LIMIT_52 = 2 ** 52;
/** Blocks are 128 MiB where boot RAM ends below 64 GiB (the machines hot-added to). */
const BLOCK = 128 * 2 ** 20;

/** A range of node `node`; an unpopulated one is a hotplug slot. */
const srat = (node: number, base: number, size: number, populated = true) => sratRange(node, base, size, { populated, hotpluggable: !populated });

/**
 * Node 0 [0, 4 GiB); node 1 `highRam` (RAM at boot) when given; node 2 an
 * empty slot from 65 TiB to 4 PiB. Hot-adds go to node 2, a possible node,
 * on either side of 2^46.
 */
function machine(paging: 4 | 5, cmdline: string, highRam?: { base: number; size: number }): MachineSpec {
  const e820: MachineSpec['e820'] = [{ base: 0, size: 4 * GiB, type: 'usable' }];
  const entries = [srat(0, 0, 4 * GiB)];
  if (highRam !== undefined) {
    e820.push({ ...highRam, type: 'usable' });
    entries.push(srat(1, highRam.base, highRam.size));
  }
  entries.push(srat(2, LIMIT_46 + TiB, LIMIT_52 - (LIMIT_46 + TiB), false));
  return machineSpec(e820, entries, { cmdline, paging });
}

/** The boot's refusal, without the field it names. */
function bootRefusal(spec: MachineSpec): string {
  let error: unknown;
  try {
    computeBootLayout(spec);
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(BootError);
  const { field, message } = error as BootError;
  expect(field).toBe('e820');
  return message.slice(`${field}: `.length);
}

/** Boot `spec` (RAM below the limit), hot-add `[base, base + size)` to node 2, and return the outcome. */
async function addOn(spec: MachineSpec, base: number, size: number): Promise<{ ok: boolean; errno?: string; message?: string }> {
  const booted = await bootMachine(spec);
  try {
    const outcome = await booted.addMemory({ node: 2, base, size });
    if (outcome.ok) {
      await booted.checkInvariants();
      const block = await booted.sysfsRead(`/sys/devices/system/memory/memory${base / BLOCK}/phys_index`);
      expect(block).toEqual({ ok: true, value: `${(base / BLOCK).toString(16).padStart(8, '0')}\n` });
    }
    return outcome;
  } finally {
    await booted.close();
  }
}

const HIGH = { base: LIMIT_46, size: GiB };
const HIGH_TEXT = '[0x400000000000, 0x400040000000) ends above the direct map (0x400000000000, MAX_PHYSMEM_BITS 46 with 4-level paging';

describe('4-level paging: 2^46 bytes, at boot and at hot-add alike', () => {
  test('boot refuses RAM above 2^46 on a 4-level machine (the default) and on a 5-level one booted with no5lvl, in one message', () => {
    const fourLevel = bootRefusal(machine(4, '', HIGH));
    const { paging: _, ...byDefault } = machine(4, '', HIGH);
    const no5lvl = bootRefusal(machine(5, 'no5lvl', HIGH));
    expect(fourLevel.startsWith(HIGH_TEXT)).toBe(true);
    expect(bootRefusal(byDefault)).toBe(fourLevel);
    expect(no5lvl).toBe(fourLevel);
  });

  test('hot-add above 2^46 fails with E2BIG and the boot message, with either machine', async () => {
    const boot = bootRefusal(machine(4, '', HIGH));
    const fourLevel = await addOn(machine(4, ''), HIGH.base, HIGH.size);
    const no5lvl = await addOn(machine(5, 'no5lvl'), HIGH.base, HIGH.size);
    expect(fourLevel).toMatchObject({ ok: false, errno: 'E2BIG' });
    expect(no5lvl).toMatchObject({ ok: false, errno: 'E2BIG' });
    expect(fourLevel.message).toBe(boot);
    expect(no5lvl.message).toBe(boot);
  });

  test('a range that straddles 2^46 is refused whole, in the same words at boot and at hot-add', async () => {
    const straddle = { base: LIMIT_46 - GiB, size: 2 * GiB };
    const boot = bootRefusal(machine(4, '', straddle));
    expect(boot.startsWith('[0x3fffc0000000, 0x400040000000) ends above the direct map')).toBe(true);
    const added = await addOn(machine(4, ''), straddle.base, straddle.size);
    expect(added).toMatchObject({ ok: false, errno: 'E2BIG', message: boot });
  });

  test('memory ending exactly at 2^46 is accepted, at boot and at hot-add', async () => {
    const atLimit = { base: LIMIT_46 - GiB, size: GiB };
    const layout = computeBootLayout(machine(4, '', atLimit));
    expect(layout.pagingLevels).toBe(4);
    expect(layout.maxPfn).toBe(LIMIT_46 / 4096);
    expect(await addOn(machine(4, ''), LIMIT_46 - 2 * GiB, 2 * GiB)).toMatchObject({ ok: true });
  });
});

describe('5-level paging: 2^52 bytes', () => {
  test('boot places RAM above 2^46 where it is', async () => {
    const booted = await bootMachine(machine(5, '', HIGH));
    try {
      expect(booted.pagingLevels).toBe(5);
      const node1 = (await booted.nodes()).find((n) => n.nid === 1)!;
      expect(node1).toMatchObject({ nodeStartPfn: LIMIT_46 / 4096, nodePresentPages: GiB / 4096 });
      // Boot RAM ends past 64 GiB, so the x86 probe picks 2 GiB blocks: node 1 is half of memory32768.
      expect(booted.blockSizeBytes).toBe(2 * GiB);
      const blocks = (await booted.blocks()).filter((b) => b.nids.includes(1));
      expect(blocks.map((b) => [b.id, b.state])).toEqual([[LIMIT_46 / (2 * GiB), 'online']]);
      await booted.checkInvariants();
    } finally {
      await booted.close();
    }
  });

  test('hot-add above 2^46 succeeds, up to the last block below 2^52', async () => {
    expect(await addOn(machine(5, ''), HIGH.base, HIGH.size)).toMatchObject({ ok: true });
    expect(await addOn(machine(5, ''), LIMIT_52 - GiB, GiB)).toMatchObject({ ok: true });
  });

  test('past 2^52 boot and hot-add refuse in one message, naming 52 bits', async () => {
    const top = { base: LIMIT_52 - BLOCK, size: 2 * BLOCK };
    const boot = bootRefusal(machine(5, '', top));
    expect(boot).toBe('[0xffffff8000000, 0x10000008000000) ends above the direct map (0x10000000000000, MAX_PHYSMEM_BITS 52 with 5-level paging)');
    const added = await addOn(machine(5, ''), top.base, top.size);
    expect(added).toMatchObject({ ok: false, errno: 'E2BIG', message: boot });
  });
});

describe('the direct map', () => {
  /** virt_to_phys, on the shard holding `pfn`, of its direct-map address with `base`. */
  async function translate(booted: BootedMachine, pfn: number, base: bigint): Promise<bigint> {
    const engine = booted.shards.shardOfPfn(pfn)!.engine;
    const { out } = await engine.virtToPhys(BigUint64Array.of(base + BigInt(pfn) * 4096n + 123n));
    return out[0]!;
  }

  test('5-level shards translate from the 5-level base, boot and hot-added alike; 4-level ones from PAGE_OFFSET', async () => {
    const five = await bootMachine(machine(5, '', HIGH));
    try {
      const highPfn = LIMIT_46 / 4096 + 77;
      expect(await translate(five, highPfn, PAGE_OFFSET_L5)).toBe(BigInt(highPfn) * 4096n + 123n);
      // The 4-level base has wrapped past 2^64 this high: nothing there is a direct-map address.
      expect(await translate(five, highPfn, PAGE_OFFSET)).toBe(BAD_ADDRESS);
      const added = await five.addMemory({ node: 2, base: 2 * LIMIT_46, size: 2 * GiB });
      expect(added).toMatchObject({ ok: true });
      const addedPfn = (2 * LIMIT_46) / 4096 + 5;
      expect(await translate(five, addedPfn, PAGE_OFFSET_L5)).toBe(BigInt(addedPfn) * 4096n + 123n);
    } finally {
      await five.close();
    }

    const four = await bootMachine(machine(4, ''));
    try {
      const lowPfn = (2 * GiB) / 4096 + 9;
      expect(await translate(four, lowPfn, PAGE_OFFSET)).toBe(BigInt(lowPfn) * 4096n + 123n);
    } finally {
      await four.close();
    }
  });
});
