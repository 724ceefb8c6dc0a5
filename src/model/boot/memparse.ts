/**
 * The kernel's size syntax (lib/cmdline.c memparse): an unsigned integer in
 * C notation (0x hex, leading 0 octal, else decimal) followed by an optional
 * binary suffix K, M, G, T, P or E (either case), each a factor of 1024.
 */

const SUFFIX_SHIFT: Record<string, number> = { k: 10, m: 20, g: 30, t: 40, p: 50, e: 60 };

export interface MemparseResult {
  /** The value in bytes (exact while below 2^53). */
  value: number;
  /** What follows the number and its suffix, unparsed. */
  rest: string;
}

/** Like simple_strtoull(s, &end, 0). Returns null when no digit was read. */
export function parseCInteger(s: string): { value: number; rest: string } | null {
  const m = /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(s);
  if (!m) return null;
  const text = m[1];
  let value: number;
  if (/^0[xX]/.test(text)) value = parseInt(text.slice(2), 16);
  else if (text.length > 1 && text[0] === '0') value = parseInt(text.slice(1), 8);
  else value = parseInt(text, 10);
  return { value, rest: s.slice(text.length) };
}

/** Parse a size the way the kernel's memparse does, leaving any trailing text in `rest`. */
export function memparse(s: string): MemparseResult | null {
  const n = parseCInteger(s);
  if (!n) return null;
  const shift = SUFFIX_SHIFT[n.rest.charAt(0).toLowerCase()];
  if (shift === undefined) return n;
  return { value: n.value * 2 ** shift, rest: n.rest.slice(1) };
}

/** A whole string that must be exactly one size; throws a message naming what was expected. */
export function parseSize(s: string): number {
  const r = memparse(s.trim());
  if (!r || r.rest !== '') {
    throw new Error(`"${s}" is not a size (expected an integer in C notation with an optional K/M/G/T/P/E suffix, e.g. 4G or 0x100000000)`);
  }
  if (!Number.isSafeInteger(r.value)) throw new Error(`"${s}" is too large (sizes must stay below 2^53 bytes)`);
  return r.value;
}
