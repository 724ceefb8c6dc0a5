/**
 * /sys/devices/system/node/nodeN/distance (drivers/base/node.c
 * node_read_distance): node_distance from N to every online node, in node
 * order, from the SLIT, or 10 to itself and 20 elsewhere without one.
 */
import { expect, test } from 'vitest';
import { bootMachine } from '../../helpers/boot.js';
import { GiB, machineSpec, readSysfs } from '../hotplug/helpers.js';

const NODE_DIR = '/sys/devices/system/node';
const THREE_NODES = [
  { node: 0, boot: { base: 4 * GiB, size: 4 * GiB } },
  { node: 1, boot: { base: 8 * GiB, size: 4 * GiB } },
  { node: 2, boot: { base: 12 * GiB, size: 4 * GiB } },
];

test('with a SLIT, each node lists its row over the online nodes', async () => {
  const slit = [
    [10, 16, 32],
    [16, 10, 22],
    [32, 22, 10],
  ];
  const machine = await bootMachine(machineSpec(THREE_NODES, { slit }), { engine: 'wasm' });
  try {
    expect(await readSysfs(machine, `${NODE_DIR}/node0/distance`)).toBe('10 16 32\n');
    expect(await readSysfs(machine, `${NODE_DIR}/node1/distance`)).toBe('16 10 22\n');
    expect(await readSysfs(machine, `${NODE_DIR}/node2/distance`)).toBe('32 22 10\n');
    expect((await machine.sysfsWrite(`${NODE_DIR}/node0/distance`, '1')).ok).toBe(false);
  } finally {
    await machine.close();
  }
});

test('without a SLIT, 10 to itself and 20 elsewhere', async () => {
  const machine = await bootMachine(machineSpec(THREE_NODES), { engine: 'wasm' });
  try {
    expect(await readSysfs(machine, `${NODE_DIR}/node1/distance`)).toBe('20 10 20\n');
  } finally {
    await machine.close();
  }
});
