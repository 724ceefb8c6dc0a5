/**
 * managed = present − memblock.reserved pages in the zone, on a small machine
 * checked by hand: one node, RAM [0, 1 GiB), the kernel image at 16 MiB
 * (32 MiB), an initrd that starts and ends inside pages, and the boot memmap.
 */
import { describe, expect, it } from 'vitest';
import { computeBootLayout } from '../../../src/model/boot/setup.js';
import { GiB, MiB } from './machines.js';
import { ZONE_DMA, ZONE_DMA32, ZONE_MOVABLE, ZONE_NORMAL } from '../../../src/model/core/mmzone.js';

describe('managed pages at boot', () => {
  const layout = computeBootLayout({
    e820: [{ base: 0, size: GiB, type: 'usable' }],
    srat: null,
    reservations: [{ name: 'initrd', base: 100 * MiB + 100, size: 4096 }],
    blockSize: 'auto',
    hypervisor: false,
    slit: null,
    cmdline: '',
  });
  const zones = layout.nodes[0].zones;

  it('places the memmap (8 sections × 2 MiB) at the top of RAM', () => {
    expect(layout.nodes[0].memmapPages).toBe(4096);
    expect(layout.reserved.some((r) => r.base === GiB - 16 * MiB && r.size === 16 * MiB)).toBe(true);
  });

  it('spans DMA [0, 16 MiB) and DMA32 [16 MiB, 1 GiB), nothing above', () => {
    expect(layout.maxPfn).toBe(262_144);
    expect(zones[ZONE_DMA]).toMatchObject({ zoneStartPfn: 0, spannedPages: 4096, presentPages: 4096 });
    expect(zones[ZONE_DMA32]).toMatchObject({ zoneStartPfn: 4096, spannedPages: 258_048, presentPages: 258_048 });
    expect(zones[ZONE_NORMAL].spannedPages).toBe(0);
    expect(zones[ZONE_MOVABLE].spannedPages).toBe(0);
    // With no RAM above 4 GiB, DMA32 is the zone ZONE_MOVABLE would take from.
    expect(layout.movableZone).toBe(ZONE_DMA32);
  });

  it('leaves DMA fully managed (nothing reserved below 16 MiB)', () => {
    expect(zones[ZONE_DMA].managedPages).toBe(4096);
  });

  it('takes kernel image, initrd pages and memmap out of DMA32', () => {
    const kernelPages = (32 * MiB) / 4096; // 8192
    const initrdPages = 2; // [100 MiB + 100, 100 MiB + 4196) touches two pages
    const memmapPages = (16 * MiB) / 4096; // 4096
    expect(zones[ZONE_DMA32].managedPages).toBe(258_048 - kernelPages - initrdPages - memmapPages);
  });

  it('uses kernelcore to place a ZONE_MOVABLE inside DMA32 on a small machine', () => {
    const small = computeBootLayout({ ...layout.spec, cmdline: 'kernelcore=512M' });
    // Only DMA32 can give memory to ZONE_MOVABLE; 512 MiB of kernel memory ends at pfn 131072.
    expect(small.zoneMovablePfn).toEqual([131_072]);
    expect(small.nodes[0].zones[ZONE_DMA32]).toMatchObject({ zoneStartPfn: 4096, spannedPages: 131_072 - 4096 });
    expect(small.nodes[0].zones[ZONE_MOVABLE]).toMatchObject({ zoneStartPfn: 131_072, spannedPages: 131_072 });
    // The memmap at the top of RAM now sits in Movable.
    expect(small.nodes[0].zones[ZONE_MOVABLE].managedPages).toBe(131_072 - 4096);
  });
});
