/**
 * `transparent_hugepage=` (mm/huge_memory.c setup_transparent_hugepage):
 * exactly always, madvise or never; absent, the mode is the upstream
 * Kconfig default, always. Any other value is rejected (the kernel would
 * ignore it with a warning and keep the default).
 */
import { expect, test } from 'vitest';
import { CmdlineError, parseCmdline } from '../../../src/model/boot/cmdline.js';

test('the three modes, and always when absent', () => {
  expect(parseCmdline('').params.thp).toBe('always');
  expect(parseCmdline('transparent_hugepage=always').params.thp).toBe('always');
  expect(parseCmdline('transparent_hugepage=madvise').params.thp).toBe('madvise');
  expect(parseCmdline('transparent-hugepage=never').params.thp).toBe('never');
});

test('another spelling or no value is rejected, naming the parameter', () => {
  for (const line of ['transparent_hugepage=Madvise', 'transparent_hugepage=never,', 'transparent_hugepage', 'transparent_hugepage=']) {
    expect(() => parseCmdline(line), line).toThrow(CmdlineError);
  }
  expect(() => parseCmdline('transparent_hugepage=yes')).toThrow('transparent_hugepage: "yes" is not valid: expected always, madvise, never');
});
