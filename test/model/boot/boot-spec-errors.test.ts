/** An impossible machine is a BootError naming the spec field at fault. */
import { describe, expect, it } from 'vitest';
import { computeBootLayout } from '../../../src/model/boot/setup.js';
import type { MachineSpec } from '../../../src/model/core/types.js';
import { GiB, machineFromNodes, MiB } from './machines.js';
import { BootError } from '../../../src/model/core/errors.js';

function fieldOf(spec: MachineSpec): string {
  try {
    computeBootLayout(spec);
  } catch (err) {
    if (err instanceof BootError) return err.field;
    throw err;
  }
  throw new Error('booted without error');
}

const good = (): MachineSpec => machineFromNodes([{ ranges: [[0, 2], [4, 8]] }, { ranges: [[8, 16]] }]);

describe('BootError fields', () => {
  it('needs usable RAM', () => {
    expect(fieldOf({ ...good(), e820: [{ base: 0, size: GiB, type: 'reserved' }] })).toBe('e820');
    expect(fieldOf({ ...good(), e820: [{ base: 0, size: 100, type: 'usable' }] })).toBe('e820');
  });

  it('checks e820 entries', () => {
    expect(fieldOf({ ...good(), e820: [{ base: -1, size: GiB, type: 'usable' }] })).toBe('e820[0].base');
    expect(fieldOf({ ...good(), e820: [{ base: 0, size: 1.5, type: 'usable' }] })).toBe('e820[0].size');
  });

  it('checks SRAT entries', () => {
    const spec = good();
    spec.srat![2] = { ...spec.srat![2], node: 5000 };
    expect(fieldOf(spec)).toBe('srat[2].node');
    const spec2 = good();
    spec2.srat![0] = { ...spec2.srat![0], size: -GiB };
    expect(fieldOf(spec2)).toBe('srat[0].size');
  });

  it('checks reservations and needs the kernel image in RAM', () => {
    expect(fieldOf({ ...good(), reservations: [{ name: 'initrd', base: GiB, size: 0 }] })).toBe('reservations[0].size');
    expect(fieldOf({ ...good(), reservations: [{ name: 'kernel', base: 3 * GiB, size: 32 * MiB }] })).toBe('reservations[0]');
    // The default image at 16 MiB does not fit a machine whose RAM starts at 4 GiB.
    expect(fieldOf(machineFromNodes([{ ranges: [[4, 8]] }]))).toBe('reservations');
  });

  it('leaves the spec unchanged when it fails', () => {
    const spec = good();
    spec.blockSize = 3 * GiB;
    const before = structuredClone(spec);
    expect(() => computeBootLayout(spec)).toThrow(BootError);
    expect(spec).toEqual(before);
  });
});
