/**
 * tools/testing/selftests/memory-hotplug/mem-on-off-test.sh replayed through
 * the model's sysfs (the kernel's tools/testing/selftests/memory-hotplug/mem-on-off-test.sh), on a 1 TiB machine.
 *
 * Node 0 is [0, 2 GiB) + [4 GiB, 514 GiB). Node 1 (hotpluggable, movable_node)
 * has 256 GiB of boot memory and a 256 GiB slot that is hot-added first, so
 * the script finds removable offline blocks. Bare metal with boot RAM past
 * 64 GiB: 2 GiB blocks.
 *
 * The script's phases, with its default errno (-12, ENOMEM) and a 10% ratio:
 * 1. online every hot-pluggable offline block; each write succeeds and
 *    `state` then reads online;
 * 2. offline ceil(n_online x 10 / 100) online blocks, trying blocks picked at
 *    random (10% each) in glob order until that many succeed;
 * 3. online all offline blocks again;
 * 4. with the memory notifier error injector: offline a random 10%; make
 *    MEM_GOING_ONLINE fail, and every `echo online` must fail and leave the
 *    block offline; clear it and online everything; make MEM_GOING_OFFLINE
 *    fail, and every `echo offline` must fail and leave the block online.
 * Blocks are visited in shell-glob order (memory1, memory10, memory100, ...).
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { bootMachine, type BootedMachine } from '../helpers/boot.js';
import type { BlockInfo, Errno } from '../../src/model/core/types.js';
import { Prng } from '../helpers/prng.js';
import { GiB, twoNodeHotplugBox } from './machines.js';

const MEMORY_DIR = '/sys/devices/system/memory';
/** The script's -r default in current kernels (older versions used 2). */
const RATIO_PERCENT = 10;
/** The script's -e default: -12. */
const INJECTED_ERRNO: Errno = 'ENOMEM';
const SEED = 20260522;

let machine: BootedMachine;
const prng = new Prng(SEED);

beforeAll(async () => {
  machine = await bootMachine(twoNodeHotplugBox(512, 256, 256), { engine: 'wasm' });
  await machine.checkInvariants();
  // Hot-added memory starts offline (memhp_default_state defaults to offline).
  const added = await machine.addMemory({ node: 1, base: 770 * GiB, size: 256 * GiB });
  expect(added.errno ?? 'ok').toBe('ok');
  await machine.checkInvariants();
});

afterAll(async () => {
  await machine?.close();
});

async function readText(path: string): Promise<string> {
  const result = await machine.sysfsRead(path);
  if (!result.ok) throw new Error(`cat ${path}: ${result.errno} ${result.message}`);
  return result.value;
}

