/**
 * The kernel's parsers for what user space writes (lib/kstrtox.c kstrtobool
 * kstrtouint and kstrtoll, lib/string.c sysfs_streq). sysfs stores and the command
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
 * The unsigned part of kstrtoull(s, 0): optional '+', then C notation (0x
 * hex, leading 0 octal, else decimal), at least one digit, then at most one
 * newline. Unbounded: the callers check the range.
 */
function parseUnsigned(written: string): bigint | undefined {
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
  if (match === null) return undefined;
  const rest = text.slice(match[0].length);
  if (rest !== '' && rest !== '\n') return undefined;
  let value = 0n;
  for (const ch of match[0]) value = value * BigInt(radix) + BigInt(parseInt(ch, radix));
  return value;
}

/** kstrtouint(s, 0): {@link parseUnsigned}; above UINT_MAX is ERANGE. */
export function parseKernelUint(written: string): KernelUintResult {
  const value = parseUnsigned(written);
  if (value === undefined) return { ok: false, errno: 'EINVAL' };
  if (value > 0xffffffffn) return { ok: false, errno: 'ERANGE' };
  return { ok: true, value: Number(value) };
}

export type KernelInt64Result = { ok: true; value: bigint } | { ok: false; errno: 'EINVAL' | 'ERANGE' };

/**
 * kstrtoll(s, 0): a leading '-' negates what follows (which may not carry its
 * own sign); otherwise as kstrtoull. Outside a signed 64-bit value is ERANGE.
 */
export function parseKernelInt64(written: string): KernelInt64Result {
  const negative = written.startsWith('-');
  const body = negative ? written.slice(1) : written;
  if (negative && body.startsWith('+')) return { ok: false, errno: 'EINVAL' };
  const magnitude = parseUnsigned(body);
  if (magnitude === undefined) return { ok: false, errno: 'EINVAL' };
  const value = negative ? -magnitude : magnitude;
  if (value > 0x7fffffffffffffffn || value < -0x8000000000000000n) return { ok: false, errno: 'ERANGE' };
  return { ok: true, value };
}
