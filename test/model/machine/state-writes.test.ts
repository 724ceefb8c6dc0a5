/**
 * Writes to memory<id>/state, memory<id>/online and auto_online_blocks:
 * docs/kernel-facts.md facts 9-12, the state machine of drivers/base/memory.c (`memory_block_change_state`) and its
 * transitional state, and the stale online_type quirk of state_store.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bootMachine, type BootedMachine } from '../../helpers/boot.js';
import { blockGeometry } from '../../../src/model/boot/block-size.js';
import { MIN_MEMORY_BLOCK_SIZE } from '../../../src/model/core/kernel.js';
import { MemoryBlock, storeOnline, storeState, type BlockOpResult, type BlockTransitions } from '../../../src/model/hotplug/memory-blocks.js';
import { singleNodeWithPciHole } from '../../helpers/machines.js';
import { parseKernelBool } from '../../../src/model/core/kstrtox.js';
import type { OnlineType } from '../../../src/model/core/state.js';

const MEMORY = '/sys/devices/system/memory';

async function read(machine: BootedMachine, path: string): Promise<string> {
  const result = await machine.sysfsRead(path);
  if (!result.ok) throw new Error(`${path}: ${result.errno} ${result.message}`);
  return result.value;
}

describe('writes on a booted machine (every block online)', () => {
  let machine: BootedMachine;
  beforeAll(async () => {
    machine = await bootMachine(singleNodeWithPciHole(), { engine: 'reference' });
  });
  afterAll(() => machine?.close());

  test('fact 10: echo online > state on an online block is EINVAL; so are online_kernel and online_movable', async () => {
    for (const value of ['online', 'online_kernel', 'online_movable', 'online\n']) {
      const result = await machine.sysfsWrite(`${MEMORY}/memory40/state`, value);
      expect(result).toMatchObject({ ok: false, errno: 'EINVAL' });
    }
    expect(await read(machine, `${MEMORY}/memory40/state`)).toBe('online\n');
    expect(await read(machine, `${MEMORY}/memory40/valid_zones`)).toBe('Normal\n');
  });

  test('fact 10: echo 1 > online on the same block succeeds and changes nothing', async () => {
    for (const value of ['1', 'y', 'Yes', 'on', 'true', 'enable']) {
      expect(await machine.sysfsWrite(`${MEMORY}/memory40/online`, value)).toMatchObject({ ok: true });
    }
    expect(await read(machine, `${MEMORY}/memory40/state`)).toBe('online\n');
    expect(await read(machine, `${MEMORY}/memory40/online`)).toBe('1\n');
  });

  test('online accepts only kernel booleans', async () => {
    for (const value of ['2', 'maybe', 'o', '', ' 1']) {
      expect(await machine.sysfsWrite(`${MEMORY}/memory40/online`, value)).toMatchObject({ ok: false, errno: 'EINVAL' });
    }
  });

  test('fact 9: echo offline > state on the "none" block memory0 fails with EINVAL; it stays online', async () => {
    expect(await read(machine, `${MEMORY}/memory0/valid_zones`)).toBe('none\n');
    expect(await machine.sysfsWrite(`${MEMORY}/memory0/state`, 'offline')).toMatchObject({ ok: false, errno: 'EINVAL' });
    expect(await read(machine, `${MEMORY}/memory0/state`)).toBe('online\n');
    expect(await read(machine, `${MEMORY}/memory0/online`)).toBe('1\n');
  });

  test('fact 12: echo bogus > state is EINVAL, and so is a string with two newlines', async () => {
    for (const value of ['bogus', 'Online', 'online\n\n', 'offline ', '']) {
      expect(await machine.sysfsWrite(`${MEMORY}/memory40/state`, value)).toMatchObject({ ok: false, errno: 'EINVAL' });
    }
    expect(await read(machine, `${MEMORY}/memory40/state`)).toBe('online\n');
  });

  test('fact 12: auto_online_blocks defaults to offline; online_movable is stored and read back', async () => {
    expect(await read(machine, `${MEMORY}/auto_online_blocks`)).toBe('offline\n');
    expect(await machine.sysfsWrite(`${MEMORY}/auto_online_blocks`, 'online_movable')).toEqual({ ok: true, value: 'online_movable\n' });
    expect(await read(machine, `${MEMORY}/auto_online_blocks`)).toBe('online_movable\n');
  });

  test('auto_online_blocks refuses other strings with EINVAL and keeps its value', async () => {
    await machine.sysfsWrite(`${MEMORY}/auto_online_blocks`, 'online_kernel');
    for (const value of ['movable', 'online_movable ', 'ONLINE', '1']) {
      expect(await machine.sysfsWrite(`${MEMORY}/auto_online_blocks`, value)).toMatchObject({ ok: false, errno: 'EINVAL' });
    }
    expect(await read(machine, `${MEMORY}/auto_online_blocks`)).toBe('online_kernel\n');
  });

  test('read-only block files refuse writes with EACCES', async () => {
    for (const name of ['valid_zones', 'phys_index', 'phys_device', 'removable']) {
      const before = await read(machine, `${MEMORY}/memory40/${name}`);
      expect(await machine.sysfsWrite(`${MEMORY}/memory40/${name}`, '1')).toMatchObject({ ok: false, errno: 'EACCES' });
      expect(await read(machine, `${MEMORY}/memory40/${name}`)).toBe(before);
    }
  });

  test('writes to missing paths and directories fail with ENOENT and EISDIR', async () => {
    expect(await machine.sysfsWrite(`${MEMORY}/memory24/state`, 'online')).toMatchObject({ ok: false, errno: 'ENOENT' });
    expect(await machine.sysfsWrite(`${MEMORY}/memory40`, 'online')).toMatchObject({ ok: false, errno: 'EISDIR' });
  });
});

test('memhp_default_state=online sets the boot value of auto_online_blocks', async () => {
  const machine = await bootMachine(singleNodeWithPciHole({ cmdline: 'memhp_default_state=online' }), { engine: 'reference' });
  try {
    expect(await read(machine, `${MEMORY}/auto_online_blocks`)).toBe('online\n');
  } finally {
    await machine.close();
  }
});

/** Records the transitions asked for and answers with scripted results. */
class ScriptedTransitions implements BlockTransitions {
  readonly calls: string[] = [];
  onlineResult: BlockOpResult = { ok: true };
  offlineResult: BlockOpResult = { ok: true };
  /** State of the block seen while the transition ran. */
  seenState: string | undefined;