/** `for memory in $SYSFS/devices/system/memory/memory*`: glob order is byte order of the names. */
async function globMemoryDirs(): Promise<string[]> {
  const names = await machine.sysfsList(MEMORY_DIR);
  if (names === undefined) throw new Error(`${MEMORY_DIR} is not a directory`);
  return names.filter((name) => name.startsWith('memory')).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** hotpluggable_memory STATE: `grep -q 1 removable && grep -q STATE state`, in glob order. */
async function hotpluggable(state: 'online' | 'offline'): Promise<string[]> {
  const out: string[] = [];
  for (const name of await globMemoryDirs()) {
    const removable = await readText(`${MEMORY_DIR}/${name}/removable`);
    const current = await readText(`${MEMORY_DIR}/${name}/state`);
    if (removable.includes('1') && current.includes(state)) out.push(name);
  }
  return out;
}

/** `echo VALUE > state`, then check invariants: a write is one lifecycle step. */
async function echoState(name: string, value: 'online' | 'offline') {
  const result = await machine.sysfsWrite(`${MEMORY_DIR}/${name}/state`, `${value}\n`);
  await machine.checkInvariants();
  return result;
}

async function stateOf(name: string): Promise<string> {
  return (await readText(`${MEMORY_DIR}/${name}/state`)).trimEnd();
}

async function zoneOf(): Promise<Map<string, BlockInfo['zone']>> {
  return new Map((await machine.blocks()).map((block) => [`memory${block.id}`, block.zone]));
}

/** online_memory_expect_success over every hot-pluggable offline block; returns how many. */
async function onlineAllOffline(): Promise<number> {
  const offline = await hotpluggable('offline');
  for (const name of offline) {
    const result = await echoState(name, 'online');
    expect(result.ok ? 'ok' : `${name}: ${result.errno} ${result.message}`).toBe('ok');
    expect(await stateOf(name)).toBe('online');
  }
  return offline.length;
}

/**
 * Offline random blocks (each with probability RATIO_PERCENT) in glob order.
 * A block the kernel cannot empty may refuse; a Movable block must not, on
 * this machine with hundreds of GiB free elsewhere. Returns the successes.
 */
async function offlineRandom(candidates: readonly string[], stopAfter: number): Promise<{ done: string[]; refused: string[] }> {
  const zones = await zoneOf();
  const done: string[] = [];
  const refused: string[] = [];
  for (const name of candidates) {
    if (done.length >= stopAfter) break;
    if (prng.int(0, 100) >= RATIO_PERCENT) continue;
    const result = await echoState(name, 'offline');
    if (result.ok) {
      expect(await stateOf(name)).toBe('offline');
      done.push(name);
    } else {
      expect(await stateOf(name)).toBe('online');
      expect(zones.get(name), `${name} refused to go offline: ${result.errno} ${result.message}`).not.toBe('Movable');
      refused.push(name);
    }
  }
  return { done, refused };
}

test('the machine has hot-pluggable memory: every block reads removable 1', async () => {
  const names = await globMemoryDirs();
  // Glob order is byte order; memory1 ([2 GiB, 4 GiB), the PCI hole) does not exist.
  expect(names.slice(0, 4)).toEqual(['memory0', 'memory10', 'memory100', 'memory101']);
  // Node 0: memory0 and memory2-256 (512 GiB); node 1: memory257-512 (256 GiB at boot, 256 GiB added).
  expect(names).toHaveLength(256 + 256);
  for (const name of names) expect(await readText(`${MEMORY_DIR}/${name}/removable`)).toBe('1\n');
});

test('phase 1: every hot-pluggable offline block goes online', async () => {
  // The 256 GiB just added: 128 blocks of 2 GiB.
  expect(await onlineAllOffline()).toBe(128);
  expect(await hotpluggable('offline')).toEqual([]);
});

test('phase 2: ceil(10% of the online blocks) go offline', async () => {
  const online = await hotpluggable('online');
  const target = Math.ceil((online.length * RATIO_PERCENT) / 100);
  const done: string[] = [];
  // Like the script, try random blocks until the target is reached; walk the
  // untried blocks again if one pass in glob order was not enough.
  let untried = online;
  while (done.length < target && untried.length > 0) {
    const pass = await offlineRandom(untried, target - done.length);
    done.push(...pass.done);
    const tried = new Set([...pass.done, ...pass.refused]);
    untried = untried.filter((name) => !tried.has(name));
  }
  expect(done.length).toBe(target);
  expect(await hotpluggable('offline')).toEqual([...done].sort());
});

test('phase 3: every offline block goes online again', async () => {
  expect(await onlineAllOffline()).toBeGreaterThan(0);
  expect(await hotpluggable('offline')).toEqual([]);
});

test('phase 4: notifier errors make every online and every offline fail, leaving the blocks as they were', async () => {
  machine.injectNotifierError('MEM_GOING_OFFLINE', null);
  const offlined = await offlineRandom(await hotpluggable('online'), Number.POSITIVE_INFINITY);
  expect(offlined.done.length).toBeGreaterThan(0);

  // MEM_GOING_ONLINE vetoed: echo online fails with the errno, the block stays offline.
  machine.injectNotifierError('MEM_GOING_ONLINE', INJECTED_ERRNO);
  const offline = await hotpluggable('offline');
  expect(offline).toEqual([...offlined.done].sort());
  for (const name of offline) {
    const result = await echoState(name, 'online');
    expect(result.ok ? 'ok' : result.errno).toBe(INJECTED_ERRNO);
    expect(await stateOf(name)).toBe('offline');
  }

  machine.injectNotifierError('MEM_GOING_ONLINE', null);
  expect(await onlineAllOffline()).toBe(offline.length);

  // MEM_GOING_OFFLINE vetoed: echo offline fails and the block stays online.
  // A Movable block passes isolation and reaches the notifier, so it fails
  // with the injected errno; a kernel block may be refused earlier (EBUSY
  // for unmovable pages, EINVAL for a block spanning zones).
  machine.injectNotifierError('MEM_GOING_OFFLINE', INJECTED_ERRNO);
  const zones = await zoneOf();
  const online = await hotpluggable('online');
  let vetoed = 0;
  for (const name of online) {
    const result = await echoState(name, 'offline');
    expect(result.ok, `${name} went offline despite the notifier`).toBe(false);
    if (!result.ok) {
      if (zones.get(name) === 'Movable') {
        expect(result.errno).toBe(INJECTED_ERRNO);
        vetoed++;
      } else expect([INJECTED_ERRNO, 'EBUSY', 'EINVAL']).toContain(result.errno);
    }
    expect(await stateOf(name)).toBe('online');
  }
  // Node 1's 512 GiB: 256 Movable blocks.
  expect(vetoed).toBe(256);
  machine.injectNotifierError('MEM_GOING_OFFLINE', null);
});
