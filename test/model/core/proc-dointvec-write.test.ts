/**
 * How a write to an int sysctl is parsed (kernel/sysctl.c
 * __do_proc_dointvec, proc_get_long): values in C notation separated by
 * white space, stored one by one until a bad one stops the parse; a write
 * that stores nothing is EINVAL; text past the table's last value is ignored.
 */
import { expect, test } from 'vitest';
import { procDointvecShow, procDointvecWrite } from '../../../src/model/core/sysctl.js';

test('one value: C notation, a sign, white space around it', () => {
  expect(procDointvecWrite('42\n', 1)).toEqual({ stored: [42], errno: null });
  expect(procDointvecWrite('0x2a', 1)).toEqual({ stored: [42], errno: null });
  expect(procDointvecWrite('052', 1)).toEqual({ stored: [42], errno: null });
  expect(procDointvecWrite(' \t-42 ', 1)).toEqual({ stored: [-42], errno: null });
  expect(procDointvecWrite('42 43', 1)).toEqual({ stored: [42], errno: null });
});

test('what stops a value: no digit, a character glued to it, too many characters, int overflow, bounds', () => {
  for (const text of ['', '\n', '-', '+1', 'x1', '4k', '09', '1,2', '00000000000000000000042', '2147483648', '-2147483649']) {
    expect(procDointvecWrite(text, 1), JSON.stringify(text)).toEqual({ stored: [], errno: 'EINVAL' });
  }
  expect(procDointvecWrite('-2147483648', 1)).toEqual({ stored: [-2147483648], errno: null });
  expect(procDointvecWrite('0', 1, { min: 1, max: 3000 }).errno).toBe('EINVAL');
  expect(procDointvecWrite('3000', 1, { min: 1, max: 3000 }).stored).toEqual([3000]);
});

test('a vector: values stored until the first bad one; extra values ignored', () => {
  expect(procDointvecWrite('1 2 x 4', 5)).toEqual({ stored: [1, 2], errno: 'EINVAL' });
  expect(procDointvecWrite('1\t2\n3 4 5 6 7', 5)).toEqual({ stored: [1, 2, 3, 4, 5], errno: null });
});

test('reads show the values separated by tabs', () => {
  expect(procDointvecShow([256, 256, 32, 0, 0])).toBe('256\t256\t32\t0\t0\n');
});
