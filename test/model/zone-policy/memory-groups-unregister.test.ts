/**
 * Unregistering and accounting memory groups: EBUSY while the group still
 * has memory blocks or present pages, EINVAL for an unknown id; counters
 * follow adjust_present_page_count and never go negative.
 */
import { describe, expect, it } from 'vitest';
import { ModelError } from '../../../src/model/core/errors.js';
import { MemoryGroupRegistry } from '../../../src/model/hotplug/memory-groups.js';
import { ZONE_DMA32, ZONE_MOVABLE, ZONE_NORMAL } from '../../../src/model/core/mmzone.js';

const BLOCK_PAGES = 32_768;

function errnoOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof ModelError) return error.errno;
    throw error;
  }
  return undefined;
}

describe('memory group unregister and accounting', () => {
  it('refuses to unregister while present pages remain, then succeeds once they are gone', () => {
    const groups = new MemoryGroupRegistry({ pagesPerBlock: BLOCK_PAGES });
    const group = groups.registerStatic(0, 4 * BLOCK_PAGES);
    groups.adjustPresentPages(group.id, ZONE_MOVABLE, BLOCK_PAGES);
    expect(errnoOf(() => groups.unregister(group.id))).toBe('EBUSY');
    expect(groups.get(group.id)).toBeDefined();
    groups.adjustPresentPages(group.id, ZONE_MOVABLE, -BLOCK_PAGES);
    groups.unregister(group.id);
    expect(groups.get(group.id)).toBeUndefined();
  });

  it('refuses to unregister while offline memory blocks still belong to the group', () => {
    const groups = new MemoryGroupRegistry({ pagesPerBlock: BLOCK_PAGES });
    const group = groups.registerDynamic(0, BLOCK_PAGES);
    groups.adjustMemoryBlocks(group.id, 2);
    expect(errnoOf(() => groups.unregister(group.id))).toBe('EBUSY');
    groups.adjustMemoryBlocks(group.id, -2);
    expect(errnoOf(() => groups.unregister(group.id))).toBeUndefined();
  });

  it('refuses an unknown id with EINVAL', () => {
    const groups = new MemoryGroupRegistry({ pagesPerBlock: BLOCK_PAGES });
    expect(errnoOf(() => groups.unregister(0))).toBe('EINVAL');
    expect(errnoOf(() => groups.adjustPresentPages(3, ZONE_NORMAL, 1))).toBe('EINVAL');
  });

  it('counts Movable pages as movable and every other zone as kernel', () => {
    const groups = new MemoryGroupRegistry({ pagesPerBlock: BLOCK_PAGES });
    const group = groups.registerDynamic(0, BLOCK_PAGES);
    groups.adjustPresentPages(group.id, ZONE_MOVABLE, 3 * BLOCK_PAGES);
    groups.adjustPresentPages(group.id, ZONE_NORMAL, BLOCK_PAGES);
    groups.adjustPresentPages(group.id, ZONE_DMA32, BLOCK_PAGES);
    expect(groups.get(group.id)).toMatchObject({ presentMovablePages: 3 * BLOCK_PAGES, presentKernelPages: 2 * BLOCK_PAGES });
  });

  it('refuses a counter that would go negative and leaves it unchanged', () => {
    const groups = new MemoryGroupRegistry({ pagesPerBlock: BLOCK_PAGES });
    const group = groups.registerDynamic(0, BLOCK_PAGES);
    groups.adjustPresentPages(group.id, ZONE_NORMAL, BLOCK_PAGES);
    expect(errnoOf(() => groups.adjustPresentPages(group.id, ZONE_NORMAL, -2 * BLOCK_PAGES))).toBe('EINVAL');
    expect(errnoOf(() => groups.adjustMemoryBlocks(group.id, -1))).toBe('EINVAL');
    expect(groups.get(group.id)).toMatchObject({ presentKernelPages: BLOCK_PAGES, nrMemoryBlocks: 0 });
  });
});