  async online(block: MemoryBlock, onlineType: Exclude<OnlineType, 'offline'>): Promise<BlockOpResult> {
    this.calls.push(`online:${onlineType}`);
    this.seenState = block.state;
    return this.onlineResult;
  }

  async offline(block: MemoryBlock): Promise<BlockOpResult> {
    this.calls.push('offline');
    this.seenState = block.state;
    return this.offlineResult;
  }
}

/** A hot-added-style block (not early) on node 0 with a zone. */
function blockIn(state: 'online' | 'offline'): MemoryBlock {
  const block = new MemoryBlock(100, blockGeometry(MIN_MEMORY_BLOCK_SIZE), state, false);
  block.nid = 0;
  return block;
}

describe('the block state machine (memory_block_change_state)', () => {
  test('fact 11: echo offline > state on an offline block is EINVAL without any transition', async () => {
    const transitions = new ScriptedTransitions();
    const block = blockIn('offline');
    expect(await storeState(block, 'offline\n', transitions)).toMatchObject({ ok: false, errno: 'EINVAL' });
    expect(transitions.calls).toEqual([]);
    expect(block.state).toBe('offline');
  });

  test('fact 11: echo 0 > online on an offline block succeeds without any transition', async () => {
    const transitions = new ScriptedTransitions();
    const block = blockIn('offline');
    expect(await storeOnline(block, '0\n', transitions)).toEqual({ ok: true });
    expect(transitions.calls).toEqual([]);
    expect(block.state).toBe('offline');
  });

  test('each online type reaches the transition with its own type; the request is consumed', async () => {
    for (const type of ['online', 'online_kernel', 'online_movable'] as const) {
      const transitions = new ScriptedTransitions();
      const block = blockIn('offline');
      expect(await storeState(block, `${type}\n`, transitions)).toEqual({ ok: true });
      expect(transitions.calls).toEqual([`online:${type}`]);
      expect(block.state).toBe('online');
      expect(block.deviceOffline).toBe(false);
      expect(block.onlineType).toBe('offline');
    }
  });

  test('echo 1 > online onlines with MMOP_ONLINE when no type was requested', async () => {
    const transitions = new ScriptedTransitions();
    const block = blockIn('offline');
    expect(await storeOnline(block, '1\n', transitions)).toEqual({ ok: true });
    expect(transitions.calls).toEqual(['online:online']);
  });

  test('offline shows going-offline while it runs and rolls back to online on failure', async () => {
    const transitions = new ScriptedTransitions();
    transitions.offlineResult = { ok: false, errno: 'EBUSY', message: 'unmovable page' };
    const block = blockIn('online');
    block.zone = { name: 'Normal' } as MemoryBlock['zone'];
    expect(await storeState(block, 'offline\n', transitions)).toEqual(transitions.offlineResult);
    expect(transitions.seenState).toBe('going-offline');
    expect(block.state).toBe('online');
    expect(block.deviceOffline).toBe(false);

    transitions.offlineResult = { ok: true };
    expect(await storeState(block, 'offline\n', transitions)).toEqual({ ok: true });
    expect(block.state).toBe('offline');
    expect(block.deviceOffline).toBe(true);
  });

  test('a failed online leaves the block offline and clears the requested type', async () => {
    const transitions = new ScriptedTransitions();
    transitions.onlineResult = { ok: false, errno: 'ENOMEM', message: 'no memory' };
    const block = blockIn('offline');
    expect(await storeState(block, 'online_movable\n', transitions)).toEqual(transitions.onlineResult);
    expect(block.state).toBe('offline');
    expect(block.deviceOffline).toBe(true);
    expect(block.onlineType).toBe('offline');
  });

  test('offline of a block without a single zone is EINVAL before offline_pages runs', async () => {
    const transitions = new ScriptedTransitions();
    const block = blockIn('online');
    expect(await storeState(block, 'offline\n', transitions)).toMatchObject({ ok: false, errno: 'EINVAL' });
    expect(transitions.calls).toEqual([]);
    expect(block.state).toBe('online');
  });

  test('stale online_type: a refused online_movable on an online block is used by the next plain online', async () => {
    const transitions = new ScriptedTransitions();
    const block = blockIn('online');
    block.zone = { name: 'Normal' } as MemoryBlock['zone'];
    expect(await storeState(block, 'online_movable\n', transitions)).toMatchObject({ ok: false, errno: 'EINVAL' });
    expect(block.onlineType).toBe('online_movable');
    expect(await storeState(block, 'offline\n', transitions)).toEqual({ ok: true });
    expect(await storeOnline(block, '1\n', transitions)).toEqual({ ok: true });
    expect(transitions.calls).toEqual(['offline', 'online:online_movable']);
  });
});

test('kstrtobool: first character decides, "on"/"off" by the second', () => {
  const truthy = ['1', 'y', 'Y', 't', 'T', 'e', 'E', 'on', 'ON', 'oN\n', 'yes', 'enable'];
  const falsy = ['0', 'n', 'N', 'f', 'F', 'd', 'D', 'off', 'OFF', 'no', 'disable'];
  for (const text of truthy) expect(parseKernelBool(text)).toBe(true);
  for (const text of falsy) expect(parseKernelBool(text)).toBe(false);
  for (const text of ['', '2', 'o', 'ox', 'x', ' 1', '\n']) expect(parseKernelBool(text)).toBeUndefined();
});
