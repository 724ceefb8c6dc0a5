/**
 * Zonelists: the order in which the page allocator tries zones for a
 * request preferring one node (mm/page_alloc.c `build_zonelists`,
 * `find_next_best_node`, `__build_all_zonelists`). Since v4.14 the only
 * order is by node: the preferred node's zones, highest allowed zone first,
 * then the next best node's, and so on.
 *
 * Node order, as the kernel builds it for node L (docs/kernel-facts.md,
 * facts 66 and 67):
 * 1. L itself, if it has memory;
 * 2. then, repeatedly, the unused node n with memory that minimises
 *    `(distance(L, n) + [n < L] + [n has CPUs]) * MAX_NUMNODES + node_load[n]`,
 *    the lowest id winning a tie ("prefer the next node", and nodes without
 *    CPUs, which nobody else allocates from first);
 * 3. each time the distance changes from the previous pick, the picked node's
 *    `node_load` grows by one, so that equal-distance groups are entered at a
 *    different node by different nodes.
 * `node_load` is zeroed once per rebuild and shared by the builds of every
 * node, made in node-id order: the order of one node depends on the builds
 * before it. Within one build the loads of the nodes still to pick do not
 * change, so a build is one sort rather than a scan per pick, and a machine
 * of 1024 nodes rebuilds in milliseconds.
 */
import { LOCAL_DISTANCE, MAX_NUMNODES, REMOTE_DISTANCE } from '../core/kernel.js';
import { zonePopulation, type NodeState, type ZoneState } from '../core/state.js';

/** node_distance(from, to): the SLIT entry, or 10 for the node itself and 20 otherwise. */
export function nodeDistance(slit: readonly (readonly number[])[] | null, from: number, to: number): number {
  const entry = slit?.[from]?.[to];
  if (typeof entry === 'number' && Number.isFinite(entry)) return entry;
  return from === to ? LOCAL_DISTANCE : REMOTE_DISTANCE;
}

/** What `build_all_zonelists` needs to know of a possible node. */
export interface ZonelistNode {
  nid: number;
  /** N_MEMORY: only such nodes appear in anyone's zonelist. */
  hasMemory: boolean;
  /** The node has CPUs (PENALTY_FOR_NODE_WITH_CPUS applies). */
  hasCpus: boolean;
}

/** PENALTY_FOR_NODE_WITH_CPUS (include/linux/topology.h). */
const PENALTY_FOR_NODE_WITH_CPUS = 1;

/**
 * `__build_all_zonelists`: the fallback node order of every possible node,
 * built in ascending node id with one shared `node_load`.
 */
export function buildNodeOrders(slit: readonly (readonly number[])[] | null, nodes: readonly ZonelistNode[]): Map<number, number[]> {
  const possible = [...nodes].sort((a, b) => a.nid - b.nid);
  const withMemory = possible.filter((n) => n.hasMemory);
  const load = new Map<number, number>(possible.map((n) => [n.nid, 0]));
  const orders = new Map<number, number[]>();
  for (const local of possible) {
    const order: number[] = [];
    if (local.hasMemory) order.push(local.nid);
    const key = (n: ZonelistNode): number =>
      (nodeDistance(slit, local.nid, n.nid) + (n.nid < local.nid ? 1 : 0) + (n.hasCpus ? PENALTY_FOR_NODE_WITH_CPUS : 0)) *
        MAX_NUMNODES +
      (load.get(n.nid) ?? 0);
    const rest = withMemory.filter((n) => n.nid !== local.nid).map((n) => ({ nid: n.nid, key: key(n) }));
    rest.sort((a, b) => a.key - b.key || a.nid - b.nid);
    order.push(...rest.map((n) => n.nid));
    let previous = local.nid;
    for (const nid of order) {
      if (nodeDistance(slit, local.nid, nid) !== nodeDistance(slit, local.nid, previous)) load.set(nid, (load.get(nid) ?? 0) + 1);
      previous = nid;
    }
    orders.set(local.nid, order);
  }
  return orders;
}

