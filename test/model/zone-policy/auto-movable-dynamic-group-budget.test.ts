/**
 * auto-movable budget with dynamic groups: every other dynamic group first
 * reserves the early kernel memory its movable pages need at the ratio (net
 * of its own kernel pages) and its movable pages leave the count; a dynamic
 * group's own kernel pages back only its own movable memory.
 *
 * Numbers, worked by hand from mm/memory_hotplug.c `auto_movable_can_online_movable`. Node 0 is a 4 GiB boot
 * VM: 1,048,576 early kernel pages, ratio 301. Group B (dynamic) has 20 blocks
 * = 655,360 pages online Movable. For any other group:
 *   REQ = 655,360 * 100 / 301 = 217,727 (truncated)
 *   KE  = 1,048,576 - 217,727 = 830,849, MOV = 655,360 - 655,360 = 0
 *   limit = 301 * 830,849 / 100 = 2,500,855 (truncated)
 * Without groups the same 655,360 Movable pages would leave
 *   301 * 1,048,576 / 100 - 655,360 = 3,156,213 - 655,360 = 2,500,853.
 */
import { describe, expect, it } from 'vitest';
import type { DynamicMemoryGroup } from '../../../src/model/hotplug/memory-groups.js';
import { autoMovableCanOnlineMovable } from '../../../src/model/hotplug/zone-policy.js';
import { BLOCK_128M_PAGES, bootNode, FakeMachine, GIB_PAGES, ZONE_MOVABLE, ZONE_NORMAL } from './fake-context.js';

function machineWithGroupB(): { machine: FakeMachine; groupB: DynamicMemoryGroup } {
  const machine = new FakeMachine({ nodes: [bootNode(4), {}], params: { onlinePolicy: 'auto-movable' } });
  const groupB = machine.registry.registerDynamic(0, BLOCK_128M_PAGES);
  machine.online(0, ZONE_MOVABLE, groupB, 16 * GIB_PAGES, 20 * BLOCK_128M_PAGES);
  return { machine, groupB };
}

describe('auto-movable budget with dynamic groups', () => {
  it('reserves early kernel memory for the movable pages of other dynamic groups', () => {
    const { machine } = machineWithGroupB();
    const groupA = machine.registry.registerDynamic(0, BLOCK_128M_PAGES);
    expect(autoMovableCanOnlineMovable(machine, null, groupA, 2_500_855)).toBe(true);
    expect(autoMovableCanOnlineMovable(machine, null, groupA, 2_500_856)).toBe(false);
    // Ungrouped memory and static groups see the same reservation.
    expect(autoMovableCanOnlineMovable(machine, null, null, 2_500_855)).toBe(true);
    expect(autoMovableCanOnlineMovable(machine, null, null, 2_500_856)).toBe(false);
  });

  it('does not reserve anything for the group asking', () => {
    const { machine, groupB } = machineWithGroupB();
    // Group B itself: KE = 1,048,576, MOV = 655,360 → room for 3,156,213 - 655,360 = 2,500,853.
    expect(autoMovableCanOnlineMovable(machine, null, groupB, 2_500_853)).toBe(true);
    expect(autoMovableCanOnlineMovable(machine, null, groupB, 2_500_854)).toBe(false);
  });

  it('lets a dynamic group back movable memory with its own kernel pages, and only its own', () => {
    const { machine } = machineWithGroupB();
    const groupA = machine.registry.registerDynamic(0, BLOCK_128M_PAGES);
    const groupC = machine.registry.registerDynamic(0, BLOCK_128M_PAGES);
    machine.online(0, ZONE_NORMAL, groupA, 32 * GIB_PAGES, 2 * BLOCK_128M_PAGES); // 65,536 kernel pages
    // For A: KE = 830,849 + 65,536 = 896,385 → limit 301 * 896,385 / 100 = 2,698,118.
    expect(autoMovableCanOnlineMovable(machine, null, groupA, 2_698_118)).toBe(true);
    expect(autoMovableCanOnlineMovable(machine, null, groupA, 2_698_119)).toBe(false);
    // For C, A's kernel pages need no reservation (65,536 Movable-free) but add nothing either.
    expect(autoMovableCanOnlineMovable(machine, null, groupC, 2_500_855)).toBe(true);
    expect(autoMovableCanOnlineMovable(machine, null, groupC, 2_500_856)).toBe(false);
  });

  it('nets a group\'s own kernel pages off its reservation', () => {
    const { machine, groupB } = machineWithGroupB();
    machine.online(0, ZONE_NORMAL, groupB, 24 * GIB_PAGES, 3 * BLOCK_128M_PAGES); // 98,304 kernel pages
    // REQ_B = 217,727 - 98,304 = 119,423; KE = 929,153; limit = 301 * 929,153 / 100 = 2,796,750.
    expect(autoMovableCanOnlineMovable(machine, null, null, 2_796_750)).toBe(true);
    expect(autoMovableCanOnlineMovable(machine, null, null, 2_796_751)).toBe(false);
  });

  it('counts only the node\'s groups in a per-node check', () => {
    const machine = new FakeMachine({ nodes: [bootNode(4), bootNode(4)], params: { onlinePolicy: 'auto-movable' } });
    const onNode1 = machine.registry.registerDynamic(1, BLOCK_128M_PAGES);
    machine.online(1, ZONE_MOVABLE, onNode1, 16 * GIB_PAGES, 20 * BLOCK_128M_PAGES);
    // Node 0 alone: nothing reserved, nothing Movable → 3,156,213.
    expect(autoMovableCanOnlineMovable(machine, 0, null, 3_156_213)).toBe(true);
    expect(autoMovableCanOnlineMovable(machine, 0, null, 3_156_214)).toBe(false);
    // Whole machine: KE = 2,097,152 - 217,727 = 1,879,425 → 301 * 1,879,425 / 100 = 5,657,069.
    expect(autoMovableCanOnlineMovable(machine, null, null, 5_657_069)).toBe(true);
    expect(autoMovableCanOnlineMovable(machine, null, null, 5_657_070)).toBe(false);
  });

  it('refuses everything once reservations reach the early kernel memory', () => {
    // 3,156,224 movable pages in group B reserve 3,156,224 * 100 / 301 = 1,048,579 pages,
    // more than the 1,048,576 early kernel pages there are.
    const machine = new FakeMachine({ nodes: [bootNode(4)], params: { onlinePolicy: 'auto-movable' } });
    const groupB = machine.registry.registerDynamic(0, BLOCK_128M_PAGES);
    machine.online(0, ZONE_MOVABLE, groupB, 16 * GIB_PAGES, 3_156_224);
    expect(autoMovableCanOnlineMovable(machine, null, null, 0)).toBe(false);
  });
});
