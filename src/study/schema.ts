/**
 * A small declarative schema language for scenario files, and its validator.
 *
 * A schema is a value built from the combinators below (`integer()`,
 * `size()`, `object({...})`, `list(...)`, `keyedUnion(...)`...). Decoding a
 * parsed document against it yields a typed value or a list of issues, each
 * naming the field path (`machine.srat[1].size`) and what was expected.
 * Decoding never stops at the first issue: every field is visited, so a file
 * with five mistakes reports five lines.
 *
 * Scenario documents are parsed with YAML's failsafe schema, so every scalar
 * arrives as a string and each schema decides what its text means. That keeps
 * `expect: 00000002` the text "00000002" (not the number 2) and lets sizes use
 * kernel syntax. Plain JS values (numbers, booleans, null) are accepted too,
 * for scenarios built in code.
 */

import { memparse, parseCInteger } from '../model/boot/memparse.js';

/** One problem found in a document: where it is and what was expected. */
export interface Issue {
  /** Field path from the document root, e.g. `machine.srat[1].size` or `steps[2].write`. */
  path: string;
  message: string;
}

/** Returned by a decoder that found a problem (the issue is already recorded). */
export const INVALID: unique symbol = Symbol('invalid');
export type Invalid = typeof INVALID;

export interface Schema<T> {
  /** What a valid value looks like, for messages ("an integer", "a mapping"). */
  readonly expected: string;
  /** Decode `input` found at `path`; record issues and return INVALID when it does not fit. */
  decode(input: unknown, path: string, issues: Issue[]): T | Invalid;
}

/** The decoded type of a schema. */
export type Infer<S> = S extends Schema<infer T> ? T : never;

// ---- paths ----------------------------------------------------------------------

