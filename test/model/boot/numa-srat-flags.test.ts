/**
 * Fact 27: an SRAT entry with Enabled=0 is ignored (no node, no memblock
 * flag); the non-volatile bit only changes the log line.
 */
import { describe, expect, it } from 'vitest';
import { computeBootLayout } from '../../../src/model/boot/setup.js';
import { MemblockFlag } from '../../../src/model/boot/memblock.js';
import { GiB, machineFromNodes } from './machines.js';

describe('SRAT entry flags', () => {
  const base = () =>
    machineFromNodes([{ ranges: [[0, 2], [4, 64]] }, { ranges: [[64, 128]] }], 'movable_node');

  it('ignores a disabled entry: no node, no HOTPLUG flag', () => {
    const spec = base();
    spec.srat!.push({ node: 2, base: 96 * GiB, size: 32 * GiB, enabled: false, hotpluggable: true, nonVolatile: false, populated: true });
    const layout = computeBootLayout(spec);
    expect(layout.possibleNodes).toEqual([0, 1]);
    expect(layout.memory.some((r) => (r.flags & MemblockFlag.HOTPLUG) !== 0)).toBe(false);
    expect(layout.sratRanges.map((r) => r.nid)).toEqual([0, 0, 1]);
    // The RAM under the disabled entry still belongs to node 1 (its enabled entry covers it).
    expect(layout.nodes[1].nodePresentPages).toBe(64 * 262_144);
  });

  it('changes nothing but the log line for a non-volatile entry', () => {
    const plain = computeBootLayout(base());
    const spec = base();
    spec.srat![2] = { ...spec.srat![2], nonVolatile: true };
    const nv = computeBootLayout(spec);
    expect(nv.nodes).toEqual(plain.nodes);
    expect(nv.memory).toEqual(plain.memory);
    expect(nv.warnings).toEqual(plain.warnings);
    expect(nv.log!.filter((l) => l.includes('non-volatile'))).toHaveLength(1);
    expect(plain.log!.some((l) => l.includes('non-volatile'))).toBe(false);
  });
});
