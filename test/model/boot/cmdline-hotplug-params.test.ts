/** memory_hotplug.* module parameters, movable_node and memhp_default_state on the command line. */
import { describe, expect, it } from 'vitest';
import { CmdlineError, parseCmdline, parseKernelBool } from '../../../src/model/boot/cmdline.js';

function paramOf(line: string): string {
  try {
    parseCmdline(line);
  } catch (err) {
    if (err instanceof CmdlineError) return err.param;
    throw err;
  }
  throw new Error(`${line} parsed without error`);
}

describe('hotplug parameters', () => {
  it('has the kernel defaults for an empty line', () => {
    expect(parseCmdline('').params).toEqual({
      movableNode: false,
      no5lvl: false,
      kernelcore: { kind: 'unset' },
      movablecore: { kind: 'unset' },
      memhpDefaultState: null,
      memmapOnMemory: 'N',
      onlinePolicy: 'contig-zones',
      autoMovableRatio: 301,
      autoMovableNumaAware: true,
      thp: 'always',
    });
  });

  it('sets movable_node', () => {
    expect(parseCmdline('movable_node').params.movableNode).toBe(true);
  });

  it('parses memmap_on_memory as a kernel bool or force', () => {
    const mode = (v: string) => parseCmdline(`memory_hotplug.memmap_on_memory=${v}`).params.memmapOnMemory;
    expect(mode('Y')).toBe('Y');
    expect(mode('1')).toBe('Y');
    expect(mode('on')).toBe('Y');
    expect(mode('enable')).toBe('Y');
    expect(mode('n')).toBe('N');
    expect(mode('off')).toBe('N');
    expect(mode('force')).toBe('force');
    expect(mode('FORCE')).toBe('force');
    expect(paramOf('memory_hotplug.memmap_on_memory=maybe')).toBe('memory_hotplug.memmap_on_memory');
    expect(paramOf('memory_hotplug.memmap_on_memory')).toBe('memory_hotplug.memmap_on_memory');
  });

  it('accepts only the two online policies', () => {
    expect(parseCmdline('memory_hotplug.online_policy=auto-movable').params.onlinePolicy).toBe('auto-movable');
    expect(parseCmdline('memory_hotplug.online_policy=contig-zones').params.onlinePolicy).toBe('contig-zones');
    expect(() => parseCmdline('memory_hotplug.online_policy=auto_movable')).toThrow(/expected "contig-zones" or "auto-movable"/);
  });

  it('parses auto_movable_ratio as an unsigned 32-bit integer in C notation', () => {
    const ratio = (v: string) => parseCmdline(`memory_hotplug.auto_movable_ratio=${v}`).params.autoMovableRatio;
    expect(ratio('0')).toBe(0);
    expect(ratio('150')).toBe(150);
    expect(ratio('0x64')).toBe(100);
    expect(ratio('4294967295')).toBe(4_294_967_295);
    for (const bad of ['-1', '4294967296', '12%', '', 'ten']) {
      expect(paramOf(`memory_hotplug.auto_movable_ratio=${bad}`), bad).toBe('memory_hotplug.auto_movable_ratio');
    }
  });

  it('parses auto_movable_numa_aware as a kernel bool; bare means true', () => {
    expect(parseCmdline('memory_hotplug.auto_movable_numa_aware=N').params.autoMovableNumaAware).toBe(false);
    expect(parseCmdline('memory_hotplug.auto_movable_numa_aware=0 memory_hotplug.auto_movable_numa_aware').params.autoMovableNumaAware).toBe(true);
    expect(parseCmdline('memory_hotplug.auto_movable_numa_aware=disable').params.autoMovableNumaAware).toBe(false);
    expect(paramOf('memory_hotplug.auto_movable_numa_aware=x')).toBe('memory_hotplug.auto_movable_numa_aware');
  });

  it('decides kstrtobool by the first character, or on/off', () => {
    expect(['1', 'y', 'Yes', 't', 'True', 'e', 'E', 'on', 'ON'].map(parseKernelBool)).toEqual(Array(9).fill(true));
    expect(['0', 'n', 'No', 'f', 'F', 'd', 'D', 'off', 'oF'].map(parseKernelBool)).toEqual(Array(9).fill(false));
    expect(['', 'o', 'x', '2', 'ox'].map(parseKernelBool)).toEqual(Array(5).fill(null));
  });

  it('takes memhp_default_state when valid and ignores an invalid one with a warning', () => {
    expect(parseCmdline('memhp_default_state=online_movable').params.memhpDefaultState).toBe('online_movable');
    expect(parseCmdline('memhp_default_state=offline').params.memhpDefaultState).toBe('offline');
    const bad = parseCmdline('memhp_default_state=online memhp_default_state=sideways');
    expect(bad.params.memhpDefaultState).toBe('online');
    expect(bad.warnings.some((w) => w.includes('memhp_default_state') && w.includes('sideways') && w.includes('ignored'))).toBe(true);
  });
});
