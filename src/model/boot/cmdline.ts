/**
 * The kernel command line, parsed with the kernel's syntax.
 *
 * Tokens are split on spaces; a double quote starts or ends a quoted stretch
 * in which spaces do not split (`foo="a b"` or `"foo=a b"`), and the quotes
 * around a value are dropped (kernel/params.c next_arg). Parameter names
 * treat `-` and `_` alike (parameq). A bare `--` ends the kernel's part; what
 * follows belongs to init and is not looked at.
 *
 * Where the kernel rejects a value this model throws {@link CmdlineError}
 * (the kernel would print "Malformed early option" or "invalid for parameter"
 * and go on with the default, which hides the mistake in a study). Where the
 * kernel accepts a value with a warning, so does the model.
 */
import { PAGE_SHIFT } from '../../contract/constants.js';
import { parseKernelBool as kstrtobool, sysfsStreq } from '../core/kstrtox.js';
import { DEFAULT_THP_MODE, ONLINE_POLICIES, ONLINE_TYPES, THP_MODES } from '../core/state.js';
import type { Kernelcore, KernelParams, ParsedCmdline } from './layout.js';
import { memparse, parseCInteger } from './memparse.js';

export class CmdlineError extends Error {
  /** The parameter whose value was rejected, as written on the command line (the first one, when several were). */
  readonly param: string;
  /** Every rejected parameter, in command-line order, each with its own message. */
  readonly problems: readonly { param: string; message: string }[];
  constructor(param: string, message: string, problems?: readonly { param: string; message: string }[]) {
    const list = problems ?? [{ param, message: `${param}: ${message}` }];
    super(list.map((problem) => problem.message).join('; '));
    this.name = 'CmdlineError';
    this.param = param;
    this.problems = list;
  }

  /** One error reporting every parameter the command line got wrong. */
  static combine(errors: readonly CmdlineError[]): CmdlineError {
    if (errors.length === 1) return errors[0];
    return new CmdlineError(errors[0].param, '', errors.flatMap((error) => error.problems));
  }
}

/** Defaults: Kconfig MHP_DEFAULT_ONLINE_TYPE_OFFLINE, memory_hotplug module parameter defaults. */
export const DEFAULT_AUTO_MOVABLE_RATIO = 301;

export function defaultKernelParams(): KernelParams {
  return {
    movableNode: false,
    no5lvl: false,
    kernelcore: { kind: 'unset' },
    movablecore: { kind: 'unset' },
    memhpDefaultState: null,
    memmapOnMemory: 'N',
    onlinePolicy: 'contig-zones',
    autoMovableRatio: DEFAULT_AUTO_MOVABLE_RATIO,
    autoMovableNumaAware: true,
    thp: DEFAULT_THP_MODE,
  };
}

/** One `param[=value]` token. `value` is null when there was no `=`. */
export interface CmdlineToken {
  param: string;
  value: string | null;
}

const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';

/** Split a command line into tokens the way the kernel does; stops at a bare `--`. */
export function tokenizeCmdline(cmdline: string): CmdlineToken[] {
  const tokens: CmdlineToken[] = [];
  let i = 0;
  const n = cmdline.length;
  while (i < n && isSpace(cmdline[i])) i++;
  while (i < n) {
    let quoted = false;
    let inQuote = false;
    if (cmdline[i] === '"') {
      quoted = true;
      inQuote = true;
      i++;
    }
    const start = i;
    let equalsAt = -1;
    while (i < n && !(isSpace(cmdline[i]) && !inQuote)) {
      // An '=' in first position does not separate a name from a value.
      if (equalsAt < 0 && cmdline[i] === '=' && i > start) equalsAt = i;
      if (cmdline[i] === '"') inQuote = !inQuote;
      i++;
    }
    let end = i;
    const endsWithQuote = end > start && cmdline[end - 1] === '"';
    let param: string;
    let value: string | null;
    if (equalsAt < 0) {
      if (quoted && endsWithQuote) end--;
      param = cmdline.slice(start, end);
      value = null;
    } else {
      param = cmdline.slice(start, equalsAt);
      let valueStart = equalsAt + 1;
      let valueEnd = end;
      if (cmdline[valueStart] === '"') {
        valueStart++;
        if (endsWithQuote && valueEnd > valueStart) valueEnd--;
      } else if (quoted && endsWithQuote) {
        valueEnd--;
      }
      value = cmdline.slice(valueStart, Math.max(valueStart, valueEnd));
    }
    if (value === null && param === '--') break;
    if (param !== '' || value !== null) tokens.push({ param, value });
    while (i < n && isSpace(cmdline[i])) i++;
  }
  return tokens;
}

/**
 * kstrtobool (core/kstrtox.ts) in this file's convention: null when the text
 * is not a boolean, as every parser here says "nothing valid" with null.
 */
export function parseKernelBool(text: string): boolean | null {
  return kstrtobool(text) ?? null;
}

const U32_MAX = 0xffffffff;
const SIZE_HELP = 'expected a size (integer in C notation with an optional K/M/G/T/P/E suffix, e.g. 512G) or a percentage (e.g. 25%)';

