/**
 * GFP flags, as far as they decide where a page may come from
 * (include/linux/gfp_types.h, include/linux/gfp.h `gfp_zone`,
 * `gfp_migratetype`, `GFP_ZONE_TABLE`), and the allocation kinds of the
 * workload model, each with the GFP mask the kernel uses for it.
 *
 * Only the bits that matter to placement are modelled: the four zone
 * modifiers, the reclaimable bit, and the behaviour bits that decide what a
 * failed request does (`__GFP_RETRY_MAYFAIL`, `__GFP_NORETRY`, `__GFP_FS`).
 * Their values are the kernel's, so a mask reads like the kernel's.
 */
import { PageClass } from '../../contract/constants.js';
import { Migratetype } from '../../contract/constants.js';
import type { AllocKind } from '../core/types.js';
import { ZONE_DMA, ZONE_DMA32, ZONE_MOVABLE, ZONE_NORMAL } from '../core/mmzone.js';

/** Zone modifiers (the low four bits of a gfp mask). */
export const __GFP_DMA = 0x01;
export const __GFP_HIGHMEM = 0x02;
export const __GFP_DMA32 = 0x04;
export const __GFP_MOVABLE = 0x08;
/** Mobility: reclaimable kernel objects (dentries, inodes). */
export const __GFP_RECLAIMABLE = 0x10;
/** Reclaim behaviour bits. */
export const __GFP_HIGH = 0x20;
export const __GFP_IO = 0x40;
export const __GFP_FS = 0x80;
export const __GFP_ZERO = 0x100;
export const __GFP_DIRECT_RECLAIM = 0x400;
export const __GFP_KSWAPD_RECLAIM = 0x800;
export const __GFP_NOWARN = 0x2000;
export const __GFP_RETRY_MAYFAIL = 0x4000;
export const __GFP_NORETRY = 0x10000;
export const __GFP_HARDWALL = 0x100000;
export const __GFP_ACCOUNT = 0x400000;

const __GFP_RECLAIM = __GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM;

export const GFP_KERNEL = __GFP_RECLAIM | __GFP_IO | __GFP_FS;
export const GFP_NOFS = __GFP_RECLAIM | __GFP_IO;
export const GFP_USER = __GFP_RECLAIM | __GFP_IO | __GFP_FS | __GFP_HARDWALL;
export const GFP_DMA = __GFP_DMA;
export const GFP_DMA32 = __GFP_DMA32;
export const GFP_HIGHUSER = GFP_USER | __GFP_HIGHMEM;
export const GFP_HIGHUSER_MOVABLE = GFP_HIGHUSER | __GFP_MOVABLE;
/** include/asm-generic/pgalloc.h: user page tables (no HIGHMEM, never movable). */
export const GFP_PGTABLE_USER = GFP_KERNEL | __GFP_ZERO | __GFP_ACCOUNT;

const GFP_ZONEMASK = __GFP_DMA | __GFP_HIGHMEM | __GFP_DMA32 | __GFP_MOVABLE;

/**
 * `gfp_zone`: the highest zone a mask may use. The table is indexed by the
 * four zone bits; HIGHMEM means Normal on x86_64 (no ZONE_HIGHMEM), and only
 * HIGHMEM together with MOVABLE reaches ZONE_MOVABLE. Combinations the kernel
 * calls GFP_ZONE_BAD (two of DMA, DMA32, HIGHMEM) are refused.
 */
export function gfpZone(gfp: number): number {
  const bits = gfp & GFP_ZONEMASK;
  const dma = (bits & __GFP_DMA) !== 0;
  const dma32 = (bits & __GFP_DMA32) !== 0;
  const highmem = (bits & __GFP_HIGHMEM) !== 0;
  if (Number(dma) + Number(dma32) + Number(highmem) > 1) throw new RangeError(`gfp_zone: zone bits 0x${bits.toString(16)} are GFP_ZONE_BAD`);
  if (dma) return ZONE_DMA;
  if (dma32) return ZONE_DMA32;
  if (highmem && (bits & __GFP_MOVABLE) !== 0) return ZONE_MOVABLE;
  return ZONE_NORMAL;
}

