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
