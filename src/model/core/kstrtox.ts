/**
 * The kernel's parsers for what user space writes (lib/kstrtox.c kstrtobool
 * and kstrtouint, lib/string.c sysfs_streq). sysfs stores and the command
 * line's module parameters read values through these.
 */

/** sysfs_streq against a constant: equal, allowing one trailing newline on the written text. */
export function sysfsStreq(written: string, expected: string): boolean {
  return written === expected || written === `${expected}\n`;
}

/**
 * kstrtobool: decided by the first character (1/y/t/e true, 0/n/f/d false,
 * either case) or by "on"/"off"; anything else is not a boolean.
 */
export function parseKernelBool(written: string): boolean | undefined {
  const first = written.charAt(0);
  if (first === '') return undefined;
  if ('eEyYtT1'.includes(first)) return true;
  if ('dDnNfF0'.includes(first)) return false;
  if (first === 'o' || first === 'O') {
    const second = written.charAt(1);
    if (second === 'n' || second === 'N') return true;
    if (second === 'f' || second === 'F') return false;
  }
  return undefined;
}

export type KernelUintResult = { ok: true; value: number } | { ok: false; errno: 'EINVAL' | 'ERANGE' };

/**
 * kstrtouint(s, 0): optional '+', then C notation (0x hex, leading 0 octal,
 * else decimal), at least one digit, then at most one newline. Above
 * UINT_MAX is ERANGE.
 */
export function parseKernelUint(written: string): KernelUintResult {
  let text = written.startsWith('+') ? written.slice(1) : written;
  let radix = 10;
  let digits = /^[0-9]+/;
  if (/^0[xX][0-9a-fA-F]/.test(text)) {
    radix = 16;
    digits = /^[0-9a-fA-F]+/;
    text = text.slice(2);
  } else if (text.startsWith('0')) {
    radix = 8;
    digits = /^[0-7]+/;
  }
  const match = digits.exec(text);
  if (match === null) return { ok: false, errno: 'EINVAL' };
  const rest = text.slice(match[0].length);
  if (rest !== '' && rest !== '\n') return { ok: false, errno: 'EINVAL' };
  let value = 0n;
  for (const ch of match[0]) value = value * BigInt(radix) + BigInt(parseInt(ch, radix));
  if (value > 0xffffffffn) return { ok: false, errno: 'ERANGE' };
  return { ok: true, value: Number(value) };
}