/**
 * `candidates` in the fallback order of `preferredNid`, as given by the
 * machine's current zonelists (`order`); candidates the order does not
 * list keep their relative order at the end.
 *
 * Every allocation asks, with the same order and (until a node gains or
 * loses memory) the same candidates, so the last answer for each order
 * array is kept: a machine of 1024 nodes then pays one comparison of the
 * candidates per request, not a sort. The answer is shared and frozen.
 */
export function inNodeOrder<T extends { nid: number }>(order: readonly number[], candidates: readonly T[]): T[] {
  const last = lastInNodeOrder.get(order);
  if (last !== undefined && sameItems(last.candidates, candidates)) return last.sorted as T[];
  const rank = new Map<number, number>();
  order.forEach((nid, i) => rank.set(nid, i));
  const sorted = Object.freeze([...candidates].sort((a, b) => (rank.get(a.nid) ?? Infinity) - (rank.get(b.nid) ?? Infinity) || a.nid - b.nid));
  lastInNodeOrder.set(order, { candidates: Object.freeze([...candidates]), sorted });
  return sorted as T[];
}

/** The last {@link inNodeOrder} answer per order array (the machine keeps one per node until a rebuild). */
const lastInNodeOrder = new WeakMap<readonly number[], { candidates: readonly unknown[]; sorted: readonly { nid: number }[] }>();

function sameItems(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The populated zones a request may use, in zonelist order: for each node of
 * `nodes` (already ordered), zones from `highestZoneIdx` down to DMA.
 *
 * For a frozen node list (an {@link inNodeOrder} answer, shared across
 * requests) the answer is kept per `highestZoneIdx` with the zones that
 * were populated, and given again while no zone's population can have
 * changed (core/state.ts `zonePopulation`), or, after a change, while the
 * same zones are still populated: no allocation, and no pass over the zones
 * of a 1024-node machine per request. That answer is shared and frozen.
 */
export function zonelist(nodes: readonly NodeState[], highestZoneIdx: number): ZoneState[] {
  if (!Object.isFrozen(nodes)) return buildZonelist(nodes, highestZoneIdx).zones;
  let byHighest = lastZonelists.get(nodes);
  const last = byHighest?.get(highestZoneIdx);
  const population = zonePopulation();
  if (last !== undefined && last.population === population) return last.zones as ZoneState[];
  if (last !== undefined && samePopulated(nodes, highestZoneIdx, last.populated)) {
    last.population = population;
    return last.zones as ZoneState[];
  }
  const { zones, populated } = buildZonelist(nodes, highestZoneIdx);
  if (byHighest === undefined) {
    byHighest = new Map();
    lastZonelists.set(nodes, byHighest);
  }
  const frozen = Object.freeze(zones);
  byHighest.set(highestZoneIdx, { population, populated, zones: frozen });
  return frozen as ZoneState[];
}

function buildZonelist(nodes: readonly NodeState[], highestZoneIdx: number): { zones: ZoneState[]; populated: boolean[] } {
  const zones: ZoneState[] = [];
  const populated: boolean[] = [];
  for (const node of nodes) {
    for (let zoneIdx = highestZoneIdx; zoneIdx >= 0; zoneIdx--) {
      const zone = node.zones[zoneIdx];
      const isPopulated = zone !== undefined && zone.presentPages > 0;
      populated.push(isPopulated);
      if (isPopulated) zones.push(zone);
    }
  }
  return { zones, populated };
}

/** The last {@link zonelist} answer per node list and highest zone, with the populated flags it was built from. */
const lastZonelists = new WeakMap<readonly NodeState[], Map<number, { population: number; populated: readonly boolean[]; zones: readonly ZoneState[] }>>();

function samePopulated(nodes: readonly NodeState[], highestZoneIdx: number, populated: readonly boolean[]): boolean {
  let k = 0;
  for (const node of nodes) {
    for (let zoneIdx = highestZoneIdx; zoneIdx >= 0; zoneIdx--) {
      const zone = node.zones[zoneIdx];
      if ((zone !== undefined && zone.presentPages > 0) !== populated[k++]) return false;
    }
  }
  return k === populated.length;
}
