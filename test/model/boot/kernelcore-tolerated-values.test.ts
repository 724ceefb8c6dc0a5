/**
 * Values the kernel accepts with a warning: kernelcore=200% (required_kc >=
 * totalpages: no ZONE_MOVABLE), kernelcore=mirror on a machine without mirrored
 * memory, and bad command-line values surfacing from boot as a BootError.
 */
import { describe, expect, it } from 'vitest';
import { computeBootLayout } from '../../../src/model/boot/setup.js';
import { CmdlineError } from '../../../src/model/boot/cmdline.js';
import { fourNodeBox } from './machines.js';
import { BootError } from '../../../src/model/core/errors.js';
import { ZONE_MOVABLE } from '../../../src/model/core/mmzone.js';

describe('tolerated kernelcore values', () => {
  it('boots kernelcore=200% with no ZONE_MOVABLE and a warning', () => {
    const layout = computeBootLayout(fourNodeBox('kernelcore=200%'));
    expect(layout.zoneMovablePfn).toEqual([0, 0, 0, 0]);
    expect(layout.nodes.every((n) => n.zones[ZONE_MOVABLE].spannedPages === 0)).toBe(true);
    expect(layout.warnings.some((w) => w.includes('kernelcore=200%'))).toBe(true);
  });

  it('boots kernelcore=100% and kernelcore=0 with no ZONE_MOVABLE', () => {
    expect(computeBootLayout(fourNodeBox('kernelcore=100%')).zoneMovablePfn).toEqual([0, 0, 0, 0]);
    expect(computeBootLayout(fourNodeBox('kernelcore=0')).zoneMovablePfn).toEqual([0, 0, 0, 0]);
  });

  it('ignores kernelcore=mirror with a warning when no memory is mirrored', () => {
    const layout = computeBootLayout(fourNodeBox('kernelcore=mirror movablecore=1T'));
    expect(layout.zoneMovablePfn).toEqual([0, 0, 0, 0]);
    expect(layout.warnings).toContain('The system has no mirror memory, ignore kernelcore=mirror.');
    expect(layout.warnings.some((w) => w.includes('movablecore= is ignored'))).toBe(true);
  });

  it('turns a rejected command-line value into a BootError on cmdline', () => {
    let caught: unknown;
    try {
      computeBootLayout(fourNodeBox('kernelcore=12Q'));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(BootError);
    expect((caught as BootError).field).toBe('cmdline');
    expect((caught as BootError).cause).toBeInstanceOf(CmdlineError);
    expect(((caught as BootError).cause as CmdlineError).param).toBe('kernelcore');
  });
});
