/**
 * MAX_PHYSMEM_BITS follows the paging mode: 46 bits (64 TiB) with 4-level
 * paging, 52 bits (4 PiB) with 5-level paging (`machine.paging: 5`), and
 * `no5lvl` on the command line goes back to 4 levels. Boot and hot-add apply
 * the same limit with the same message (arch/x86/include/asm/sparsemem.h,
 * mm/memory_hotplug.c `check_hotplug_memory_addressable`).
 */
import { describe, expect, test } from 'vitest';
import { BootError } from '../../../src/model/core/errors.js';
import type { MachineSpec } from '../../../src/model/core/types.js';
import { computeBootLayout } from '../../../src/model/boot/setup.js';
import { BAD_ADDRESS, PAGE_OFFSET, PAGE_OFFSET_L5 } from '../../../src/contract/constants.js';
import { bootMachine } from '../../helpers/boot.js';

const GiB = 2 ** 30;
const TiB = 2 ** 40;

/** Node 0 low, node 1 at `base` (1 GiB of RAM), node 2 an empty slot above it. */
function machine(base: number, paging: 4 | 5 | undefined, cmdline = ''): MachineSpec {
  return {
    e820: [
      { base: 0, size: 4 * GiB, type: 'usable' },
      { base, size: GiB, type: 'usable' },
    ],
    srat: [
      { node: 0, base: 0, size: 4 * GiB, enabled: true, hotpluggable: false, nonVolatile: false, populated: true },
      { node: 1, base, size: GiB, enabled: true, hotpluggable: false, nonVolatile: false, populated: true },
      { node: 2, base: base + 64 * TiB, size: 64 * TiB, enabled: true, hotpluggable: true, nonVolatile: false, populated: false },
    ],
    reservations: [],
    blockSize: 'auto',
    hypervisor: false,
    slit: null,
    cmdline,
    ...(paging === undefined ? {} : { paging }),
  };
}

function bootMessage(spec: MachineSpec): string {
  try {
    computeBootLayout(spec);
  } catch (err) {
    expect(err).toBeInstanceOf(BootError);
    return (err as BootError).message;
  }
  throw new Error('the machine booted');
}

const ABOVE_46 = 2 ** 46; // RAM at 64 TiB: past 4-level paging

describe('boot', () => {
  test('4-level paging (the default) refuses RAM above 2^46 bytes', () => {
    expect(bootMessage(machine(ABOVE_46, undefined))).toContain(
      '[0x400000000000, 0x400040000000) ends above the direct map (0x400000000000, MAX_PHYSMEM_BITS 46 with 4-level paging',
    );
    expect(bootMessage(machine(ABOVE_46, 4))).toContain('MAX_PHYSMEM_BITS 46');
  });

  test('5-level paging boots it, and places the node where it is', async () => {
    const layout = computeBootLayout(machine(ABOVE_46, 5));
    expect(layout.pagingLevels).toBe(5);
    const booted = await bootMachine(machine(ABOVE_46, 5));
    const node1 = (await booted.nodes()).find((n) => n.nid === 1)!;
    expect(node1.nodeStartPfn).toBe(ABOVE_46 / 4096);
    expect(node1.nodePresentPages).toBe(GiB / 4096);
    await booted.close();
  });

  test('no5lvl turns 5-level paging off again', () => {
    expect(bootMessage(machine(ABOVE_46, 5, 'no5lvl'))).toContain('MAX_PHYSMEM_BITS 46 with 4-level paging');
  });

  test('5-level paging still stops at 2^52 bytes', () => {
    expect(bootMessage(machine(2 ** 52, 5))).toContain('MAX_PHYSMEM_BITS 52 with 5-level paging');
  });
});

describe('hot-add', () => {
  test('4-level paging refuses a range ending above 2^46 with the boot message', async () => {
    const booted = await bootMachine(machine(TiB, 4));
    const outcome = await booted.addMemory({ node: 2, base: ABOVE_46, size: 2 * GiB });
    expect(outcome).toMatchObject({ ok: false, errno: 'E2BIG' });
    // The same words boot uses for RAM at [2^46, 2^46 + 2 GiB).
    const boot = bootMessage({ ...machine(ABOVE_46, 4), e820: [{ base: 0, size: 4 * GiB, type: 'usable' }, { base: ABOVE_46, size: 2 * GiB, type: 'usable' }] });
    expect(boot.endsWith(outcome.message!)).toBe(true);
    await booted.close();
  });

  test('5-level paging accepts the same range', async () => {
    const booted = await bootMachine(machine(TiB, 5));
    const outcome = await booted.addMemory({ node: 2, base: ABOVE_46 + 64 * TiB - 2 * GiB, size: 2 * GiB });
    expect(outcome).toMatchObject({ ok: true });
    await booted.checkInvariants();
    await booted.close();
  });
});

describe('the direct map', () => {
  /** virt_to_phys, on the shard holding `pfn`, of its direct-map address with `base`. */
  async function translate(booted: Awaited<ReturnType<typeof bootMachine>>, pfn: number, base: bigint): Promise<bigint> {
    const engine = booted.shards.shardOfPfn(pfn)!.engine;
    const { out } = await engine.virtToPhys(BigUint64Array.of(base + BigInt(pfn) * 4096n + 123n));
    return out[0]!;
  }

  test('5-level shards translate from the 5-level base, boot and hot-added alike; 4-level ones from PAGE_OFFSET', async () => {
    const five = await bootMachine(machine(ABOVE_46, 5));
    const highPfn = ABOVE_46 / 4096 + 77;
    expect(await translate(five, highPfn, PAGE_OFFSET_L5)).toBe(BigInt(highPfn) * 4096n + 123n);
    // The 4-level base has wrapped past 2^64 this high: nothing there is a direct-map address.
    expect(await translate(five, highPfn, PAGE_OFFSET)).toBe(BAD_ADDRESS);
    const added = await five.addMemory({ node: 2, base: ABOVE_46 + 64 * TiB, size: 2 * GiB });
    expect(added).toMatchObject({ ok: true });
    const addedPfn = (ABOVE_46 + 64 * TiB) / 4096 + 5;
    expect(await translate(five, addedPfn, PAGE_OFFSET_L5)).toBe(BigInt(addedPfn) * 4096n + 123n);
    await five.close();

    const four = await bootMachine(machine(TiB, 4));
    expect(await translate(four, TiB / 4096 + 9, PAGE_OFFSET)).toBe(BigInt(TiB / 4096 + 9) * 4096n + 123n);
    await four.close();
  });
});

