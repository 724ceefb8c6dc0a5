/** Parameters the model does not know are kept verbatim and reported, as the kernel passes them to init. */
import { describe, expect, it } from 'vitest';
import { computeBootLayout } from '../../../src/model/boot/setup.js';
import { parseCmdline } from '../../../src/model/boot/cmdline.js';
import { machineFromNodes } from './machines.js';

describe('unknown parameters', () => {
  it('keeps them in order, with their values, and reports them once', () => {
    const parsed = parseCmdline('console=ttyS0,115200 quiet movable_node foo="a b"');
    expect(parsed.unknown).toEqual(['console=ttyS0,115200', 'quiet', 'foo=a b']);
    expect(parsed.params.movableNode).toBe(true);
    const reports = parsed.warnings.filter((w) => w.startsWith('Unknown kernel command line parameters'));
    expect(reports).toEqual(['Unknown kernel command line parameters "console=ttyS0,115200 quiet foo=a b", will be passed to user space.']);
  });

  it('carries them into the boot layout', () => {
    const layout = computeBootLayout(machineFromNodes([{ ranges: [[0, 2], [4, 8]] }], 'splash root=/dev/vda'));
    expect(layout.cmdline.unknown).toEqual(['splash', 'root=/dev/vda']);
    expect(layout.warnings.some((w) => w.includes('"splash root=/dev/vda"'))).toBe(true);
  });

  it('reports nothing when every parameter is known', () => {
    expect(parseCmdline('movable_node kernelcore=1G').warnings).toEqual([]);
  });
});
