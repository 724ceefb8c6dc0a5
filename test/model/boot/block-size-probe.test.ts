/**
 * Facts 2 and 3: the x86 memory block size probe, and the validation of an
 * explicitly set size (set_memory_block_size_order bounds).
 */
import { describe, expect, it } from 'vitest';
import { probeMemoryBlockSize } from '../../../src/model/boot/block-size.js';
import { computeBootLayout } from '../../../src/model/boot/setup.js';
import { fourNodeBox, GiB, machineFromNodes, MiB, TiB } from './machines.js';
import { BootError } from '../../../src/model/core/errors.js';

describe('probe_memory_block_size', () => {
  it('uses 2 GiB on bare metal with boot RAM ending at 4098 GiB (fact 2)', () => {
    expect(probeMemoryBlockSize({ bootMemEndBytes: 4098 * GiB, hypervisor: false })).toBe(2 * GiB);
    expect(computeBootLayout(fourNodeBox()).blockSizeBytes).toBe(0x80000000);
  });

  it('uses the largest power of two dividing the RAM end in a VM (fact 3)', () => {
    expect(probeMemoryBlockSize({ bootMemEndBytes: TiB + GiB, hypervisor: true })).toBe(GiB);
    expect(probeMemoryBlockSize({ bootMemEndBytes: 48 * GiB, hypervisor: true })).toBe(128 * MiB);
    // 64 GiB + 384 MiB is only 128 MiB aligned.
    expect(probeMemoryBlockSize({ bootMemEndBytes: 64 * GiB + 384 * MiB, hypervisor: true })).toBe(128 * MiB);
    // A multiple of 2 GiB keeps the 2 GiB cap.
    expect(probeMemoryBlockSize({ bootMemEndBytes: 256 * GiB, hypervisor: true })).toBe(2 * GiB);
  });

  it('stays at 128 MiB below 64 GiB of boot RAM, bare metal or not', () => {
    expect(probeMemoryBlockSize({ bootMemEndBytes: 64 * GiB - 128 * MiB, hypervisor: false })).toBe(128 * MiB);
    expect(probeMemoryBlockSize({ bootMemEndBytes: 64 * GiB, hypervisor: false })).toBe(2 * GiB);
  });

  it('clamps firmware advice into [128 MiB, 2 GiB] and aligns it to the RAM end', () => {
    expect(probeMemoryBlockSize({ bootMemEndBytes: 512 * GiB, hypervisor: false, advisedMaxSizeBytes: 256 * MiB })).toBe(256 * MiB);
    expect(probeMemoryBlockSize({ bootMemEndBytes: 512 * GiB, hypervisor: false, advisedMaxSizeBytes: 16 * GiB })).toBe(2 * GiB);
    expect(probeMemoryBlockSize({ bootMemEndBytes: 65 * GiB, hypervisor: false, advisedMaxSizeBytes: 2 * GiB })).toBe(GiB);
  });

  it('uses an explicit power-of-two size in [128 MiB, 64 GiB]', () => {
    expect(probeMemoryBlockSize({ bootMemEndBytes: 4098 * GiB, hypervisor: false, explicitSizeBytes: 64 * GiB })).toBe(64 * GiB);
    const spec = machineFromNodes([{ ranges: [[0, 2], [4, 8]] }], '', { blockSize: GiB });
    expect(computeBootLayout(spec).blockSizeBytes).toBe(GiB);
  });

  it('rejects explicit sizes that are not powers of two or out of bounds, naming blockSize', () => {
    for (const bad of [3 * GiB, 64 * MiB, 128 * GiB, 0, 1.5]) {
      const spec = machineFromNodes([{ ranges: [[0, 2], [4, 8]] }], '', { blockSize: bad });
      expect(() => computeBootLayout(spec), String(bad)).toThrow(BootError);
      try {
        computeBootLayout(spec);
      } catch (err) {
        expect((err as BootError).field).toBe('blockSize');
      }
    }
  });
});
