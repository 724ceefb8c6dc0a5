/**
 * The kernel's own table limits: at most NR_NODE_MEMBLKS (2048) enabled SRAT
 * memory entries and E820_MAX_ENTRIES (3200) firmware map entries. Past
 * them the kernel rejects the SRAT (or drops e820 entries); the model refuses
 * such a machine with a message naming the limit, in validation and at boot,
 * without first doing the quadratic work a table that size would cost.
 */
import { describe, expect, test } from 'vitest';
import { computeBootLayout } from '../../../src/model/boot/setup.js';
import { BootError } from '../../../src/model/core/errors.js';
import { E820_MAX_ENTRIES, NR_NODE_MEMBLKS } from '../../../src/model/core/kernel.js';
import type { MachineSpec, SratMemoryAffinity } from '../../../src/model/core/types.js';
import { checkScenarioText } from '../../../src/study/scenario.js';

const GiB = 2 ** 30;

function sratYaml(n: number): string {
  const lines = ['version: 1', 'machine:', '  srat:'];
  for (let i = 0; i < n; i++) lines.push(`    - { node: ${i % 64}, base: ${i * GiB}, size: 1G }`);
  return `${lines.join('\n')}\n`;
}

function spec(nSrat: number, nE820 = 1): MachineSpec {
  const srat: SratMemoryAffinity[] = Array.from({ length: nSrat }, (_, i) => ({
    node: i % 64,
    base: i * GiB,
    size: GiB,
    enabled: true,
    hotpluggable: false,
    nonVolatile: false,
    populated: true,
  }));
  return {
    e820: Array.from({ length: nE820 }, (_, i) => ({ base: i * 2 * GiB, size: GiB, type: 'usable' as const })),
    srat,
    reservations: [],
    blockSize: 'auto',
    hypervisor: false,
    slit: null,
    cmdline: '',
  };
}

function bootError(machine: MachineSpec): BootError {
  try {
    computeBootLayout(machine);
  } catch (err) {
    if (err instanceof BootError) return err;
    throw err;
  }
  throw new Error('the machine booted');
}

describe('SRAT entries', () => {
  test('NR_NODE_MEMBLKS entries validate; one more is refused naming the limit', () => {
    expect(checkScenarioText(sratYaml(NR_NODE_MEMBLKS), 'at.yaml').ok).toBe(true);
    const over = checkScenarioText(sratYaml(NR_NODE_MEMBLKS + 1), 'over.yaml');
    expect(over.ok).toBe(false);
    if (!over.ok) {
      expect(over.error.message).toBe(
        `over.yaml: machine.srat: ${NR_NODE_MEMBLKS + 1} enabled memory affinity entries, more than the 2048 (NR_NODE_MEMBLKS) ` +
          'the kernel can hold: numa_add_memblk would fail and the kernel would reject the whole SRAT and boot one node',
      );
    }
  });

  test('disabled entries do not count', () => {
    const text = sratYaml(NR_NODE_MEMBLKS).replace('size: 1G }', 'size: 1G }\n    - { node: 0, base: 0x100000000000, size: 1G, enabled: false }');
    expect(checkScenarioText(text, 'a.yaml').ok).toBe(true);
  });

  test('boot refuses it too', () => {
    const error = bootError(spec(NR_NODE_MEMBLKS + 1));
    expect(error.message).toContain('(NR_NODE_MEMBLKS)');
  });
});

describe('e820 entries', () => {
  test('E820_MAX_ENTRIES + 1 entries are refused at validation and boot', () => {
    const entries = Array.from({ length: E820_MAX_ENTRIES + 1 }, (_, i) => `    - { base: ${i * 2 * GiB}, size: 1G }`);
    const result = checkScenarioText(`version: 1\nmachine:\n  e820:\n${entries.join('\n')}\n`, 'e.yaml');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toContain(`e.yaml: machine.e820: ${E820_MAX_ENTRIES + 1} entries, more than the 3200 (E820_MAX_ENTRIES)`);
    expect(bootError({ ...spec(1, E820_MAX_ENTRIES + 1), srat: null }).message).toContain('(E820_MAX_ENTRIES)');
  });
});
