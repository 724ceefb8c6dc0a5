/**
 * Registering memory groups: static groups need maxPages > 0, dynamic groups
 * a power-of-two unit of at least one memory block, both a possible node;
 * ids are the lowest free ones from 0.
 */
import { describe, expect, it } from 'vitest';
import { ModelError } from '../../../src/model/core/errors.js';
import { MemoryGroupRegistry } from '../../../src/model/hotplug/memory-groups.js';

const BLOCK_PAGES = 32_768;

function registry(): MemoryGroupRegistry {
  return new MemoryGroupRegistry({ pagesPerBlock: BLOCK_PAGES, isNodePossible: (nid) => nid <= 1 });
}

function errnoOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof ModelError) return error.errno;
    throw error;
  }
  return undefined;
}

describe('memory group registration', () => {
  it('creates static and dynamic groups with zeroed counters', () => {
    const groups = registry();
    const dimm = groups.registerStatic(1, 4_194_304);
    const virtio = groups.registerDynamic(0, 4 * BLOCK_PAGES);
    expect(dimm).toMatchObject({ id: 0, nid: 1, kind: 'static', maxPages: 4_194_304, presentKernelPages: 0, presentMovablePages: 0 });
    expect(virtio).toMatchObject({ id: 1, nid: 0, kind: 'dynamic', unitPages: 4 * BLOCK_PAGES, presentKernelPages: 0, presentMovablePages: 0 });
    expect(groups.get(0)).toBe(dimm);
    expect(groups.get(7)).toBeUndefined();
    expect(groups.all().map((g) => g.id)).toEqual([0, 1]);
  });

  it('refuses maxPages of 0 or a fraction with EINVAL', () => {
    const groups = registry();
    expect(errnoOf(() => groups.registerStatic(0, 0))).toBe('EINVAL');
    expect(errnoOf(() => groups.registerStatic(0, -5))).toBe('EINVAL');
    expect(errnoOf(() => groups.registerStatic(0, 2.5))).toBe('EINVAL');
    expect(groups.all()).toHaveLength(0);
  });

  it('refuses a unit that is not a power of two or smaller than a block with EINVAL', () => {
    const groups = registry();
    expect(errnoOf(() => groups.registerDynamic(0, 0))).toBe('EINVAL');
    expect(errnoOf(() => groups.registerDynamic(0, BLOCK_PAGES / 2))).toBe('EINVAL');
    expect(errnoOf(() => groups.registerDynamic(0, 3 * BLOCK_PAGES))).toBe('EINVAL');
    expect(errnoOf(() => groups.registerDynamic(0, BLOCK_PAGES))).toBeUndefined();
    expect(errnoOf(() => groups.registerDynamic(0, 2 ** 40))).toBeUndefined();
  });

  it('refuses a node that is not possible with EINVAL', () => {
    const groups = registry();
    expect(errnoOf(() => groups.registerStatic(2, BLOCK_PAGES))).toBe('EINVAL');
    expect(errnoOf(() => groups.registerDynamic(-1, BLOCK_PAGES))).toBe('EINVAL');
    expect(groups.all()).toHaveLength(0);
  });

  it('reuses the lowest free id after an unregister', () => {
    const groups = registry();
    groups.registerStatic(0, BLOCK_PAGES);
    groups.registerStatic(0, BLOCK_PAGES);
    groups.registerStatic(0, BLOCK_PAGES);
    groups.unregister(1);
    expect(groups.registerDynamic(0, BLOCK_PAGES).id).toBe(1);
    expect(groups.registerDynamic(0, BLOCK_PAGES).id).toBe(3);
  });
});
