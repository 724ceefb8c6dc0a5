/**
 * The admin guide's rule of thumb for ZONE_MOVABLE (MOVABLE:KERNEL of 3:1 or
 * 4:1 is fine, 63:1 is impossible; Documentation/admin-guide/mm/
 * memory-hotplug.rst), reproduced by booting whole machines: a 1 TiB
 * two-node machine running a memory-hungry but ordinary workload (anon with
 * its page tables, page cache with its reclaimable slab, a little slab).
 *
 * - movable_node: the memmap of the hotpluggable node comes from the kernel
 *   node at boot, so 63:1 does not boot, and says why;
 * - hot-add without memmap_on_memory: the same memmap comes from kernel
 *   zones at each add, so adds start failing with ENOMEM;
 * - kernelcore=/movablecore=: each node's boot memmap sits at its top, inside
 *   ZONE_MOVABLE, so the memmap costs the kernel zones nothing and the ratio
 *   goes well past 63:1.
 */
import { describe, expect, test } from 'vitest';
import { PAGE_SIZE } from '../../src/contract/constants.js';
import { createMachine, gridKernelBytes, maxMovableRatio, probeMovableRatio, ratioMachine, type MovableRatioRequest } from '../../src/index.js';
import { ZONE_MOVABLE } from '../../src/model/core/mmzone.js';
import type { MachineSpec, WorkloadSpec } from '../../src/model/core/types.js';

const GiB = 2 ** 30;
const MiB = 2 ** 20;
const TiB = 2 ** 40;

/** 1 TiB of RAM on two bare-metal nodes (2 GiB blocks), the PCI hole at [2 GiB, 4 GiB). */
const MACHINE: MachineSpec = {
  e820: [
    { base: 0, size: 2 * GiB, type: 'usable' },
    { base: 2 * GiB, size: 2 * GiB, type: 'reserved' },
    { base: 4 * GiB, size: TiB - 2 * GiB, type: 'usable' },
  ],
  srat: [
    { node: 0, base: 0, size: 512 * GiB, enabled: true, hotpluggable: false, nonVolatile: false, populated: true },
    { node: 1, base: 512 * GiB, size: 514 * GiB, enabled: true, hotpluggable: false, nonVolatile: false, populated: true },
  ],
  reservations: [],
  blockSize: 'auto',
  hypervisor: false,
  slit: null,
  cmdline: '',
};

/** Memory-hungry but ordinary: 85% of memory is anon and page cache, 16 MiB of dentries and inodes per GiB of page cache. */
const ORDINARY: WorkloadSpec = {
  node: 'spread',
  anon: { share: 0.6 },
  file: { share: 0.25 },
  slabReclaimablePerFileGiB: 16 * MiB,
  slab: { share: 0.005 },
  placement: 'grouped',
  seed: 1,
};
/** The same, metadata-intensive: eight times the dentries and inodes per GiB of page cache. */
const METADATA: WorkloadSpec = { ...ORDINARY, slabReclaimablePerFileGiB: 128 * MiB };

const WASM = { engine: 'wasm' } as const;
const request = (vary: MovableRatioRequest['vary'], workload = ORDINARY): MovableRatioRequest => ({ machine: MACHINE, workload, vary });

describe('movable_node', () => {
  test('3:1 and 4:1 fit; 63:1 does not boot because the memmap does not fit in kernel memory', async () => {
    for (const ratio of [3, 4]) {
      const probe = await probeMovableRatio(request('movable_node'), ratio, WASM);
      expect(probe.fits, `${ratio}:1 ${probe.reason}`).toBe(true);
      expect(probe.ratio).toBeCloseTo(ratio, 1);
      expect(probe.kernelFreeBytes).toBeGreaterThan(0);
    }
    const probe = await probeMovableRatio(request('movable_node'), 63, WASM);
    expect(probe.fits).toBe(false);
    expect(probe.failure).toBe('boot');
    expect(probe.reason).toMatch(/the memmap does not fit in kernel memory/);
    expect(probe.reason).toMatch(/movable_node/);
    expect(probe.reason).toMatch(/memory map backing failed/);
  });

  test('maxMovableRatio lies between 4:1 and 63:1, lower for a metadata-intensive workload, and says what stops it', async () => {
    const ordinary = await maxMovableRatio(request('movable_node'), WASM);
    const metadata = await maxMovableRatio(request('movable_node', METADATA), WASM);
    expect(ordinary.ratio).toBeGreaterThan(4);
    expect(ordinary.ratio).toBeLessThan(63);
    expect(metadata.ratio).toBeGreaterThan(1);
    expect(metadata.ratio!).toBeLessThan(ordinary.ratio!);
    // The answer is one of its probes, which fit; the next grid point up did not.
    const best = ordinary.probes.find((p) => p.gridRatio === ordinary.gridRatio)!;
    expect(best.fits).toBe(true);
    const above = ordinary.probes.find((p) => Math.abs(p.gridRatio - (ordinary.gridRatio! + 0.25)) < 1e-9)!;
    expect(above.fits).toBe(false);
    expect(ordinary.limitedBy).toBe(`${above.gridRatio}:1 does not fit: ${above.reason}`);
    for (const probe of ordinary.probes) expect(probe.fits).toBe(probe.gridRatio <= ordinary.gridRatio!);
    // Deterministic: the same request boots the same probes and gives the same answer.
    expect(await maxMovableRatio(request('movable_node'), WASM)).toEqual(ordinary);
  }, 120_000);
});

