/**
 * `pfnlab import` of a saved tree: the model's own export of a 4-node
 * machine (sysfs, /proc/zoneinfo, /proc/iomem, and a /proc/cmdline written
 * here) gives a scenario whose expect step passes, and which exports the
 * same tree and /proc/zoneinfo again. An ACPI SRAT, when the tree has one,
 * gives the hotpluggable flags instead of the inference.
 */
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { engineFactoryFor } from '../../src/engines.js';
import { bootMachine } from '../../src/model/index.js';
import { DEFAULT_SCENARIO_YAML } from '../../src/study/default-scenario.js';
import { sratMemory } from '../../src/study/import.js';
import { parseScenario } from '../../src/study/scenario.js';
import { runCli } from './helpers.js';

/** Every file's text and every link's target under `dir`, by relative path. */
function tree(dir: string, at = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(join(dir, at)).sort()) {
    const rel = join(at, name);
    const stat = lstatSync(join(dir, rel));
    if (stat.isSymbolicLink()) out[rel] = `-> ${readlinkSync(join(dir, rel))}`;
    else if (stat.isDirectory()) Object.assign(out, tree(dir, rel));
    else out[rel] = readFileSync(join(dir, rel), 'utf8');
  }
  return out;
}

async function exportTree(yaml: string, root: string, cmdline: string): Promise<void> {
  const machine = await bootMachine(parseScenario(yaml, 'x.yaml').machine, { engines: await engineFactoryFor({ engine: 'wasm' }) });
  try {
    await machine.exportSysfs(root);
    mkdirSync(join(root, 'proc'), { recursive: true });
    writeFileSync(join(root, 'proc', 'zoneinfo'), await machine.zoneinfo());
    writeFileSync(join(root, 'proc', 'iomem'), await machine.iomem());
    writeFileSync(join(root, 'proc', 'cmdline'), `${cmdline}\n`);
  } finally {
    await machine.close();
  }
}

test('export, import, boot, export again: the same tree and zoneinfo, and the imported expect step passes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pfnlab-import-'));
  const first = join(dir, 'first');
  await exportTree(DEFAULT_SCENARIO_YAML, first, 'BOOT_IMAGE=/vmlinuz root=/dev/sda1 movable_node quiet');
  const imported = runCli(['import', '--sysroot', first, '--out', join(dir, 'imported.yaml')], dir);
  expect(imported.status, imported.stderr).toBe(0);
  expect(imported.stderr).toContain('node 1: hotpluggable inferred (all its memory is in ZONE_MOVABLE under movable_node)');
  const yaml = readFileSync(join(dir, 'imported.yaml'), 'utf8');
  expect(yaml).toMatch(/^cmdline: "movable_node"/m);
  expect(yaml).toContain('    - [10, 21, 21, 21]');

  const run = runCli(['run', join(dir, 'imported.yaml')], dir);
  expect(run.status, run.stdout).toBe(0);
  const second = join(dir, 'second');
  await exportTree(yaml, second, 'movable_node');
  const [a, b] = [tree(join(first, 'sys')), tree(join(second, 'sys'))];
  expect(Object.keys(b).length).toBe(Object.keys(a).length);
  expect(b).toEqual(a);
  expect(readFileSync(join(second, 'proc', 'zoneinfo'), 'utf8')).toBe(readFileSync(join(first, 'proc', 'zoneinfo'), 'utf8'));
  expect(readFileSync(join(second, 'proc', 'iomem'), 'utf8')).toBe(readFileSync(join(first, 'proc', 'iomem'), 'utf8'));
});

test('an ACPI SRAT gives the memory affinity entries, hotplug flags included', () => {
  const entries = [
    { node: 0, base: 0, size: 2 ** 31, flags: 1 },
    { node: 1, base: 2 ** 32, size: 2 ** 34, flags: 3 },
    { node: 1, base: 2 ** 36, size: 2 ** 30, flags: 0 }, // not enabled: ignored
  ];
  const table = new Uint8Array(48 + 40 * entries.length + 16);
  const view = new DataView(table.buffer);
  table.set([...'SRAT'].map((c) => c.charCodeAt(0)), 0);
  view.setUint32(4, 48 + 40 * entries.length + 16, true);
  entries.forEach((entry, i) => {
    const at = 48 + 40 * i;
    table[at] = 1;
    table[at + 1] = 40;
    view.setUint32(at + 2, entry.node, true);
    view.setBigUint64(at + 8, BigInt(entry.base), true);
    view.setBigUint64(at + 16, BigInt(entry.size), true);
    view.setUint32(at + 28, entry.flags, true);
  });
  // A processor affinity entry (type 0, 16 bytes) after them is skipped.
  table[48 + 40 * entries.length] = 0;
  table[48 + 40 * entries.length + 1] = 16;
  expect(sratMemory(table)).toEqual([
    { node: 0, base: 0, size: 2 ** 31, hotpluggable: false },
    { node: 1, base: 2 ** 32, size: 2 ** 34, hotpluggable: true },
  ]);
  expect(sratMemory(new TextEncoder().encode('FACP'.padEnd(64, '\0')))).toBeUndefined();
});
