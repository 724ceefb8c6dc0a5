/**
 * How a write to an integer sysctl is read (kernel/sysctl.c
 * `__do_proc_dointvec`, `proc_get_long`, `do_proc_dointvec_minmax_conv`),
 * and how its value is shown. The /proc/sys/vm handlers (alloc/watermarks.ts)
 * build on this; what they do with a refused value differs, so the parse
 * reports what it stored before it stopped and why it stopped.
 *
 * The rules, for a table of `maxValues` ints:
 * - at most PAGE_SIZE - 1 characters are looked at;
 * - values are separated by white space; each is an optional `-`, then C
 *   notation read leniently (`0x` hex when a hex digit follows, a leading
 *   `0` octal, else decimal), then white space (space, tab or newline) or
 *   the end of the text; 21 characters or more is too long;
 * - each value must fit an int, and the table's bounds when it has them;
 *   it is stored at once, so a later bad value leaves the earlier ones set;
 * - text after the last value the table holds is ignored (the write comes
 *   back short, and `echo` writes the rest at a non-zero offset, which the
 *   strict sysctl write mode ignores);
 * - a write that stores nothing is EINVAL.
 */
import { PAGE_SIZE } from '../../contract/constants.js';

/** TMPBUFLEN in proc_get_long: a number and its sign fit in 21 characters. */
const PROC_NUMBER_MAX_CHARS = 21;
const INT_MAX = 2 ** 31 - 1;
const ULONG_MAX = 2n ** 64n - 1n;

/** What one write parsed: the values stored from index 0 on, and the error that ended it, if any. */
export interface ProcIntvecWrite {
  stored: number[];
  errno: 'EINVAL' | null;
}

/** extra1 / extra2 of a `proc_dointvec_minmax` table: inclusive bounds, absent when the table has none. */
export interface IntBounds {
  min?: number;
  max?: number;
}

/** isspace (lib/ctype.c) for the characters a write can hold. */
function isSpace(c: string): boolean {
  return c === ' ' || (c >= '\t' && c <= '\r');
}

/** proc_wspace_sep: what may follow a number. */
function isSeparator(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n';
}

function digitValue(c: string | undefined): number {
  if (c === undefined) return 99;
  const code = c.toLowerCase().charCodeAt(0);
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  return 99;
}

/**
 * proc_get_long on `text` from `at`: the value (as an unsigned magnitude and
 * a sign) and where it ends, or null for EINVAL.
 */
function procGetLong(text: string, at: number): { negative: boolean; magnitude: bigint; end: number } | null {
  const remaining = text.length - at;
  if (remaining <= 0) return null;
  const tmp = text.slice(at, at + PROC_NUMBER_MAX_CHARS);
  let p = 0;
  const negative = tmp[0] === '-' && remaining > 1;
  if (negative) p++;
  if (digitValue(tmp[p]) > 9) return null;
  // strtoul_lenient with base 0 (_parse_integer_fixup_radix).
  let radix = 10;
  if (tmp[p] === '0') {
    if ((tmp[p + 1] === 'x' || tmp[p + 1] === 'X') && digitValue(tmp[p + 2]) < 16) {
      radix = 16;
      p += 2;
    } else {
      radix = 8;
    }
  }
  let magnitude = 0n;
  while (p < tmp.length && digitValue(tmp[p]) < radix) {
    magnitude = magnitude * BigInt(radix) + BigInt(digitValue(tmp[p]));
    p++;
  }
  if (magnitude > ULONG_MAX) return null;
  if (p === PROC_NUMBER_MAX_CHARS) return null;
  if (p < remaining && !isSeparator(tmp[p])) return null;
  return { negative, magnitude, end: at + p };
}

/** do_proc_dointvec_conv then the table's bounds: the int stored, or null for EINVAL. */
function toBoundedInt(negative: boolean, magnitude: bigint, bounds: IntBounds): number | null {
  if (magnitude > BigInt(INT_MAX) + (negative ? 1n : 0n)) return null;
  const value = negative ? -Number(magnitude) : Number(magnitude);
  if (bounds.min !== undefined && value < bounds.min) return null;
  if (bounds.max !== undefined && value > bounds.max) return null;
  return value === 0 ? 0 : value;
}

/** What writing `written` to a table of `maxValues` ints stores (see the rules above). */
export function procDointvecWrite(written: string, maxValues: number, bounds: IntBounds = {}): ProcIntvecWrite {
  const text = written.slice(0, PAGE_SIZE - 1);
  const stored: number[] = [];
  let errno: ProcIntvecWrite['errno'] = null;
  let at = 0;
  while (at < text.length && stored.length < maxValues) {
    while (at < text.length && isSpace(text[at])) at++;
    if (at >= text.length) break;
    const parsed = procGetLong(text, at);
    const value = parsed === null ? null : toBoundedInt(parsed.negative, parsed.magnitude, bounds);
    if (parsed === null || value === null) {
      errno = 'EINVAL';
      break;
    }
    stored.push(value);
    at = parsed.end;
  }
  return { stored, errno: stored.length === 0 ? 'EINVAL' : errno };
}

/** What reading an int table shows: the values separated by tabs, then a newline. */
export function procDointvecShow(values: readonly number[]): string {
  return `${values.join('\t')}\n`;
}
