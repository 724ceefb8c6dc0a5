/**
 * Machines of the acceptance tests, as MachineSpecs built from SRAT ranges.
 * Each keeps the x86 PCI hole [2 GiB, 4 GiB) and has node 1 hotpluggable
 * under movable_node, with an empty slot after its boot memory that hot-add
 * fills.
 */
import type { MachineSpec, SratMemoryAffinity } from '../../src/model/core/types.js';

export const MiB = 2 ** 20;
export const GiB = 2 ** 30;
export const TiB = 2 ** 40;

function srat(node: number, base: number, size: number, extra: Partial<SratMemoryAffinity> = {}): SratMemoryAffinity {
  return { node, base, size, enabled: true, hotpluggable: false, nonVolatile: false, populated: true, ...extra };
}

/**
 * Node 0: [0, 2 GiB) + [4 GiB, 2 + `node0GiB` GiB). Node 1 (hotpluggable):
 * `node1BootGiB` of boot memory right after node 0, then an empty slot of
 * `node1SlotGiB`. movable_node.
 */
export function twoNodeHotplugBox(node0GiB: number, node1BootGiB: number, node1SlotGiB: number): MachineSpec {
  const node0End = (2 + node0GiB) * GiB;
  const node1BootEnd = node0End + node1BootGiB * GiB;
  return {
    e820: [
      { base: 0, size: 2 * GiB, type: 'usable' },
      { base: 2 * GiB, size: 2 * GiB, type: 'reserved' },
      { base: 4 * GiB, size: node1BootEnd - 4 * GiB, type: 'usable' },
    ],
    srat: [
      srat(0, 0, 2 * GiB),
      srat(0, 4 * GiB, node0End - 4 * GiB),
      srat(1, node0End, node1BootGiB * GiB, { hotpluggable: true }),
      srat(1, node1BootEnd, node1SlotGiB * GiB, { hotpluggable: true, populated: false }),
    ],
    reservations: [],
    blockSize: 'auto',
    hypervisor: false,
    slit: null,
    cmdline: 'movable_node',
  };
}
