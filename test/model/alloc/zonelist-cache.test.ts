/**
 * The allocator keeps its node orders and zonelists between requests (a
 * 1024-node machine would otherwise sort and walk every node per request),
 * and must drop them exactly when a node gains or loses memory: a node
 * offlined entirely leaves every zonelist, and comes back into them, in its
 * place, once onlined again.
 */
import { expect, test } from 'vitest';
import { inNodeOrder, zonelist } from '../../../src/model/alloc/zonelist.js';
import { zonePopulationChanged, type NodeState } from '../../../src/model/core/state.js';
import { bootMachine } from '../../helpers/boot.js';
import { fourNodeBox } from '../../helpers/machines.js';

const GiB = 2 ** 30;

test('a node leaves the zonelists when its last block goes offline, and comes back when one is onlined', async () => {
  const machine = await bootMachine({ ...fourNodeBox(), cmdline: 'movable_node', srat: fourNodeBox().srat!.map((e) => ({ ...e, hotpluggable: e.node !== 0 })) });
  try {
    const byNode = (outcome: Awaited<ReturnType<typeof machine.alloc>>): string[] => Object.keys('byZone' in outcome ? outcome.byZone : {});
    // Node 2 serves its own anon from its Movable zone.
    expect(byNode(await machine.alloc({ kind: 'anon', size: GiB, node: 2 }))).toContain('2:Movable');
    const before = machine.nodeOrder(2);

    expect((await machine.offlineBlocks({ node: 2 })).ok).toBe(true);
    expect(machine.node(2)!.hasMemory).toBe(false);
    // Rebuilt without node 2; the request falls back to other nodes.
    expect(machine.nodeOrder(2)).not.toContain(2);
    const away = byNode(await machine.alloc({ kind: 'anon', size: GiB, node: 2 }));
    expect(away.length).toBeGreaterThan(0);
    expect(away.some((key) => key.startsWith('2:'))).toBe(false);

    expect((await machine.onlineBlocks({ node: 2 }, 'online_movable')).ok).toBe(true);
    expect(machine.nodeOrder(2)).toEqual(before);
    expect(byNode(await machine.alloc({ kind: 'anon', size: GiB, node: 2 }))).toEqual(['2:Movable']);
    await machine.checkInvariants();
  } finally {
    await machine.close();
  }
});

test('a kept zonelist follows zones that become populated or empty', () => {
  const zone = (nid: number, zoneIdx: number, presentPages: number) => ({ nid, zoneIdx, presentPages }) as unknown as NodeState['zones'][number];
  const node = (nid: number, present: number[]): NodeState => ({ nid, zones: present.map((p, i) => zone(nid, i, p)) }) as unknown as NodeState;
  const nodes = [node(0, [1, 1, 1, 0, 0]), node(1, [0, 0, 0, 5, 0])];
  const order = [1, 0];
  const ordered = inNodeOrder(order, nodes);
  expect(ordered.map((n) => n.nid)).toEqual([1, 0]);
  expect(Object.isFrozen(ordered)).toBe(true);
  // The same order and candidates: the kept answer.
  expect(inNodeOrder(order, [...nodes])).toBe(ordered);
  // Other candidates: a new one.
  expect(inNodeOrder(order, [nodes[0]]).map((n) => n.nid)).toEqual([0]);
  const first = zonelist(ordered, 3);
  expect(first.map((z) => `${z.nid}:${z.zoneIdx}`)).toEqual(['1:3', '0:2', '0:1', '0:0']);
  expect(zonelist(ordered, 3)).toBe(first);
  // The accounting changes which zones are populated, and says so.
  (nodes[0].zones[2] as { presentPages: number }).presentPages = 0;
  (nodes[1].zones[2] as { presentPages: number }).presentPages = 7;
  zonePopulationChanged();
  expect(zonelist(ordered, 3).map((z) => `${z.nid}:${z.zoneIdx}`)).toEqual(['1:3', '1:2', '0:1', '0:0']);
  // A change elsewhere that leaves these zones as they were keeps the list.
  const second = zonelist(ordered, 3);
  zonePopulationChanged();
  expect(zonelist(ordered, 3)).toBe(second);
  // A list that is not frozen is never kept.
  const loose = [nodes[0]];
  expect(zonelist(loose, 2)).not.toBe(zonelist(loose, 2));
});
