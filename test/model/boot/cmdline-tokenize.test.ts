/** Kernel command-line tokenising (kernel/params.c next_arg). */
import { describe, expect, it } from 'vitest';
import { parseCmdline, tokenizeCmdline } from '../../../src/model/boot/cmdline.js';

describe('tokenizeCmdline', () => {
  it('splits on runs of whitespace and separates name from value at the first =', () => {
    expect(tokenizeCmdline('  quiet \t root=/dev/sda1  a=b=c ')).toEqual([
      { param: 'quiet', value: null },
      { param: 'root', value: '/dev/sda1' },
      { param: 'a', value: 'b=c' },
    ]);
  });

  it('groups a quoted value and drops its quotes', () => {
    expect(tokenizeCmdline('foo="bar baz" x')).toEqual([
      { param: 'foo', value: 'bar baz' },
      { param: 'x', value: null },
    ]);
  });

  it('groups a quoted whole token and drops the outer quotes', () => {
    expect(tokenizeCmdline('"foo=bar baz" "lone word"')).toEqual([
      { param: 'foo', value: 'bar baz' },
      { param: 'lone word', value: null },
    ]);
  });

  it('stops at a bare -- (the rest belongs to init)', () => {
    expect(tokenizeCmdline('movable_node -- kernelcore=1G single')).toEqual([{ param: 'movable_node', value: null }]);
    expect(parseCmdline('movable_node -- kernelcore=banana').params.kernelcore).toEqual({ kind: 'unset' });
  });

  it('treats dashes and underscores in names alike', () => {
    const { params, unknown } = parseCmdline('movable-node memory_hotplug.online-policy=auto-movable');
    expect(params.movableNode).toBe(true);
    expect(params.onlinePolicy).toBe('auto-movable');
    expect(unknown).toEqual([]);
  });

  it('returns nothing for an empty line', () => {
    expect(tokenizeCmdline('')).toEqual([]);
    expect(tokenizeCmdline('   ')).toEqual([]);
  });
});
