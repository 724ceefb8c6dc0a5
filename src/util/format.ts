/**
 * Hex numbers as the kernel prints them: lowercase digits, zero-padded to a
 * width when one is given. Messages, reports and the kernel-format files all
 * print addresses and sizes through these two.
 */

/** Lowercase hex digits without a prefix, zero-padded to `width` digits (printf `%0*lx`; longer values are not cut). */
export function hexDigits(value: number, width = 0): string {
  return value.toString(16).padStart(width, '0');
}

/** `0x` then {@link hexDigits}: how messages and reports print addresses and sizes (`%#lx`, `0x%016llx`). */
export function hex(value: number, width = 0): string {
  return `0x${hexDigits(value, width)}`;
}

/**
 * A value as an error message shows it: numbers that are not exact in a
 * double (2^53 or more) are said to be so instead of printed rounded, texts
 * are quoted, and objects are named by type.
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && Math.abs(value) >= 2 ** 53) return `a number of 2^53 or more (too large to be exact)`;
    return String(value);
  }
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `the BigInt ${value}n`;
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'object') return Array.isArray(value) ? 'an array' : 'an object';
  return String(value);
}
