/**
 * Zonelists: the order in which the page allocator tries zones for a
 * request preferring one node (mm/page_alloc.c build_zonelists,
 * find_next_best_node). Since v4.14 the only order is by node: the preferred
 * node's zones, highest allowed zone first, then the next best node's, and
 * so on.
 *
 * Node order: the preferred node first, then by SLIT distance from it. Ties
 * go to nodes above the preferred one before nodes below it ("prefer the
 * next node"), then to the lower id. The kernel also favours nodes without
 * CPUs and spreads load between equal nodes with a per-build counter; the
 * model leaves both out, so its order is a pure function of the topology.
 */
import { LOCAL_DISTANCE, REMOTE_DISTANCE } from '../core/kernel.js';
import type { NodeState, ZoneState } from '../core/state.js';

/** node_distance(from, to): the SLIT entry, or 10 for the node itself and 20 otherwise. */
export function nodeDistance(slit: readonly (readonly number[])[] | null, from: number, to: number): number {
  const entry = slit?.[from]?.[to];
  if (typeof entry === 'number' && Number.isFinite(entry)) return entry;
  return from === to ? LOCAL_DISTANCE : REMOTE_DISTANCE;
}

/** `candidates` in the fallback order of a request preferring `preferredNid`. */
export function nodeOrder(
  slit: readonly (readonly number[])[] | null,
  preferredNid: number,
  candidates: readonly NodeState[],
): NodeState[] {
  const rank = (node: NodeState): [number, number, number] => [
    node.nid === preferredNid ? 0 : 1,
    nodeDistance(slit, preferredNid, node.nid),
    node.nid < preferredNid ? 1 : 0,
  ];
  return [...candidates].sort((a, b) => {
    const ra = rank(a);
    const rb = rank(b);
    return ra[0] - rb[0] || ra[1] - rb[1] || ra[2] - rb[2] || a.nid - b.nid;
  });
}

/**
 * The populated zones a request may use, in zonelist order: for each node of
 * `nodes` (already ordered), zones from `highestZoneIdx` down to DMA.
 */
export function zonelist(nodes: readonly NodeState[], highestZoneIdx: number): ZoneState[] {
  const zones: ZoneState[] = [];
  for (const node of nodes) {
    for (let zoneIdx = highestZoneIdx; zoneIdx >= 0; zoneIdx--) {
      const zone = node.zones[zoneIdx];
      if (zone !== undefined && zone.presentPages > 0) zones.push(zone);
    }
  }
  return zones;
}