describe('hot-add without memmap_on_memory', () => {
  test('3:1 and 4:1 fit; at 63:1 the adds start failing with ENOMEM once the memmap has used the kernel zones', async () => {
    for (const ratio of [3, 4]) {
      const probe = await probeMovableRatio(request('hotplug'), ratio, WASM);
      expect(probe.fits, `${ratio}:1 ${probe.reason}`).toBe(true);
    }
    const probe = await probeMovableRatio(request('hotplug'), 63, WASM);
    expect(probe.fits).toBe(false);
    expect(probe.failure).toBe('hot-add');
    expect(probe.reason).toMatch(/ENOMEM: no kernel memory left for the memmap/);
    // Earlier adds succeeded: they are what used the kernel zones up.
    expect(probe.movableBytes).toBeGreaterThan(64 * probe.kernelBytes / 2);
  });

  test('maxMovableRatio lies between 4:1 and 63:1; with memmap_on_memory the memmap no longer limits the adds', async () => {
    const result = await maxMovableRatio(request('hotplug'), WASM);
    expect(result.ratio).toBeGreaterThan(4);
    expect(result.ratio).toBeLessThan(63);
    const onMemory = await probeMovableRatio({ ...request('hotplug'), memmapOnMemory: true }, 63, WASM);
    expect(onMemory.failure).not.toBe('hot-add');
  }, 120_000);
});

describe('kernelcore= and movablecore=', () => {
  test('the boot memmap of the movable range lies in ZONE_MOVABLE, so 63:1 fits and the ratio goes past it', async () => {
    const kernelBytes = gridKernelBytes(TiB, 63);
    const plan = ratioMachine(MACHINE, 'kernelcore', kernelBytes);
    expect(plan.spec.cmdline).toBe(`kernelcore=${kernelBytes}`);
    const machine = await createMachine(plan.spec, WASM);
    try {
      let movablePresent = 0;
      let movableManaged = 0;
      for (const node of await machine.nodes()) {
        movablePresent += node.zones[ZONE_MOVABLE]!.presentPages;
        movableManaged += node.zones[ZONE_MOVABLE]!.managedPages;
      }
      // 64 bytes of struct page per 4 KiB page: most of the machine's memmap
      // is reserved inside ZONE_MOVABLE, present there but not managed.
      const memmapPages = (TiB / PAGE_SIZE) * 64 / PAGE_SIZE;
      expect(movablePresent - movableManaged).toBeGreaterThan(memmapPages * 0.9);
    } finally {
      await machine.close();
    }
    for (const vary of ['kernelcore', 'movablecore'] as const) {
      const probe = await probeMovableRatio(request(vary), 63, WASM);
      expect(probe.fits, `${vary} ${probe.reason}`).toBe(true);
      const movableNode = await probeMovableRatio(request('movable_node'), 63, WASM);
      expect(movableNode.fits).toBe(false);
    }
    const result = await maxMovableRatio(request('kernelcore'), WASM);
    expect(result.ratio).toBeGreaterThan(63);
  }, 120_000);
});

describe('bad requests', () => {
  test('an unknown route, a bad precision or a machine that does not boot as described is an error, not a probe', async () => {
    await expect(maxMovableRatio({ ...request('movable_node'), vary: 'zone_movable' as never }, WASM)).rejects.toThrow(/vary must be movable_node, movablecore, kernelcore, hotplug/);
    await expect(maxMovableRatio({ ...request('movable_node'), precision: 0 }, WASM)).rejects.toThrow(/precision must be a positive ratio step/);
    await expect(maxMovableRatio({ ...request('movable_node'), machine: { ...MACHINE, reservations: undefined as never } }, WASM)).rejects.toThrow(/reservations/);
    await expect(probeMovableRatio(request('movable_node'), -1, WASM)).rejects.toThrow(/non-negative/);
  });
});
