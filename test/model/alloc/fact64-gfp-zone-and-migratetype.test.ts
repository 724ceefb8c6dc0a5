/**
 * Fact 64: `gfp_zone` maps GFP_KERNEL → 2 (Normal), GFP_HIGHUSER → 2,
 * GFP_HIGHUSER_MOVABLE → 3 (Movable), GFP_KERNEL | __GFP_MOVABLE → 2,
 * GFP_DMA32 → 1, GFP_DMA → 0; `gfp_migratetype(GFP_KERNEL |
 * __GFP_RECLAIMABLE)` → 2 (RECLAIMABLE) (include/linux/gfp.h `gfp_zone`,
 * `GFP_ZONE_TABLE`, `gfp_migratetype`; include/linux/gfp_types.h for the
 * bit values). Only HIGHMEM together with MOVABLE reaches ZONE_MOVABLE, so
 * each allocation kind's mask decides whether it may live there.
 */
import { describe, expect, test } from 'vitest';
import { Migratetype } from '../../../src/contract/constants.js';
import {
  __GFP_DMA,
  __GFP_DMA32,
  __GFP_HIGHMEM,
  __GFP_MOVABLE,
  __GFP_RECLAIMABLE,
  GFP_DMA,
  GFP_DMA32,
  GFP_HIGHUSER,
  GFP_HIGHUSER_MOVABLE,
  GFP_KERNEL,
  GFP_NOFS,
  GFP_USER,
  gfpMigratetype,
  gfpZone,
  isMovableKind,
  kindSpec,
} from '../../../src/model/alloc/gfp.js';
import { ALLOC_KINDS } from '../../../src/model/core/types.js';
import { ZONE_DMA, ZONE_DMA32, ZONE_MOVABLE, ZONE_NAMES, ZONE_NORMAL } from '../../../src/model/core/mmzone.js';

test('fact 64: the masks carry the kernel’s bit values (no KASAN tags)', () => {
  expect(GFP_KERNEL).toBe(0xcc0);
  expect(GFP_NOFS).toBe(0xc40);
  expect(GFP_USER).toBe(0x100cc0);
  expect(GFP_HIGHUSER_MOVABLE).toBe(0x100cca);
  expect(GFP_DMA).toBe(0x01);
  expect(GFP_DMA32).toBe(0x04);
});

describe('fact 64: gfp_zone', () => {
  test.each([
    ['GFP_KERNEL', GFP_KERNEL, ZONE_NORMAL],
    ['GFP_HIGHUSER', GFP_HIGHUSER, ZONE_NORMAL],
    ['GFP_HIGHUSER_MOVABLE', GFP_HIGHUSER_MOVABLE, ZONE_MOVABLE],
    ['GFP_KERNEL | __GFP_MOVABLE', GFP_KERNEL | __GFP_MOVABLE, ZONE_NORMAL],
    ['GFP_DMA32', GFP_DMA32, ZONE_DMA32],
    ['GFP_KERNEL | GFP_DMA32', GFP_KERNEL | GFP_DMA32, ZONE_DMA32],
    ['GFP_DMA', GFP_DMA, ZONE_DMA],
    ['GFP_KERNEL | GFP_DMA | __GFP_MOVABLE', GFP_KERNEL | GFP_DMA | __GFP_MOVABLE, ZONE_DMA],
  ])('%s → %i', (_name, gfp, zone) => {
    expect(gfpZone(gfp)).toBe(zone);
  });

  test('two of DMA, DMA32 and HIGHMEM are GFP_ZONE_BAD', () => {
    for (const bits of [__GFP_DMA | __GFP_DMA32, __GFP_DMA | __GFP_HIGHMEM, __GFP_DMA32 | __GFP_HIGHMEM, __GFP_DMA32 | __GFP_HIGHMEM | __GFP_MOVABLE]) {
      expect(() => gfpZone(GFP_KERNEL | bits)).toThrow(/GFP_ZONE_BAD/);
    }
  });
});

describe('fact 64: gfp_migratetype', () => {
  test('GFP_KERNEL | __GFP_RECLAIMABLE → 2 (RECLAIMABLE)', () => {
    expect(gfpMigratetype(GFP_KERNEL | __GFP_RECLAIMABLE)).toBe(2);
    expect(Migratetype.RECLAIMABLE).toBe(2);
  });
  test('GFP_KERNEL → UNMOVABLE; __GFP_MOVABLE → MOVABLE, whatever its highest zone', () => {
    expect(gfpMigratetype(GFP_KERNEL)).toBe(Migratetype.UNMOVABLE);
    expect(gfpMigratetype(GFP_HIGHUSER_MOVABLE)).toBe(Migratetype.MOVABLE);
    expect(gfpMigratetype(GFP_KERNEL | __GFP_MOVABLE)).toBe(Migratetype.MOVABLE);
  });
  test('MOVABLE and RECLAIMABLE together are refused (the kernel warns)', () => {
    expect(() => gfpMigratetype(GFP_KERNEL | __GFP_MOVABLE | __GFP_RECLAIMABLE)).toThrow();
  });
});

test('fact 64: each allocation kind’s mask gives the highest zone and migratetype of docs/allocator.md', () => {
  const table = Object.fromEntries(
    ALLOC_KINDS.map((kind) => [kind, [ZONE_NAMES[gfpZone(kindSpec(kind).gfp)], gfpMigratetype(kindSpec(kind).gfp), isMovableKind(kind)]]),
  );
  expect(table).toEqual({
    user: ['Movable', Migratetype.MOVABLE, true],
    anon: ['Movable', Migratetype.MOVABLE, true],
    file: ['Movable', Migratetype.MOVABLE, true],
    slab: ['Normal', Migratetype.UNMOVABLE, false],
    slab_reclaimable: ['Normal', Migratetype.RECLAIMABLE, false],
    pgtable: ['Normal', Migratetype.UNMOVABLE, false],
    pinned: ['Normal', Migratetype.UNMOVABLE, false],
  });
});
