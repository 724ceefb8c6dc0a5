/**
 * Properties of find_zone_movable_pfns_for_nodes with kernelcore=<size> over
 * random node layouts: every start is 4 MiB aligned and inside its node (at
 * its very start when other nodes already covered the kernel share), the
 * kernel share asked for is met (up to one page per node of division
 * remainder), and it is exceeded by at most the memory below 4 GiB plus one
 * 4 MiB rounding per node.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { archZoneLimits, findZoneMovablePfnsForNodes, type MemPfnRange } from '../../../src/model/boot/mm-init.js';

const PAGES_PER_GIB = 262_144;
const LOW_END_PFN = 4 * PAGES_PER_GIB;

/** Random nodes: node 0 may own [0, 2 GiB); every node then owns 1-3 ranges above 4 GiB, in address order. */
const layoutArb = fc
  .record({
    lowOnNode0: fc.boolean(),
    nodeSizes: fc.array(fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 6 }),
    kernelcoreGib: fc.integer({ min: 1, max: 400 }),
    extraPages: fc.integer({ min: 0, max: 1_000_000 }),
  })
  .map(({ lowOnNode0, nodeSizes, kernelcoreGib, extraPages }) => {
    const ranges: MemPfnRange[] = [];
    if (lowOnNode0) ranges.push({ startPfn: 0, endPfn: 2 * PAGES_PER_GIB, nid: 0, hotplug: false, mirror: false });
    let cursor = LOW_END_PFN;
    nodeSizes.forEach((sizes, nid) => {
      for (const gib of sizes) {
        ranges.push({ startPfn: cursor, endPfn: cursor + gib * PAGES_PER_GIB, nid, hotplug: false, mirror: false });
        cursor += gib * PAGES_PER_GIB + PAGES_PER_GIB; // a 1 GiB hole between ranges
      }
    });
    return { ranges, nrNodes: nodeSizes.length, requiredPages: kernelcoreGib * PAGES_PER_GIB + extraPages, maxPfn: cursor };
  });

describe('kernelcore spreading', () => {
  it('holds the alignment, containment and share properties', () => {
    fc.assert(
      fc.property(layoutArb, ({ ranges, nrNodes, requiredPages, maxPfn }) => {
        const limits = archZoneLimits(0, maxPfn);
        const result = findZoneMovablePfnsForNodes({
          ranges,
          limits,
          movableNode: false,
          kernelcore: { kind: 'pages', pages: requiredPages },
          movablecore: { kind: 'unset' },
        });
        const totalPages = ranges.reduce((s, r) => s + r.endPfn - r.startPfn, 0);
        const lowPages = ranges.filter((r) => r.endPfn <= LOW_END_PFN).reduce((s, r) => s + r.endPfn - r.startPfn, 0);
        let kernelPages = 0;
        for (let nid = 0; nid < nrNodes; nid++) {
          const own = ranges.filter((r) => r.nid === nid);
          const nodeStart = Math.min(...own.map((r) => r.startPfn));
          const nodeEnd = Math.max(...own.map((r) => r.endPfn));
          const zmp = result.zoneMovablePfn.get(nid) ?? 0;
          if (zmp !== 0) {
            expect(zmp % 1024).toBe(0);
            // A node whose share is already covered elsewhere becomes all Movable: zmp = its start.
            expect(zmp).toBeGreaterThanOrEqual(nodeStart);
            expect(zmp).toBeLessThan(nodeEnd);
          }
          const limit = zmp === 0 ? Infinity : zmp;
          for (const r of own) kernelPages += Math.max(0, Math.min(r.endPfn, limit) - r.startPfn);
        }
        if (requiredPages >= totalPages) {
          expect(kernelPages).toBe(totalPages);
        } else {
          expect(kernelPages).toBeGreaterThanOrEqual(requiredPages - nrNodes);
          expect(kernelPages).toBeLessThanOrEqual(requiredPages + lowPages + 1024 * nrNodes);
        }
      }),
      { numRuns: 300, seed: 20260 },
    );
  });
});
