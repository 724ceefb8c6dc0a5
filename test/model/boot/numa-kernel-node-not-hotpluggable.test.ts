/**
 * Fact 26: the node holding the kernel image (or any boot reservation) never
 * keeps MEMBLOCK_HOTPLUG, even when SRAT marks it; the whole node loses it.
 */
import { describe, expect, it } from 'vitest';
import { computeBootLayout } from '../../../src/model/boot/setup.js';
import { MemblockFlag } from '../../../src/model/boot/memblock.js';
import { fourNodeBox, GiB, gibPfn, MiB } from './machines.js';

function hotplugBytesOnNode(regions: { nid: number; flags: number; size: number }[], nid: number): number {
  return regions.filter((r) => r.nid === nid && (r.flags & MemblockFlag.HOTPLUG) !== 0).reduce((s, r) => s + r.size, 0);
}

describe('numa_clear_kernel_node_hotplug', () => {
  it('clears HOTPLUG on every range of the kernel node (both node 0 SRAT entries)', () => {
    const layout = computeBootLayout(fourNodeBox('movable_node', [true, true, true, true]));
    expect(hotplugBytesOnNode(layout.memory, 0)).toBe(0);
    expect(hotplugBytesOnNode(layout.memory, 1)).toBe(1024 * GiB);
    expect(layout.nodes[0].hotpluggable).toBe(false);
  });

  it('follows the kernel image to another node', () => {
    const spec = fourNodeBox('movable_node', [true, true, true, true]);
    spec.reservations = [{ name: 'kernel', base: 2050 * GiB + 16 * MiB, size: 32 * MiB }];
    const layout = computeBootLayout(spec);
    expect(layout.nodes.map((n) => n.hotpluggable)).toEqual([true, true, false, true]);
    // Node 2 is now the kernel node: no ZONE_MOVABLE there.
    expect(layout.zoneMovablePfn[2]).toBe(0);
    // Node 0's lowest hotpluggable region starts at pfn 0, which the kernel's
    // min-update reads as "unset": the next region (4 GiB) sets the start, so
    // DMA and DMA32 stay kernel zones on this hotpluggable node.
    expect(layout.zoneMovablePfn[0]).toBe(gibPfn(4));
    expect(layout.nodes[0].zones[1].presentPages).toBe(gibPfn(2) - 4096);
  });

  it('treats any boot reservation (not only the kernel) as making its node a kernel node', () => {
    const spec = fourNodeBox('movable_node', [true, true, true, true]);
    spec.reservations = [{ name: 'initrd', base: 3000 * GiB, size: 64 * MiB }];
    const layout = computeBootLayout(spec);
    // Default kernel image on node 0, initrd on node 2.
    expect(layout.nodes.map((n) => n.hotpluggable)).toEqual([false, true, false, true]);
  });
});
