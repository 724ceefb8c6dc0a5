/**
 * SRAT nodes without boot RAM (empty hotpluggable slots) are possible but
 * memoryless and offline; their ranges are remembered for hot-add. Without an
 * SRAT the machine is one node 0.
 */
import { describe, expect, it } from 'vitest';
import { computeBootLayout } from '../../../src/model/boot/setup.js';
import { MemblockFlag } from '../../../src/model/boot/memblock.js';
import { GiB, machineFromNodes } from './machines.js';

describe('possible, online and memoryless nodes', () => {
  const spec = machineFromNodes([{ ranges: [[0, 2], [4, 66]] }, { ranges: [[66, 130]] }], 'movable_node');
  // Empty slot on node 2: SRAT says hotpluggable, e820 has no RAM there.
  spec.srat!.push({ node: 2, base: 256 * GiB, size: 128 * GiB, enabled: true, hotpluggable: true, nonVolatile: false, populated: false });
  const layout = computeBootLayout(spec);

  it('makes the empty-slot node possible but not online, with all-zero zones', () => {
    expect(layout.possibleNodes).toEqual([0, 1, 2]);
    expect(layout.onlineNodes).toEqual([0, 1]);
    const node2 = layout.nodes[2];
    expect(node2).toMatchObject({ nid: 2, hasMemory: false, hasNormalMemory: false, nodeStartPfn: 0, nodeSpannedPages: 0, nodePresentPages: 0, memmapPages: 0 });
    expect(node2.zones.every((z) => z.spannedPages === 0 && z.presentPages === 0 && z.managedPages === 0)).toBe(true);
    expect(layout.zoneMovablePfn[2]).toBe(0);
  });

  it('marks no memblock HOTPLUG for the empty slot and keeps its SRAT range', () => {
    expect(layout.memory.some((r) => (r.flags & MemblockFlag.HOTPLUG) !== 0)).toBe(false);
    expect(layout.sratRanges).toContainEqual({ nid: 2, base: 256 * GiB, size: 128 * GiB, populated: false, hotpluggable: true });
  });

  it('boots a machine without SRAT as one node 0 holding all RAM', () => {
    const single = computeBootLayout({ ...spec, srat: null });
    expect(single.possibleNodes).toEqual([0]);
    expect(single.onlineNodes).toEqual([0]);
    expect(single.nodes).toHaveLength(1);
    expect(single.nodes[0].nodePresentPages).toBe(128 * 262_144);
    expect(single.sratRanges).toEqual([]);
    expect(single.memory.every((r) => r.nid === 0)).toBe(true);
  });
});
