/**
 * Node and zone counters from nodes() against independent recounts: the
 * memblock layout for present pages and the engines for FREE and RESERVED
 * pages. Also determinism: two boots of one spec agree exactly.
 */
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, lstatSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ALL_CLASSES, classBit, PageClass } from '../../../src/contract/constants.js';
import { bootMachine, type BootedMachine } from '../../helpers/boot.js';
import { memPfnRanges } from '../../../src/model/boot/mm-init.js';
import type { MachineSpec, NodeStats } from '../../../src/model/core/types.js';
import { GiB, MiB, singleNodeWithPciHole, twoNodes } from '../../helpers/machines.js';

const FREE = classBit(PageClass.FREE);
const RESERVED = classBit(PageClass.RESERVED);

/** Pages of `[start, end)` covered by the node's memory, from memblock alone. */
function memoryPagesIn(machine: BootedMachine, nid: number, startPfn: number, endPfn: number): number {
  let pages = 0;
  for (const r of memPfnRanges(machine.layout.memory, nid)) {
    pages += Math.max(0, Math.min(r.endPfn, endPfn) - Math.max(r.startPfn, startPfn));
  }
  return pages;
}

const TOPOLOGIES: [string, MachineSpec][] = [
  ['single node with the PCI hole', singleNodeWithPciHole()],
  ['two nodes', twoNodes()],
  ['two nodes sharing memory64', twoNodes({ boundary: 8 * GiB + 64 * MiB })],
  ['single node with movablecore=1000M', singleNodeWithPciHole({ cmdline: 'movablecore=1000M' })],
];

describe.each(TOPOLOGIES)('%s', (_name, spec) => {
  let machine: BootedMachine;
  let nodes: NodeStats[];
  beforeAll(async () => {
    machine = await bootMachine(spec, { engine: 'reference' });
    nodes = await machine.nodes();
  });
  afterAll(() => machine?.close());

  test('every zone: present = memory pages in its span, free = engine FREE count = managed at boot', async () => {
    for (const node of nodes) {
      expect(node.zones.map((z) => z.name)).toEqual(['DMA', 'DMA32', 'Normal', 'Movable', 'Device']);
      for (const zone of node.zones) {
        const endPfn = zone.zoneStartPfn + zone.spannedPages;
        expect(zone.presentPages).toBe(memoryPagesIn(machine, node.nid, zone.zoneStartPfn, endPfn));
        expect(zone.presentEarlyPages).toBe(zone.presentPages);
        // Zones of different nodes do not interleave here, so the span alone selects the zone's pages.
        const engineFree = zone.spannedPages === 0 ? 0 : await machine.shards.count(zone.zoneStartPfn, endPfn, FREE);
        expect(zone.freePages).toBe(engineFree);
        expect(zone.freePages).toBe(zone.managedPages);
      }
      expect(node.nodePresentPages).toBe(node.zones.reduce((sum, z) => sum + z.presentPages, 0));
    }
  });

  test('engine page state: memory pages are all present, reservations stay RESERVED, the rest is FREE', async () => {
    let memoryPages = 0;
    for (const r of memPfnRanges(machine.layout.memory)) {
      memoryPages += r.endPfn - r.startPfn;
      expect(await machine.shards.count(r.startPfn, r.endPfn, ALL_CLASSES)).toBe(r.endPfn - r.startPfn);
    }
    let reservedPages = 0;
    for (const r of machine.layout.reserved) {
      const startPfn = Math.floor(r.base / 4096);
      const endPfn = Math.ceil((r.base + r.size) / 4096);
      reservedPages += endPfn - startPfn;
      expect(await machine.shards.count(startPfn, endPfn, RESERVED)).toBe(endPfn - startPfn);
    }
    const totalFree = await machine.shards.count(0, machine.layout.maxPfn, FREE);
    const totalManaged = nodes.reduce((sum, n) => sum + n.zones.reduce((s, z) => s + z.managedPages, 0), 0);
    expect(totalFree).toBe(totalManaged);
    expect(totalFree).toBe(memoryPages - reservedPages);
  });

  test('holes inside present sections are RESERVED (page 0 and the legacy area)', async () => {
    const shard = machine.shards.shardOfPfn(0)!;
    const classes = await shard.engine.readClasses(0, 256);
    expect(classes[0]).toBe(PageClass.RESERVED);
    expect(classes[1]).toBe(PageClass.FREE);
    expect(classes[158]).toBe(PageClass.FREE);
    expect(Array.from(classes.slice(159, 256)).every((c) => c === PageClass.RESERVED)).toBe(true);
  });

  test('every shard passes its own validation', async () => {
    for (const shard of machine.shards.shards) await shard.engine.validate();
  });
});

describe('determinism', () => {
  function snapshot(dir: string): Record<string, string> {
    const out: Record<string, string> = {};
    const walk = (path: string, rel: string): void => {
      for (const name of readdirSync(path).sort()) {
        const full = join(path, name);
        const key = `${rel}/${name}`;
        const stat = lstatSync(full);
        if (stat.isSymbolicLink()) out[key] = `-> ${readlinkSync(full)}`;
        else if (stat.isDirectory()) walk(full, key);
        else out[key] = `${(stat.mode & 0o777).toString(8)} ${readFileSync(full, 'utf8')}`;
      }
    };
    walk(dir, '');
    return out;
  }

  test('two boots of the same spec agree on nodes, blocks, exports and /proc text', async () => {
    const spec = twoNodes({ boundary: 8 * GiB + 64 * MiB, cmdline: 'movablecore=1000M' });
    const dirs = [mkdtempSync(join(tmpdir(), 'pfnlab-a-')), mkdtempSync(join(tmpdir(), 'pfnlab-b-'))];
    const machines = await Promise.all([bootMachine(spec, { engine: 'reference' }), bootMachine(spec, { engine: 'reference' })]);
    try {
      const [a, b] = machines;
      expect(await b.nodes()).toEqual(await a.nodes());
      expect(await b.blocks()).toEqual(await a.blocks());
      expect(await b.zoneinfo()).toBe(await a.zoneinfo());
      expect(await b.iomem()).toBe(await a.iomem());
      await a.exportSysfs(dirs[0]);
      await b.exportSysfs(dirs[1]);
      const snapA = snapshot(dirs[0]);
      expect(Object.keys(snapA).length).toBeGreaterThan(96 * 7);
      expect(snapshot(dirs[1])).toEqual(snapA);
      expect(Object.keys(snapA).some((k) => k.startsWith('/sys/firmware'))).toBe(false);
    } finally {
      await Promise.all(machines.map((m) => m.close()));
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the WASM engine and the reference engine give the same machine', async () => {
    const spec = twoNodes({ boundary: 8 * GiB + 64 * MiB });
    const [wasm, reference] = await Promise.all([bootMachine(spec), bootMachine(spec, { engine: 'reference' })]);
    try {
      expect(await wasm.nodes()).toEqual(await reference.nodes());
      expect(await wasm.blocks()).toEqual(await reference.blocks());
      for (const shard of wasm.shards.shards) {
        const twin = reference.shards.shards[shard.index];
        const sections = (shard.endPfn - shard.startPfn) / 32768;
        const first = shard.startPfn / 32768;
        expect(await shard.engine.readSections(first, sections)).toEqual(await twin.engine.readSections(first, sections));
        expect(await shard.engine.countClasses(shard.startPfn, shard.endPfn)).toEqual(
          await twin.engine.countClasses(twin.startPfn, twin.endPfn),
        );
      }
    } finally {
      await Promise.all([wasm.close(), reference.close()]);
    }
  });
});
