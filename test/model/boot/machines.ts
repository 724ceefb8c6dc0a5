/**
 * Machine specs shared by the boot tests, built from docs/kernel-facts.md (first worked example).
 * Sizes in GiB; pfn = GiB × 262,144.
 */
import type { MachineSpec, SratMemoryAffinity } from '../../../src/model/core/types.js';

export const GiB = 2 ** 30;
export const MiB = 2 ** 20;
export const TiB = 2 ** 40;
/** Pages per GiB. */
export const PAGES_PER_GIB = 262_144;
export const gibPfn = (gib: number): number => gib * PAGES_PER_GIB;

export interface NodeRam {
  /** RAM ranges in GiB, `[start, end)`. */
  ranges: [number, number][];
  hotpluggable?: boolean;
}

/** A bare-metal machine whose e820 is exactly the union of the node RAM ranges (holes are absent). */
export function machineFromNodes(nodes: NodeRam[], cmdline = '', extra: Partial<MachineSpec> = {}): MachineSpec {
  const srat: SratMemoryAffinity[] = [];
  const e820: MachineSpec['e820'] = [];
  nodes.forEach((n, nid) => {
    for (const [s, e] of n.ranges) {
      srat.push({ node: nid, base: s * GiB, size: (e - s) * GiB, enabled: true, hotpluggable: n.hotpluggable ?? false, nonVolatile: false, populated: true });
      e820.push({ base: s * GiB, size: (e - s) * GiB, type: 'usable' });
    }
  });
  return { e820, srat, reservations: [], blockSize: 'auto', hypervisor: false, slit: null, cmdline, ...extra };
}

/** first worked example: 4 nodes of 1 TiB, PCI hole [2, 4) GiB. */
export function fourNodeBox(cmdline = '', hotpluggable: boolean[] = [false, false, false, false]): MachineSpec {
  return machineFromNodes(
    [
      { ranges: [[0, 2], [4, 1026]], hotpluggable: hotpluggable[0] },
      { ranges: [[1026, 2050]], hotpluggable: hotpluggable[1] },
      { ranges: [[2050, 3074]], hotpluggable: hotpluggable[2] },
      { ranges: [[3074, 4098]], hotpluggable: hotpluggable[3] },
    ],
    cmdline,
  );
}

/** worked example (e): nodes 0-2 of 256 GiB, node 3 of 64 GiB. */
export function unevenBox(cmdline = ''): MachineSpec {
  return machineFromNodes(
    [
      { ranges: [[0, 2], [4, 258]] },
      { ranges: [[258, 514]] },
      { ranges: [[514, 770]] },
      { ranges: [[770, 834]] },
    ],
    cmdline,
  );
}
