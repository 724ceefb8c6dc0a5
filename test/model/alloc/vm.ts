/**
 * The 6.18 VM of docs/kernel-facts.md (managed DMA 3840, DMA32 772848,
 * Normal 851968 pages; THP madvise), as `scenarios/vm-watermarks.yaml`
 * describes it, and helpers to read its watermarks back.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bootMachine, type BootedMachine } from '../../helpers/boot.js';
import { parseScenario } from '../../../src/study/scenario.js';
import type { MachineSpec } from '../../../src/model/core/types.js';
import { ZONE_NAMES, type ZoneName } from '../../../src/model/core/mmzone.js';

export const GiB = 2 ** 30;
export const VM_SCENARIO = join(__dirname, '../../../scenarios/vm-watermarks.yaml');

/** The measured managed pages, by zone. */
export const VM_MANAGED = { DMA: 3840, DMA32: 772_848, Normal: 851_968 } as const;

/** The VM's MachineSpec, with `changes` applied (a different command line, sysctl settings). */
export function vmSpec(changes: Partial<MachineSpec> = {}): MachineSpec {
  const scenario = parseScenario(readFileSync(VM_SCENARIO, 'utf8'), VM_SCENARIO);
  return { ...scenario.machine, ...changes };
}

/** Boot the VM on the reference engine (cheap: every test here is arithmetic on counters). */
export function bootVm(changes: Partial<MachineSpec> = {}): Promise<BootedMachine> {
  return bootMachine(vmSpec(changes), { engine: 'reference' });
}

/** min/low/high/promo of a zone of node 0, as zoneinfo shows them. */
export function marksOf(machine: BootedMachine, zone: ZoneName, nid = 0): [number, number, number, number] {
  const { min, low, high, promo, boost } = (machine.node(nid)?.zones[ZONE_NAMES.indexOf(zone)] ?? fail(zone)).watermarks;
  return [min + boost, low + boost, high + boost, promo + boost];
}

/** The protection (lowmem_reserve) of a zone of node 0. */
export function protectionOf(machine: BootedMachine, zone: ZoneName, nid = 0): number[] {
  return [...(machine.node(nid)?.zones[ZONE_NAMES.indexOf(zone)] ?? fail(zone)).lowmemReserve];
}

function fail(zone: string): never {
  throw new Error(`no zone ${zone}`);
}

/** The text of a file, or the errno of a failed read. */
export async function readFile(machine: BootedMachine, path: string): Promise<string> {
  const result = await machine.sysfsRead(path);
  return result.ok ? result.value : result.errno;
}

/** The outcome of `echo value > path`: 'ok' or the errno. */
export async function writeFile(machine: BootedMachine, path: string, value: string): Promise<string> {
  const result = await machine.sysfsWrite(path, value);
  return result.ok ? 'ok' : result.errno;
}