/** `parent.key`, or `key` at the root. */
export function fieldPath(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`;
}

/** `parent[index]`. */
export function indexPath(parent: string, index: number): string {
  return `${parent}[${index}]`;
}

function fail(issues: Issue[], path: string, message: string): Invalid {
  issues.push({ path, message });
  return INVALID;
}

/** How an unexpected input looks in a message. */
export function describeInput(input: unknown): string {
  if (input === null || input === undefined) return 'nothing';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a mapping';
  if (typeof input === 'string') return JSON.stringify(input);
  return String(input);
}

function isMapping(input: unknown): input is Record<string, unknown> {
  return typeof input === 'object' && input !== null && !Array.isArray(input);
}

/** Scalars as text: failsafe YAML gives strings; code may give numbers or booleans. */
function scalarText(input: unknown): string | null {
  if (typeof input === 'string') return input;
  if (typeof input === 'number' || typeof input === 'boolean') return String(input);
  return null;
}

const NULL_TOKENS = new Set(['', '~', 'null', 'Null', 'NULL']);

/** True for YAML's spellings of "no value". */
export function isNullish(input: unknown): boolean {
  return input === null || input === undefined || (typeof input === 'string' && NULL_TOKENS.has(input));
}

// ---- scalars --------------------------------------------------------------------

export interface IntegerOptions {
  min?: number;
  max?: number;
}

/** A whole number in C notation (decimal, 0x hex), without a size suffix. */
export function integer(options: IntegerOptions = {}): Schema<number> {
  const { min, max } = options;
  return {
    expected: 'an integer',
    decode(input, path, issues) {
      let value: number | null = null;
      if (typeof input === 'number') {
        value = Number.isSafeInteger(input) ? input : null;
      } else if (typeof input === 'string') {
        const text = input.trim();
        const negative = text.startsWith('-');
        const parsed = parseCInteger(negative ? text.slice(1) : text);
        if (parsed && parsed.rest === '' && Number.isSafeInteger(parsed.value)) {
          value = negative ? -parsed.value : parsed.value;
        }
      }
      if (value === null) return fail(issues, path, `expected an integer, got ${describeInput(input)}`);
      if (min !== undefined && value < min) {
        return fail(issues, path, min === 1 ? 'must be greater than 0' : `must be at least ${min}, got ${value}`);
      }
      if (max !== undefined && value > max) return fail(issues, path, `must be at most ${max}, got ${value}`);
      return value;
    },
  };
}

const BOOLEAN_TEXT: Record<string, boolean> = {
  true: true,
  True: true,
  TRUE: true,
  false: false,
  False: false,
  FALSE: false,
};

export function boolean(): Schema<boolean> {
  return {
    expected: 'true or false',
    decode(input, path, issues) {
      if (typeof input === 'boolean') return input;
      if (typeof input === 'string' && input in BOOLEAN_TEXT) return BOOLEAN_TEXT[input];
      return fail(issues, path, `expected true or false, got ${describeInput(input)}`);
    },
  };
}

export interface StringOptions {
  /** Further check on the text: returns a message (what was expected) or null when fine. */
  check?: (text: string) => string | null;
  /** Refuse the empty string. */
  nonEmpty?: boolean;
}

/** Any scalar, as text (numbers and booleans keep their written form). */
export function string(options: StringOptions = {}): Schema<string> {
  return {
    expected: 'a text',
    decode(input, path, issues) {
      const text = scalarText(input);
      if (text === null) return fail(issues, path, `expected a text, got ${describeInput(input)}`);
      if (options.nonEmpty && text === '') return fail(issues, path, 'must not be empty');
      const problem = options.check?.(text);
      if (problem) return fail(issues, path, problem);
      return text;
    },
  };
}

/** One of a fixed set of words (case-sensitive). */
export function oneOf<const W extends readonly string[]>(words: W): Schema<W[number]> {
  const listed = words.length === 2 ? `${words[0]} or ${words[1]}` : `one of ${words.join(', ')}`;
  return {
    expected: listed,
    decode(input, path, issues) {
      const text = scalarText(input);
      if (text !== null && (words as readonly string[]).includes(text)) return text as W[number];
      return fail(issues, path, `expected ${listed}, got ${describeInput(input)}`);
    },
  };
}

export interface SizeOptions {
  /** Smallest accepted value in bytes; 1 gives the message "must be greater than 0". */
  min?: number;
}

/**
 * A byte size or address: a plain integer or kernel size syntax (`4G`, `1T`,
 * `0x100000000`, K/M/G/T/P/E suffixes, each a factor of 1024).
 */
export function size(options: SizeOptions = {}): Schema<number> {
  return {
    expected: 'a size',
    decode(input, path, issues) {
      const value = parseSizeText(input);
      if (typeof value === 'string') return fail(issues, path, value);
      if (options.min !== undefined && value < options.min) {
        return fail(issues, path, options.min === 1 ? 'must be greater than 0' : `must be at least ${options.min}`);
      }
      return value;
    },
  };
}

const SIZE_SYNTAX = 'an integer in C notation with an optional K/M/G/T/P/E suffix, e.g. 4G, 1T or 0x100000000';

/** The value in bytes, or a message saying why the input is not a size. */
function parseSizeText(input: unknown): number | string {
  if (typeof input === 'number') {
    return Number.isSafeInteger(input) && input >= 0 ? input : `${input} is not a size (expected ${SIZE_SYNTAX})`;
  }
  if (typeof input !== 'string') return `expected a size (${SIZE_SYNTAX}), got ${describeInput(input)}`;
  const parsed = memparse(input.trim());
  if (!parsed || parsed.rest !== '') return `${JSON.stringify(input)} is not a size (expected ${SIZE_SYNTAX})`;
  if (!Number.isSafeInteger(parsed.value)) return `${JSON.stringify(input)} is too large (sizes must stay below 2^53)`;
  return parsed.value;
}

/**
 * A number of pages: a plain integer counts pages; a value with a size
 * suffix (`1T`, `512M`) is bytes and is converted to pages of `pageSizeBytes`.
 */
export function pageCount(pageSizeBytes: number): Schema<number> {
  return {
    expected: 'a number of pages or a size',
    decode(input, path, issues) {
      const text = scalarText(input);
      // The number is parsed first, so a hex digit (0x1e) is never taken for a suffix (E).
      const number = text === null ? null : parseCInteger(text.trim());
      const hasSuffix = number !== null && number.rest !== '';
      if (!hasSuffix) {
        return integer({ min: 0 }).decode(input, path, issues);
      }
      const bytes = parseSizeText(input);
      if (typeof bytes === 'string') return fail(issues, path, bytes);
      if (bytes % pageSizeBytes !== 0) {
        return fail(issues, path, `${JSON.stringify(text)} is not a whole number of ${pageSizeBytes}-byte pages`);
      }
      return bytes / pageSizeBytes;
    },
  };
}

/**
 * A share of something, from 0 to 1: a percentage (`30%`, `2.5%`) or a plain
 * number from 0 to 1 (`0.3`). A percentage over 100 or a number over 1 is
 * refused rather than read as a whole.
 */
export function share(): Schema<number> {
  return {
    expected: 'a share: a percentage such as 30% or a number from 0 to 1',
    decode(input, path, issues) {
      const text = scalarText(input);
      const percent = text === null ? null : /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(text);
      if (percent !== null) {
        const value = Number(percent[1]);
        if (value > 100) return fail(issues, path, `${value}% is more than 100%`);
        // Shifting the decimal point in the text keeps 33.34% exactly 0.3334.
        return Number(`${percent[1]}e-2`);
      }
      const value = typeof input === 'number' ? input : text !== null && /^\s*\d+(?:\.\d+)?\s*$/.test(text) ? Number(text) : NaN;
      if (!Number.isFinite(value) || value < 0) {
        return fail(issues, path, `expected a share: a percentage such as 30% or a number from 0 to 1, got ${describeInput(input)}`);
      }
      if (value > 1) return fail(issues, path, `${value} is more than 1 (write a percentage as ${value}%)`);
      return value;
    },
  };
}

/**
 * A MOVABLE:KERNEL ratio: a number (`4`, `0.25`) or `N:1` (`4:1`). With
 * `positive`, zero is refused too.
 */
export function ratio(options: { positive?: boolean } = {}): Schema<number> {
  const expected = `a ratio such as 4, 0.25 or 4:1${options.positive ? ', greater than 0' : ''}`;
  return {
    expected,
    decode(input, path, issues) {
      const text = scalarText(input)?.trim() ?? null;
      const match = text === null ? null : /^(\d+(?:\.\d+)?)(?:\s*:\s*1)?$/.exec(text);
      const value = typeof input === 'number' ? input : match !== null ? Number(match[1]) : NaN;
      if (!Number.isFinite(value) || value < 0 || (options.positive === true && value === 0)) {
        return fail(issues, path, `expected ${expected}, got ${describeInput(input)}`);
      }
      return value;
    },
  };
}

/** A decimal number greater than 0 (`1`, `6.5`), such as a cost in ns. */
export function positiveNumber(): Schema<number> {
  const expected = 'a number greater than 0, such as 1 or 6.5';
  return {
    expected,
    decode(input, path, issues) {
      const text = scalarText(input)?.trim() ?? null;
      const value = typeof input === 'number' ? input : text !== null && /^\d+(?:\.\d+)?$/.test(text) ? Number(text) : NaN;
      if (!Number.isFinite(value) || value <= 0) return fail(issues, path, `expected ${expected}, got ${describeInput(input)}`);
      return value;
    },
  };
}

/** An amount of memory: a size (`64G`) or a share of the memory in scope (`30%`, `0.3`). */
export function amount(): Schema<{ bytes: number } | { share: number }> {
  const asShare = share();
  const asSize = size();
  return {
    expected: 'a size such as 64G or a share such as 30%',
    decode(input, path, issues) {
      const text = scalarText(input)?.trim() ?? null;
      // A size is a whole number of bytes, so a fraction can only be a share.
      const isShare = text !== null && (text.endsWith('%') || /^\d*\.\d+$/.test(text));
      if (isShare) {
        const value = asShare.decode(input, path, issues);
        return value === INVALID ? INVALID : { share: value };
      }
      const bytes = asSize.decode(input, path, issues);
      return bytes === INVALID ? INVALID : { bytes };
    },
  };
}

// ---- containers -----------------------------------------------------------------

/** A value that may be absent or null (YAML `~`, `null` or nothing). */
export function nullable<T>(inner: Schema<T>): Schema<T | null> {
  return {
    expected: `${inner.expected} or null`,
    decode(input, path, issues) {
      if (isNullish(input)) return null;
      return inner.decode(input, path, issues);
    },
  };
}

export interface ListOptions {
  minItems?: number;
}

export function list<T>(item: Schema<T>, options: ListOptions = {}): Schema<T[]> {
  return {
    expected: `a list of ${item.expected}`,
    decode(input, path, issues) {
      if (!Array.isArray(input)) return fail(issues, path, `expected a list, got ${describeInput(input)}`);
      if (options.minItems !== undefined && input.length < options.minItems) {
        return fail(issues, path, `expected at least ${options.minItems} item${options.minItems === 1 ? '' : 's'}`);
      }
      const out: T[] = [];
      let ok = true;
      input.forEach((element, i) => {
        const value = item.decode(element, indexPath(path, i), issues);
        if (value === INVALID) ok = false;
        else out.push(value);
      });
      return ok ? out : INVALID;
    },
  };
}

/** A field of an object schema: required, optional, or with a default. */
export interface Field<T, Optional extends boolean> {
  readonly schema: Schema<T>;
  readonly optional: Optional;
  readonly fallback?: () => T;
}

export function required<T>(schema: Schema<T>): Field<T, false> {
  return { schema, optional: false };
}

export function optional<T>(schema: Schema<T>): Field<T, true> {
  return { schema, optional: true };
}

/** A field that takes `value` when absent (or null, unless the schema itself is nullable). */
export function withDefault<T>(schema: Schema<T>, value: T): Field<T, false> {
  return { schema, optional: false, fallback: () => value };
}

// `any` only widens the element type; InferFields below narrows it again.
type AnyField = Field<any, boolean>;
export type Fields = Record<string, AnyField>;

export type InferFields<F extends Fields> = {
  [K in keyof F]: F[K] extends Field<infer T, true> ? T | undefined : F[K] extends Field<infer T, false> ? T : never;
};

export interface ObjectOptions<F extends Fields> {
  /**
   * Cross-field checks, run only when every field decoded. Record issues with
   * `report(relativePath, message)`; an empty relative path names the object itself.
   */
  refine?: (value: InferFields<F>, report: (relativePath: string, message: string) => void) => void;
}

/** A mapping with known fields. Unknown fields are errors (they are usually typos). */
export function object<F extends Fields>(fields: F, options: ObjectOptions<F> = {}): Schema<InferFields<F>> {
  const known = Object.keys(fields);
  return {
    expected: 'a mapping',
    decode(input, path, issues) {
      if (!isMapping(input)) return fail(issues, path, `expected a mapping, got ${describeInput(input)}`);
      let ok = true;
      for (const key of Object.keys(input)) {
        if (!Object.hasOwn(fields, key)) {
          ok = false;
          fail(issues, fieldPath(path, key), `unknown field (expected one of ${known.join(', ')})`);
        }
      }
      const out: Record<string, unknown> = {};
      for (const key of known) {
        const field = fields[key];
        const raw = Object.hasOwn(input, key) ? input[key] : undefined;
        const at = fieldPath(path, key);
        if (raw === undefined || (isNullish(raw) && raw !== '' && field.fallback)) {
          if (field.fallback) out[key] = field.fallback();
          else if (field.optional) out[key] = undefined;
          else {
            ok = false;
            fail(issues, at, `required field is missing (expected ${field.schema.expected})`);
          }
          continue;
        }
        const value = field.schema.decode(raw, at, issues);
        if (value === INVALID) ok = false;
        else out[key] = value;
      }
      if (!ok) return INVALID;
      const value = out as InferFields<F>;
      if (options.refine) {
        const before = issues.length;
        options.refine(value, (relativePath, message) =>
          issues.push({ path: relativePath === '' ? path : fieldPath(path, relativePath), message }),
        );
        if (issues.length > before) return INVALID;
      }
      return value;
    },
  };
}

/**
 * A mapping whose kind is told by which key it carries, e.g. a step
 * `{ read: PATH }` or `{ write: PATH, value: TEXT }`. Variants are tried in
 * order; the first whose key is present decodes the whole mapping. A mapping
 * with none of the keys is refused with a message listing them.
 */
export function keyedUnion<V extends readonly (readonly [string, Schema<unknown>])[]>(
  what: string,
  variants: V,
  options: { known?: readonly string[] } = {},
): Schema<Infer<V[number][1]>> {
  const knownKeys = options.known ?? variants.map(([key]) => key);
  const known = knownKeys.join(', ');
  return {
    expected: `a ${what} (one of ${known})`,
    decode(input, path, issues) {
      if (!isMapping(input)) {
        return fail(issues, path, `expected a ${what} mapping with one of ${known}, got ${describeInput(input)}`);
      }
      for (const [key, schema] of variants) {
        if (Object.hasOwn(input, key)) return schema.decode(input, path, issues) as Infer<V[number][1]> | Invalid;
      }
      const keys = Object.keys(input);
      if (keys.length === 0) return fail(issues, path, `empty ${what} (known: ${known})`);
      return fail(issues, path, `unknown ${what} ${JSON.stringify(keys[0])} (known: ${known})`);
    },
  };
}

/** Decode a whole document; the issues are returned in document order. */
export function validate<T>(schema: Schema<T>, input: unknown): { value: T; issues: [] } | { value: Invalid; issues: Issue[] } {
  const issues: Issue[] = [];
  const value = schema.decode(input, '', issues);
  if (value === INVALID || issues.length > 0) return { value: INVALID, issues };
  return { value, issues: [] };
}
