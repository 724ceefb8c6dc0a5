/**
 * The built-in scenario: what `pfnlab run` (and `npm start`) runs when no
 * file is named. It is the 4-node, 4 TiB bare-metal machine worked through in
 * docs/kernel-facts.md, booted with `movable_node`.
 *
 * The text below is the one home of this scenario. `scenarios/default-4node-4tib.yaml`
 * is a byte-identical copy for people to read and edit, and a test keeps the
 * two equal.
 */

/** Where the copy of the default scenario lives, relative to the repository root. */
export const DEFAULT_SCENARIO_FILE = 'scenarios/default-4node-4tib.yaml';

export const DEFAULT_SCENARIO_YAML = `# The 4-node, 4 TiB bare-metal machine of docs/kernel-facts.md,
# booted with movable_node. Node 0 holds [0, 2G) and [4G, 1026G) (the PCI hole
# is [2G, 4G)); nodes 1-3 hold 1 TiB each and are hotpluggable in the SRAT, so
# they come up entirely in ZONE_MOVABLE while node 0 keeps the kernel.
version: 1
name: default-4node-4tib
description: 4 nodes x 1 TiB, bare metal, movable_node (docs/kernel-facts.md, worked example (a))
seed: 1
machine:
  type: bare-metal
  blockSize: auto          # bare metal with 4098G of boot RAM: the probe picks 2G
  # No e820 list: it is derived from the populated SRAT ranges below.
  srat:
    - { node: 0, base: 0,     size: 2G }
    - { node: 0, base: 4G,    size: 1022G }
    - { node: 1, base: 1026G, size: 1T, hotpluggable: true }
    - { node: 2, base: 2050G, size: 1T, hotpluggable: true }
    - { node: 3, base: 3074G, size: 1T, hotpluggable: true }
  slit:
    - [10, 21, 21, 21]
    - [21, 10, 21, 21]
    - [21, 21, 10, 21]
    - [21, 21, 21, 10]
cmdline: movable_node
# Nothing is written to disk. To look at the machine with real tools, add
#   --sysfs out/default --zoneinfo out/default/zoneinfo
# to the command line, then: lsmem --sysroot out/default
steps:
  - read: /sys/devices/system/memory/block_size_bytes
    expect: 80000000
  # [0, 2G) spans ZONE_DMA and ZONE_DMA32, so block 0 belongs to no single zone.
  - read: /sys/devices/system/memory/memory0/valid_zones
    expect: none
  - read: /sys/devices/system/memory/memory2/phys_index
    expect: 00000002
  # 1026G / 2G = block 513: the first block of node 1, in ZONE_MOVABLE.
  - read: /sys/devices/system/memory/memory513/valid_zones
    expect: Movable
  - read: /sys/devices/system/memory/memory513/state
    expect: online
  - expect:
      - { blockSizeBytes: 2G }
      - { blocks: { total: 2048, online: 2048 } }
      - { blocks: { node: 1, zone: Movable, total: 512 } }
  - expect:
      - { node: 0, zone: Normal, zoneStartPfn: 4G, spannedPages: 1022G, presentPages: 1022G }
      - { node: 0, zone: Movable, spannedPages: 0 }
      - { node: 1, zone: Normal, spannedPages: 0 }
      - { node: 1, zone: Movable, zoneStartPfn: 1026G, spannedPages: 1T, presentPages: 1T }
      - { node: 3, zone: Movable, zoneStartPfn: 3074G, presentPages: 1T }
      - { node: 3, hasMemory: true, hasNormalMemory: false }
`;
