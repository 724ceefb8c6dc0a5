/**
 * auto-movable with a static group: once any of the device is online in a
 * kernel zone, every further block goes there too, however much budget there
 * is; while it is all Movable, only the rest of the device is asked for.
 */
import { describe, expect, it } from 'vitest';
import { zoneForPfnRange } from '../../../src/model/hotplug/zone-policy.js';
import { BLOCK_128M_PAGES, bootNode, FakeMachine, GIB_PAGES, ZONE_MOVABLE, ZONE_NORMAL } from './fake-context.js';

const dimmPfn = 64 * GIB_PAGES;

describe('auto-movable with a static group', () => {
  it('sends the rest of the device to the kernel zone once it has present kernel pages', () => {
    const machine = new FakeMachine({ nodes: [bootNode(64)], params: { onlinePolicy: 'auto-movable' } });
    const dimm = machine.registry.registerStatic(0, GIB_PAGES);
    // An administrator onlined the first block with online_kernel.
    machine.decideAndOnline(0, dimm, dimmPfn, BLOCK_128M_PAGES, 'online_kernel');
    expect(machine.registry.get(dimm.id)?.presentKernelPages).toBe(BLOCK_128M_PAGES);
    for (let i = 1; i < 8; i++) {
      expect(machine.decideAndOnline(0, dimm, dimmPfn + i * BLOCK_128M_PAGES, BLOCK_128M_PAGES)).toBe(ZONE_NORMAL);
    }
  });

  it('asks only for the part of the device not yet online Movable', () => {
    // 8 GiB early at ratio 100: MOVABLE may hold 2,097,152 pages. A 1 GiB DIMM
    // (262,144 pages) with half of it online Movable needs 131,072 more.
    const node = { ...bootNode(8), movable: { startPfn: 8 * GIB_PAGES, spannedPages: 2_097_152 - GIB_PAGES, presentEarlyPages: 0 } };
    const machine = new FakeMachine({ nodes: [node], params: { onlinePolicy: 'auto-movable', autoMovableRatio: 100 } });
    const dimm = machine.registry.registerStatic(0, GIB_PAGES);
    for (let i = 0; i < 8; i++) {
      expect(machine.decideAndOnline(0, dimm, dimmPfn + i * BLOCK_128M_PAGES, BLOCK_128M_PAGES)).toBe(ZONE_MOVABLE);
    }
    expect(machine.presentPages(ZONE_MOVABLE)).toBe(2_097_152);
  });

  it('refuses Movable for a device that would not fit as a whole, even if its first block would', () => {
    const node = { ...bootNode(8), movable: { startPfn: 8 * GIB_PAGES, spannedPages: 2_097_152 - GIB_PAGES + 1, presentEarlyPages: 0 } };
    const machine = new FakeMachine({ nodes: [node], params: { onlinePolicy: 'auto-movable', autoMovableRatio: 100 } });
    const dimm = machine.registry.registerStatic(0, GIB_PAGES);
    expect(zoneForPfnRange(machine, 'online', 0, dimm, dimmPfn, BLOCK_128M_PAGES)).toBe(ZONE_NORMAL);
    expect(zoneForPfnRange(machine, 'online', 0, null, dimmPfn, BLOCK_128M_PAGES)).toBe(ZONE_MOVABLE);
  });
});
