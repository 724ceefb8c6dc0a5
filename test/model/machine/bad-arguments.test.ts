/**
 * Every Machine call answers bad arguments with EINVAL naming the field (not
 * a TypeError from inside), says "too large" of numbers past 2^53 instead of
 * printing them rounded, refuses the library's old field names with the new
 * ones, and after close() answers every call with a clear error. Writing a
 * sysfs file that does not exist is EACCES, as an O_CREAT open of kernfs is.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MachineClosedError } from '../../../src/model/machine.js';
import { bootMachine, type BootedMachine } from '../../helpers/boot.js';
import { GiB, twoNodes } from '../../helpers/machines.js';

describe('a booted machine', () => {
  let machine: BootedMachine;
  beforeAll(async () => {
    machine = await bootMachine(twoNodes(), { engine: 'reference' });
  });
  afterAll(() => machine?.close());

  test('sysfsWrite with a number value or a non-string path: EINVAL naming it', async () => {
    const file = '/sys/devices/system/memory/auto_online_blocks';
    expect(await machine.sysfsWrite(file, 1 as never)).toEqual({
      ok: false,
      errno: 'EINVAL',
      message: 'value must be a string (the text written), got 1',
    });
    expect(await machine.sysfsWrite(42 as never, 'online')).toMatchObject({ ok: false, errno: 'EINVAL', message: 'path must be a string, got 42' });
    expect(await machine.sysfsRead(null as never)).toMatchObject({ ok: false, errno: 'EINVAL', message: 'path must be a string, got null' });
  });

  test('numbers of 2^53 or more are called too large, not printed rounded', async () => {
    const outcome = await machine.addMemory({ node: 1, base: 2 ** 60, size: GiB });
    expect(outcome).toMatchObject({ ok: false, errno: 'EINVAL' });
    expect(outcome.message).toBe('base must be a byte address, got a number of 2^53 or more (too large to be exact)');
    const alloc = await machine.alloc({ kind: 'user', size: 2 ** 53, node: 0 });
    expect(alloc.message).toBe('size must be a positive integer number of bytes, got a number of 2^53 or more (too large to be exact)');
  });

  test('the old names nid and sizeBytes are refused with the new ones', async () => {
    const add = await machine.addMemory({ nid: 1, base: 8 * GiB, size: GiB } as never);
    expect(add).toMatchObject({ ok: false, errno: 'EINVAL', message: 'nid is now called node: write { node: ... } instead of { nid: ... }' });
    const alloc = await machine.alloc({ kind: 'user', sizeBytes: 4096, node: 0 } as never);
    expect(alloc).toMatchObject({ ok: false, errno: 'EINVAL', message: 'sizeBytes is now called size: write { size: ... } instead of { sizeBytes: ... }' });
  });

  test('writing a file that does not exist is EACCES; under a missing directory it is ENOENT', async () => {
    const created = await machine.sysfsWrite('/sys/devices/system/memory/no_such_attribute', '1');
    expect(created).toMatchObject({ ok: false, errno: 'EACCES' });
    expect(await machine.sysfsWrite('/sys/devices/system/memory/memory999999/online', '1')).toMatchObject({ ok: false, errno: 'ENOENT' });
    // Reading it is still ENOENT: no O_CREAT on a read.
    expect(await machine.sysfsRead('/sys/devices/system/memory/no_such_attribute')).toMatchObject({ ok: false, errno: 'ENOENT' });
  });
});

test('after close(), every call is a MachineClosedError naming the call', async () => {
  const machine = await bootMachine(twoNodes(), { engine: 'reference' });
  await machine.close();
  await expect(machine.addMemory({ node: 1, base: 8 * GiB, size: GiB })).rejects.toThrow(MachineClosedError);
  await expect(machine.nodes()).rejects.toThrow('machine is closed: nodes() was called after close()');
  await expect(machine.zoneinfo()).rejects.toThrow('machine is closed');
  await expect(machine.sysfsRead('/sys/devices/system/memory/block_size_bytes')).rejects.toThrow('machine is closed: sysfsRead()');
  expect(() => machine.setOfflineRetryBudget(3)).toThrow('machine is closed: setOfflineRetryBudget()');
  await expect(machine.close()).resolves.toBeUndefined();
});