/**
 * `gfp_migratetype`: MOVABLE with __GFP_MOVABLE, RECLAIMABLE with
 * __GFP_RECLAIMABLE, else UNMOVABLE (both bits together is a kernel warning).
 */
export function gfpMigratetype(gfp: number): number {
  const movable = (gfp & __GFP_MOVABLE) !== 0;
  const reclaimable = (gfp & __GFP_RECLAIMABLE) !== 0;
  if (movable && reclaimable) throw new RangeError('gfp_migratetype: __GFP_MOVABLE and __GFP_RECLAIMABLE together');
  return movable ? Migratetype.MOVABLE : reclaimable ? Migratetype.RECLAIMABLE : Migratetype.UNMOVABLE;
}

/** What the model knows of each allocation kind. */
export interface KindSpec {
  /** The page class its pages take in the engine. */
  cls: PageClass;
  /** The GFP mask the kernel allocates it with (its zone bits and mobility decide placement). */
  gfp: number;
  /** The kernel source the mask is read from, for reports. */
  source: string;
  /**
   * When reclaim cannot help, the kernel kills a task for this request (OOM)
   * or fails it (the caller sees ENOMEM): see `oomOutcome` in reclaim.ts.
   */
  description: string;
}

/**
 * The workload's allocation kinds (docs/kernel-facts.md, section 11.4's
 * table): anonymous memory and page cache are movable and may use
 * ZONE_MOVABLE; slab, reclaimable slab, page tables and long-term pinned
 * pages are not and may not. `user` is the old name of `anon`.
 */
export const KIND_SPECS: Readonly<Record<Exclude<AllocKind, 'user'>, KindSpec>> = {
  anon: {
    cls: PageClass.USER,
    gfp: GFP_HIGHUSER_MOVABLE,
    source: 'mm/memory.c (anonymous faults)',
    description: 'anonymous memory',
  },
  file: {
    cls: PageClass.USER,
    gfp: GFP_HIGHUSER_MOVABLE,
    source: 'fs/inode.c inode_init_always_gfp (page cache mapping mask)',
    description: 'page cache',
  },
  slab: {
    cls: PageClass.SLAB,
    gfp: GFP_KERNEL,
    source: 'mm/slub.c new_slab',
    description: 'unreclaimable slab',
  },
  slab_reclaimable: {
    cls: PageClass.SLAB_RECLAIMABLE,
    gfp: GFP_KERNEL | __GFP_RECLAIMABLE,
    source: 'mm/slub.c (SLAB_RECLAIM_ACCOUNT caches: dentry, inode)',
    description: 'reclaimable slab',
  },
  pgtable: {
    cls: PageClass.PGTABLE,
    gfp: GFP_PGTABLE_USER,
    source: 'include/asm-generic/pgalloc.h GFP_PGTABLE_USER',
    description: 'page tables',
  },
  pinned: {
    cls: PageClass.PINNED,
    // Pages faulted in under a long-term pin run with PF_MEMALLOC_PIN, which
    // strips __GFP_MOVABLE (mm/gup.c, include/linux/sched/mm.h).
    gfp: GFP_HIGHUSER_MOVABLE & ~__GFP_MOVABLE,
    source: 'mm/gup.c __gup_longterm_locked',
    description: 'long-term pinned memory',
  },
};

/** The kind a request names, with `user` read as its new name `anon`. */
export function kindSpec(kind: AllocKind): KindSpec {
  return KIND_SPECS[kind === 'user' ? 'anon' : kind];
}

/** Kinds that may be placed in ZONE_MOVABLE. */
export function isMovableKind(kind: AllocKind): boolean {
  return gfpZone(kindSpec(kind).gfp) === ZONE_MOVABLE;
}
