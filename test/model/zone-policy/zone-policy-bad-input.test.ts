/**
 * Bad input to the zone policy is refused with EINVAL and a message naming
 * the argument: ranges that are not whole memory blocks, negative nids,
 * unknown online types, ratios that are not a kernel uint.
 */
import { describe, expect, it } from 'vitest';
import { ModelError } from '../../../src/model/core/errors.js';
import { autoMovableCanOnlineMovable, validZonesText, zoneForPfnRange } from '../../../src/model/hotplug/zone-policy.js';
import { BLOCK_128M_PAGES, bootNode, FakeMachine, GIB_PAGES } from './fake-context.js';
import { type OnlineRequestType as OnlineType } from '../../../src/model/core/types.js';

function einval(fn: () => unknown, field: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ModelError);
  expect((caught as ModelError).errno).toBe('EINVAL');
  expect((caught as ModelError).message).toContain(field);
}

describe('zone policy input checks', () => {
  const machine = new FakeMachine({ nodes: [bootNode(8)] });
  const pfn = 32 * GIB_PAGES;

  it('refuses ranges that are not whole memory blocks', () => {
    einval(() => zoneForPfnRange(machine, 'online', 0, null, pfn + 512, BLOCK_128M_PAGES), 'startPfn');
    einval(() => zoneForPfnRange(machine, 'online', 0, null, pfn, BLOCK_128M_PAGES / 2), 'nrPages');
    einval(() => zoneForPfnRange(machine, 'online', 0, null, pfn, 0), 'nrPages');
    einval(() => zoneForPfnRange(machine, 'online', 0, null, -BLOCK_128M_PAGES, BLOCK_128M_PAGES), 'startPfn');
    einval(() => validZonesText(machine, 0, null, pfn, 1.5 * BLOCK_128M_PAGES), 'nrPages');
  });

  it('refuses a negative nid and an unknown online type', () => {
    einval(() => zoneForPfnRange(machine, 'online', -1, null, pfn, BLOCK_128M_PAGES), 'nid');
    einval(() => zoneForPfnRange(machine, 'offline' as OnlineType, 0, null, pfn, BLOCK_128M_PAGES), 'onlineType');
  });

  it('refuses a ratio that is not a kernel uint, and a negative page count for the budget', () => {
    for (const autoMovableRatio of [-1, 1.5, 2 ** 32]) {
      const bad = new FakeMachine({ nodes: [bootNode(8)], params: { onlinePolicy: 'auto-movable', autoMovableRatio } });
      einval(() => zoneForPfnRange(bad, 'online', 0, null, pfn, BLOCK_128M_PAGES), 'autoMovableRatio');
    }
    einval(() => autoMovableCanOnlineMovable(machine, null, null, -1), 'nrPages');
  });
});
