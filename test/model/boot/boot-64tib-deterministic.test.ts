/** A 64 TiB, 16-node machine boots, with the expected totals, and the layout is deterministic. */
import { describe, expect, it } from 'vitest';
import { computeBootLayout } from '../../../src/model/boot/setup.js';
import { machineFromNodes, type NodeRam } from './machines.js';
import { ZONE_MOVABLE } from '../../../src/model/core/mmzone.js';

function bigMachine(): ReturnType<typeof machineFromNodes> {
  // Node 0: [0, 2) + [4, 4096) GiB; nodes 1-15: 4 TiB each above it; nodes 8-15 hotpluggable.
  const nodes: NodeRam[] = [{ ranges: [[0, 2], [4, 4096]] }];
  for (let nid = 1; nid < 16; nid++) nodes.push({ ranges: [[nid * 4096, (nid + 1) * 4096]], hotpluggable: nid >= 8 });
  return machineFromNodes(nodes, 'movable_node');
}

describe('64 TiB, 16 nodes', () => {
  const first = computeBootLayout(bigMachine());

  it('boots with every node present and the memmap of hotpluggable nodes on kernel nodes', () => {
    expect(first.possibleNodes).toHaveLength(16);
    const totalPresent = first.nodes.reduce((s, n) => s + n.nodePresentPages, 0);
    expect(totalPresent).toBe((64 * 1024 - 2) * 262_144);
    expect(first.nodes.slice(8).every((n) => n.memmapPages === 0 && n.hotpluggable)).toBe(true);
    const memmapPages = first.nodes.reduce((s, n) => s + n.memmapPages, 0);
    // 1/64 of present memory, in 2 MiB pieces per section.
    expect(memmapPages).toBe(totalPresent / 64);
    for (let nid = 8; nid < 16; nid++) expect(first.nodes[nid].zones[ZONE_MOVABLE].presentPages).toBe(4096 * 262_144);
  });

  it('gives deep-equal layouts on two runs', () => {
    expect(computeBootLayout(bigMachine())).toEqual(first);
  });
});
