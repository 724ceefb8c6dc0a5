/** kernelcore= and movablecore=: memparse sizes, percents, mirror, and bad values. */
import { describe, expect, it } from 'vitest';
import { CmdlineError, parseCmdline } from '../../../src/model/boot/cmdline.js';

function expectCmdlineError(line: string, param: string, pattern: RegExp): void {
  let caught: unknown;
  try {
    parseCmdline(line);
  } catch (err) {
    caught = err;
  }
  expect(caught, line).toBeInstanceOf(CmdlineError);
  expect((caught as CmdlineError).param).toBe(param);
  expect((caught as CmdlineError).message).toMatch(pattern);
}

describe('kernelcore= / movablecore=', () => {
  it('accepts memparse sizes with any suffix case, in pages', () => {
    expect(parseCmdline('kernelcore=512M').params.kernelcore).toEqual({ kind: 'pages', pages: 131_072 });
    expect(parseCmdline('kernelcore=4g').params.kernelcore).toEqual({ kind: 'pages', pages: 1_048_576 });
    expect(parseCmdline('kernelcore=2T').params.kernelcore).toEqual({ kind: 'pages', pages: 536_870_912 });
    expect(parseCmdline('movablecore=1024K').params.movablecore).toEqual({ kind: 'pages', pages: 256 });
  });

  it('accepts hex and octal and rounds bytes down to pages', () => {
    expect(parseCmdline('kernelcore=0x40000000').params.kernelcore).toEqual({ kind: 'pages', pages: 262_144 });
    expect(parseCmdline('kernelcore=010000').params.kernelcore).toEqual({ kind: 'pages', pages: 1 });
    expect(parseCmdline('kernelcore=4097').params.kernelcore).toEqual({ kind: 'pages', pages: 1 });
  });

  it('accepts percentages, hex ones included', () => {
    expect(parseCmdline('kernelcore=25%').params.kernelcore).toEqual({ kind: 'percent', percent: 25 });
    expect(parseCmdline('movablecore=0x10%').params.movablecore).toEqual({ kind: 'percent', percent: 16 });
  });

  it('takes kernelcore=mirror, which later sizes do not undo', () => {
    expect(parseCmdline('kernelcore=mirror').params.kernelcore).toEqual({ kind: 'mirror' });
    const both = parseCmdline('kernelcore=mirror kernelcore=4G');
    expect(both.params.kernelcore).toEqual({ kind: 'mirror' });
    expect(both.warnings.some((w) => w.includes('mirror stays'))).toBe(true);
  });

  it('lets the last size or percent win', () => {
    expect(parseCmdline('kernelcore=10% kernelcore=4G').params.kernelcore).toEqual({ kind: 'pages', pages: 1_048_576 });
    expect(parseCmdline('kernelcore=4G kernelcore=10%').params.kernelcore).toEqual({ kind: 'percent', percent: 10 });
  });

  it('warns but accepts a percentage above 100', () => {
    const { params, warnings } = parseCmdline('kernelcore=200%');
    expect(params.kernelcore).toEqual({ kind: 'percent', percent: 200 });
    expect(warnings.some((w) => w.includes('kernelcore=200%') && w.includes('above 100'))).toBe(true);
  });

  it('rejects bad values, naming the parameter and what was expected', () => {
    expectCmdlineError('kernelcore=12Q', 'kernelcore', /"12Q" is not valid: expected a size/);
    expectCmdlineError('movablecore=lots', 'movablecore', /expected a size/);
    expectCmdlineError('kernelcore', 'kernelcore', /missing value/);
    expectCmdlineError('kernelcore=25%x', 'kernelcore', /after the '%'/);
    expectCmdlineError('movablecore=mirror', 'movablecore', /expected a size/);
  });
});
