/**
 * The live sysfs, in process: the model's tree mounted over FUSE in a scratch
 * directory, read and written by ordinary programs (stat, cat, ls, bash's
 * echo and printf). Files have the kernel's modes, reads give what the
 * model's sysfsRead gives, and a write reaches the same store handler as a
 * scenario step: the writer sees the kernel's errno as its message, and each
 * write(2) is one store, as kernfs makes it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createMachine, parseScenario } from '../../src/index.js';
import type { Machine } from '../../src/model/core/types.js';
import { mountLiveSysfs, type LiveSysfs, type LiveWrite } from '../../src/study/live-sysfs.js';
import { bash, liveSysfsProblem } from '../helpers/live.js';
import { REPO_ROOT } from './helpers.js';

const SCENARIO = join(REPO_ROOT, 'scenarios/small-vm.yaml');

let machine: Machine;
let live: LiveSysfs;
let dir: string;
let memory: string;
const writes: LiveWrite[] = [];

beforeAll(async () => {
  expect(liveSysfsProblem() ?? 'ok').toBe('ok');
  machine = await createMachine(parseScenario(readFileSync(SCENARIO, 'utf8'), SCENARIO));
  dir = mkdtempSync(join(tmpdir(), 'pfnlab-live-'));
  live = await mountLiveSysfs(machine, dir, { onWrite: (write) => writes.push(write) });
  memory = join(dir, 'sys/devices/system/memory');
});

afterAll(async () => {
  await live?.unmount();
  await machine?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function state(id: number): Promise<string | undefined> {
  return (await machine.blocks()).find((block) => block.id === id)?.state;
}

test('files, directories and links have the kernel modes and sysfs sizes', async () => {
  const stat = await bash(
    `cd ${memory} && stat -c '%n %a %s %F' block_size_bytes auto_online_blocks memory40 memory40/state memory40/online memory40/valid_zones memory40/node0 ` +
      `${dir}/sys/module/memory_hotplug/parameters/online_policy ${dir}/sys/kernel/debug/notifier-error-inject/memory/actions/MEM_GOING_OFFLINE/error`,
  );
  expect(stat.stderr).toBe('');
  expect(stat.stdout.replaceAll(`${dir}/`, '').split('\n')).toEqual([
    'block_size_bytes 444 4096 regular file',
    'auto_online_blocks 644 4096 regular file',
    'memory40 755 0 directory',
    'memory40/state 644 4096 regular file',
    'memory40/online 644 4096 regular file',
    'memory40/valid_zones 444 4096 regular file',
    // The link's size is its target's length, ../../node/node0.
    'memory40/node0 777 16 symbolic link',
    'sys/module/memory_hotplug/parameters/online_policy 644 4096 regular file',
    'sys/kernel/debug/notifier-error-inject/memory/actions/MEM_GOING_OFFLINE/error 600 4096 regular file',
    '',
  ]);
  expect((await bash(`readlink ${memory}/memory40/node0`)).stdout).toBe('../../node/node0\n');
});

test('listings and reads are the model\'s', async () => {
  const ls = await bash(`ls -1 ${memory}`);
  expect(ls.stdout.trimEnd().split('\n')).toEqual([...((await machine.sysfsList('/sys/devices/system/memory')) ?? [])].sort());
  for (const file of ['block_size_bytes', 'memory0/valid_zones', 'memory40/valid_zones', 'memory40/phys_index', 'memory15/removable']) {
    const expected = await machine.sysfsRead(`/sys/devices/system/memory/${file}`);
    expect(expected.ok).toBe(true);
    expect((await bash(`cat ${memory}/${file}`)).stdout).toBe(expected.ok ? expected.value : '');
  }
  // Reading at an offset reads the rest of the text, as seq_file does.
  expect((await bash(`tail -c 3 ${memory}/memory40/state`)).stdout).toBe('ne\n');
  expect((await bash(`cat ${memory}/memory9999/state`)).stderr).toContain('No such file or directory');
});

test('writes go through the store handlers: success, and the errno as the writer\'s message', async () => {
  const offline = await bash(`echo offline > ${memory}/memory40/state`);
  expect(offline.stderr).toBe('');
  expect(offline.status).toBe(0);
  expect(await state(40)).toBe('offline');
  expect((await bash(`cat ${memory}/memory40/state`)).stdout).toBe('offline\n');

  // memory0 spans DMA and DMA32: EINVAL. memory15 holds the initrd (memblock-reserved): EBUSY.
  const spanning = await bash(`echo offline > ${memory}/memory0/state`);
  expect(spanning.stderr).toBe(`bash: line 1: echo: write error: Invalid argument\n`);
  expect(spanning.status).toBe(1);
  const busy = await bash(`echo offline > ${memory}/memory15/state`);
  expect(busy.stderr).toBe(`bash: line 1: echo: write error: Device or resource busy\n`);
  expect(await state(15)).toBe('online');

  const unknown = await bash(`echo online_somewhere > ${memory}/memory40/state`);
  expect(unknown.stderr).toMatch(/write error: Invalid argument/);
  const back = await bash(`echo online > ${memory}/memory40/state`);
  expect(back.status).toBe(0);
  expect(await state(40)).toBe('online');

  const last = writes.slice(-4).map((write) => `${write.path} ${JSON.stringify(write.value)} ${write.result}`);
  expect(last).toEqual([
    '/sys/devices/system/memory/memory0/state "offline\\n" EINVAL',
    '/sys/devices/system/memory/memory15/state "offline\\n" EBUSY',
    '/sys/devices/system/memory/memory40/state "online_somewhere\\n" EINVAL',
    '/sys/devices/system/memory/memory40/state "online\\n" ok',
  ]);
});

test('each write(2) is one store: "off" then "line" are two refused words, not "offline"', async () => {
  const split = await bash(`{ printf off; printf line; } > ${memory}/memory41/state`);
  expect(split.stderr.match(/printf: write error: Invalid argument/g)).toHaveLength(2);
  expect(await state(41)).toBe('online');
  // One write of the whole word, with no newline, is accepted (sysfs_streq ignores one trailing newline, needs none).
  expect((await bash(`printf offline > ${memory}/memory41/state`)).status).toBe(0);
  expect(await state(41)).toBe('offline');
  expect((await bash(`printf online > ${memory}/memory41/state`)).status).toBe(0);
});

test('read-only files and new names are refused with EACCES, as sysfs does for root too', async () => {
  const before = writes.length;
  expect((await bash(`echo 1 > ${memory}/block_size_bytes`)).stderr).toContain('Permission denied');
  expect((await bash(`echo 1 > ${memory}/memory40/valid_zones`)).stderr).toContain('Permission denied');
  expect((await bash(`echo 1 > ${memory}/made-up`)).stderr).toContain('Permission denied');
  expect((await bash(`mkdir ${memory}/made-up-dir`)).status).not.toBe(0);
  expect(writes.length).toBe(before);
});

test('the memory notifier error injector works as debugfs\'s does', async () => {
  const actions = `${dir}/sys/kernel/debug/notifier-error-inject/memory/actions`;
  expect((await bash(`cat ${actions}/MEM_GOING_ONLINE/error`)).stdout).toBe('0\n');
  expect((await bash(`echo offline > ${memory}/memory42/state`)).status).toBe(0);
  expect((await bash(`echo -12 > ${actions}/MEM_GOING_ONLINE/error`)).status).toBe(0);
  expect((await bash(`cat ${actions}/MEM_GOING_ONLINE/error`)).stdout).toBe('-12\n');
  expect(machine.notifierError('MEM_GOING_ONLINE')).toBe('ENOMEM');

  const vetoed = await bash(`echo online > ${memory}/memory42/state`);
  expect(vetoed.stderr).toContain('write error: Cannot allocate memory');
  expect(await state(42)).toBe('offline');

  // Out of range and not a number are refused; 0 clears.
  expect((await bash(`echo 5 > ${actions}/MEM_GOING_ONLINE/error`)).stderr).toBe('');
  expect((await bash(`cat ${actions}/MEM_GOING_ONLINE/error`)).stdout).toBe('0\n');
  expect((await bash(`echo -12 > ${actions}/MEM_GOING_ONLINE/error; echo banana > ${actions}/MEM_GOING_ONLINE/error`)).stderr).toContain('Invalid argument');
  expect((await bash(`cat ${actions}/MEM_GOING_ONLINE/error`)).stdout).toBe('-12\n');
  expect((await bash(`echo 0 > ${actions}/MEM_GOING_ONLINE/error`)).status).toBe(0);
  expect((await bash(`echo online > ${memory}/memory42/state`)).status).toBe(0);
  expect(await state(42)).toBe('online');
  await machine.checkInvariants();
});