/** kernelcore= / movablecore= value: N%, or a memparse size (rounded down to pages). */
function parseCoreValue(param: string, value: string | null, warnings: string[]): Kernelcore {
  if (value === null || value === '') throw new CmdlineError(param, `missing value: ${SIZE_HELP}`);
  const n = parseCInteger(value);
  if (n && n.rest.startsWith('%')) {
    if (n.rest !== '%') throw new CmdlineError(param, `"${value}" has text after the '%': ${SIZE_HELP}`);
    if (n.value > 100) {
      // The kernel only WARNs; the percentage is then used as given.
      warnings.push(`${param}=${value}: percentage above 100 (the kernel warns and goes on; no ZONE_MOVABLE can result)`);
    }
    return { kind: 'percent', percent: n.value };
  }
  const size = memparse(value);
  if (!size || size.rest !== '') throw new CmdlineError(param, `"${value}" is not valid: ${SIZE_HELP}`);
  if (!Number.isSafeInteger(size.value)) throw new CmdlineError(param, `"${value}" is too large (sizes must stay below 2^53 bytes)`);
  return { kind: 'pages', pages: Math.floor(size.value / 2 ** PAGE_SHIFT) };
}

/** Canonical parameter name: dashes and underscores are the same to the kernel. */
function canonicalName(param: string): string {
  return param.replace(/-/g, '_');
}

/** Parse a kernel command line. Throws {@link CmdlineError} on a value the kernel would reject. */
export function parseCmdline(cmdline: string): ParsedCmdline {
  const params = defaultKernelParams();
  const unknown: string[] = [];
  const warnings: string[] = [];

  const rejected: CmdlineError[] = [];
  for (const token of tokenizeCmdline(cmdline)) {
    // Every parameter is read: a rejected one is noted and the rest still parsed, so all are reported.
    try {
      applyParam(params, token, unknown, warnings);
    } catch (err) {
      if (!(err instanceof CmdlineError)) throw err;
      rejected.push(err);
    }
  }
  if (rejected.length > 0) throw CmdlineError.combine(rejected);
  if (unknown.length) {
    warnings.push(`Unknown kernel command line parameters "${unknown.join(' ')}", will be passed to user space.`);
  }
  return { params, unknown, warnings };
}

/** One parameter of the command line into `params`; throws CmdlineError for a value the kernel rejects. */
function applyParam(
  params: KernelParams,
  { param, value }: { param: string; value: string | null },
  unknown: string[],
  warnings: string[],
): void {
  {
    const written = value === null ? param : `${param}=${value}`;
    switch (canonicalName(param)) {
      case 'no5lvl':
        if (value !== null) warnings.push(`no5lvl takes no value; "${value}" ignored`);
        params.no5lvl = true;
        break;
      case 'movable_node':
        if (value !== null) warnings.push(`movable_node takes no value; "${value}" ignored`);
        params.movableNode = true;
        break;
      case 'kernelcore':
        if (value !== null && value.split(',').includes('mirror')) {
          params.kernelcore = { kind: 'mirror' };
        } else {
          const parsed = parseCoreValue(param, value, warnings);
          // mirrored_kernelcore, once set, stays set: the kernel keeps both and mirror wins.
          if (params.kernelcore.kind === 'mirror') {
            warnings.push(`${written} after kernelcore=mirror: mirror stays in effect`);
          } else {
            params.kernelcore = parsed;
          }
        }
        break;
      case 'movablecore':
        params.movablecore = parseCoreValue(param, value, warnings);
        break;
      case 'memhp_default_state': {
        const state = ONLINE_TYPES.find((t) => t === value);
        if (state) params.memhpDefaultState = state;
        else warnings.push(`memhp_default_state: "${value ?? ''}" is not one of ${ONLINE_TYPES.join(', ')}; ignored`);
        break;
      }
      case 'memory_hotplug.memmap_on_memory': {
        if (value === null) throw new CmdlineError(param, 'missing value: expected a boolean (y/n, 1/0, on/off) or "force"');
        if (sysfsStreq(value, 'force') || sysfsStreq(value, 'FORCE')) {
          params.memmapOnMemory = 'force';
          break;
        }
        const enabled = parseKernelBool(value);
        if (enabled === null) throw new CmdlineError(param, `"${value}" is not valid: expected a boolean (y/n, 1/0, on/off) or "force"`);
        params.memmapOnMemory = enabled ? 'Y' : 'N';
        break;
      }
      case 'memory_hotplug.online_policy': {
        const policy = ONLINE_POLICIES.find((p) => value !== null && sysfsStreq(value, p));
        if (!policy) throw new CmdlineError(param, `"${value ?? ''}" is not valid: expected "contig-zones" or "auto-movable"`);
        params.onlinePolicy = policy;
        break;
      }
      case 'memory_hotplug.auto_movable_ratio': {
        const text = value === null ? '' : value.replace(/\n$/, '').replace(/^\+/, '');
        const n = parseCInteger(text);
        if (!n || n.rest !== '' || n.value > U32_MAX) {
          throw new CmdlineError(param, `"${value ?? ''}" is not valid: expected an unsigned 32-bit integer (a percentage, e.g. 301)`);
        }
        params.autoMovableRatio = n.value;
        break;
      }
      case 'memory_hotplug.auto_movable_numa_aware': {
        // A bool module parameter given without a value means true.
        const enabled = value === null ? true : parseKernelBool(value);
        if (enabled === null) throw new CmdlineError(param, `"${value}" is not valid: expected a boolean (y/n, 1/0, on/off)`);
        params.autoMovableNumaAware = enabled;
        break;
      }
      case 'transparent_hugepage': {
        // setup_transparent_hugepage compares the whole value (strcmp): no
        // other spelling, no trailing text.
        const mode = THP_MODES.find((m) => m === value);
        if (!mode) throw new CmdlineError(param, `"${value ?? ''}" is not valid: expected ${THP_MODES.join(', ')}`);
        params.thp = mode;
        break;
      }
      default:
        unknown.push(written);
    }
  }
}

