/**
 * numa_cleanup_meminfo: ranges of different nodes must not overlap; ranges of
 * one node merge when no other node's range lies between them.
 */
import { describe, expect, it } from 'vitest';
import { computeBootLayout } from '../../../src/model/boot/setup.js';
import { GiB, machineFromNodes } from './machines.js';
import { BootError } from '../../../src/model/core/errors.js';

describe('SRAT range cleanup', () => {
  it('rejects overlapping ranges of two nodes with a BootError on srat', () => {
    const spec = machineFromNodes([{ ranges: [[0, 2], [4, 40]] }, { ranges: [[40, 80]] }]);
    spec.srat![1] = { ...spec.srat![1], size: 38 * GiB }; // node 0 now [4, 42) GiB, node 1 [40, 80)
    let caught: unknown;
    try {
      computeBootLayout(spec);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(BootError);
    expect((caught as BootError).field).toBe('srat');
    expect((caught as BootError).message).toMatch(/node 0 .* overlaps with node 1/);
  });

  it('merges the two ranges of node 0 across the PCI hole into one node extent', () => {
    const layout = computeBootLayout(machineFromNodes([{ ranges: [[0, 2], [4, 40]] }, { ranges: [[40, 80]] }]));
    expect(layout.log!.some((l) => /NUMA: Node 0 .* \+ .* ->/.test(l))).toBe(true);
    expect(layout.nodes[0]).toMatchObject({ nodeStartPfn: 0, nodeSpannedPages: 40 * 262_144, nodePresentPages: 38 * 262_144 });
  });

  it('does not merge ranges of one node when another node lies between them', () => {
    // Node 0 at [0, 2) and [64, 96); node 1 in between at [4, 64).
    const layout = computeBootLayout(machineFromNodes([{ ranges: [[0, 2], [64, 96]] }, { ranges: [[4, 64]] }]));
    expect(layout.log!.some((l) => l.startsWith('NUMA: Node 0'))).toBe(false);
    // Node spans may interleave; each node counts only its own memory as present.
    expect(layout.nodes[0]).toMatchObject({ nodeStartPfn: 0, nodeSpannedPages: 96 * 262_144, nodePresentPages: 34 * 262_144 });
    expect(layout.nodes[1]).toMatchObject({ nodeStartPfn: 4 * 262_144, nodePresentPages: 60 * 262_144 });
  });

  it('falls back to one node when SRAT leaves RAM without a node', () => {
    const spec = machineFromNodes([{ ranges: [[0, 2], [4, 40]] }, { ranges: [[40, 80]] }]);
    spec.srat!.pop(); // node 1's RAM is now uncovered
    const layout = computeBootLayout(spec);
    expect(layout.possibleNodes).toEqual([0]);
    expect(layout.nodes[0].nodePresentPages).toBe(78 * 262_144);
    expect(layout.warnings.some((w) => /no nodes coverage/.test(w))).toBe(true);
  });
});
