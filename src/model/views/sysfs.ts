/**
 * The sysfs files of memory hotplug, as a virtual tree with the kernel's exact
 * text (drivers/base/memory.c: the `*_show` and `*_store` functions), readable and writable by path and exportable
 * as real files for tools such as `lsmem --sysroot`.
 *
 * ```
 * /sys/devices/system/memory/
 *     block_size_bytes            0444  "%lx\n"
 *     auto_online_blocks          0644  offline | online | online_kernel | online_movable
 *     memory<id>/                       one per block, decimal id
 *         state                   0644  online | offline | going-offline
 *         online                  0644  1 | 0
 *         valid_zones             0444
 *         phys_index              0444  "%08lx\n"
 *         phys_device             0444  "0\n"
 *         removable               0444  "1\n"
 *         node<N> -> ../../node/node<N>
 * /sys/devices/system/node/
 *     possible, online, has_memory, has_normal_memory   0444  node lists ("0-3\n")
 *     node<N>/memory<id> -> ../../memory/memory<id>     online nodes only
 *     node<N>/distance            0444  node_distance to each online node ("10 21\n")
 * /sys/module/memory_hotplug/parameters/
 *     memmap_on_memory            0444  Y | N | force
 *     online_policy               0644  contig-zones | auto-movable
 *     auto_movable_ratio          0644  unsigned int
 *     auto_movable_numa_aware     0644  Y | N
 * /sys/kernel/debug/notifier-error-inject/memory/actions/
 *     MEM_GOING_ONLINE/error      0600  "%lld\n": 0, or the injected -errno
 *     MEM_GOING_OFFLINE/error     0600
 * ```
 *
 * The debugfs files are served (a live mount shows them) but never exported.
 *
 * Besides these, the tree serves the files other subsystems own (the
 * machine's {@link SysfsModel.tunables}), each at its absolute path, e.g.
 *
 * ```
 * /proc/sys/vm/min_free_kbytes, watermark_scale_factor, lowmem_reserve_ratio   0644
 * /sys/kernel/mm/transparent_hugepage/enabled                                   0644
 * ```
 *
 * Permissions are enforced the way sysfs does it: kernfs checks the mode bits
 * when the file is opened and, unlike other filesystems, root gets no
 * override. So a write to a 0444 file fails with EACCES for everybody
 * (`memmap_on_memory` included: it can only be set on the command line).
 *
 * `/sys/firmware/memory` is never part of the tree: newer lsmem switches to
 * s390 standby-memory mode when it exists.
 */
import { PAGE_SIZE } from '../../contract/constants.js';
import { hexDigits } from '../../util/format.js';
import { nodeBuiltin } from '../../util/node-builtin.js';
import { errnoName, errnoNumber, MAX_ERRNO } from '../core/errno.js';
import { parseKernelBool, parseKernelInt64, parseKernelUint, sysfsStreq } from '../core/kstrtox.js';
import { ONLINE_POLICIES, type BlockGeometry, type HotplugParams, type OnlineType, type TunableFile } from '../core/state.js';
import { NOTIFIER_ACTIONS, type Errno, type ExportSummary, type NotifierAction, type SysfsEntry, type SysfsRefusal, type SysfsResult } from '../core/types.js';
import { onlineTypeFromString, type BlockOpResult, type MemoryBlock } from '../hotplug/memory-blocks.js';

export const MEMORY_SYSFS_DIR = '/sys/devices/system/memory';
export const NODE_SYSFS_DIR = '/sys/devices/system/node';
export const HOTPLUG_PARAMS_DIR = '/sys/module/memory_hotplug/parameters';
/** Where the memory notifier error injector's debugfs files are (lib/memory-notifier-error-inject.c). */
export const NOTIFIER_INJECT_DIR = '/sys/kernel/debug/notifier-error-inject/memory';
/** procfs: missing names there are ENOENT even for a write. */
const PROC_DIR = '/proc';

/** The directories {@link exportSysfsTree} writes, relative to the export root. */
const EXPORTED_DIRS = [MEMORY_SYSFS_DIR, NODE_SYSFS_DIR, HOTPLUG_PARAMS_DIR];

/** Symlink hops allowed while resolving one path (the kernel's MAXSYMLINKS). */
const MAX_SYMLINK_HOPS = 40;

const MODE_RO = 0o444;
const MODE_RW = 0o644;
/** debugfs files the injector creates: read and write for the owner (root) only. */
const MODE_OWNER_RW = 0o600;
export const MODE_DIR = 0o755;
export const MODE_LINK = 0o777;
/** What stat gives as the size of every sysfs attribute: one page, whatever the text's length. */
export const SYSFS_FILE_SIZE = PAGE_SIZE;
/** simple_attr_write copies at most this many characters of a write (set_buf[24], NUL included). */
const SIMPLE_ATTR_WRITE_MAX = 23;

/** Node masks as /sys/devices/system/node prints them. */
export interface NodeMasks {
  possible: readonly number[];
  online: readonly number[];
  hasMemory: readonly number[];
  hasNormalMemory: readonly number[];
}

/** What the tree shows and changes: implemented by the machine. */
export interface SysfsModel {
  readonly geometry: BlockGeometry;
  /** Every block, ascending id. */
  blockList(): readonly MemoryBlock[];
  block(id: number): MemoryBlock | undefined;
  /** valid_zones text without the newline. */
  validZones(block: MemoryBlock): string;
  storeState(block: MemoryBlock, written: string): Promise<BlockOpResult>;
  storeOnline(block: MemoryBlock, written: string): Promise<BlockOpResult>;
  nodeMasks(): NodeMasks;
  /** node_distance(from, to): the SLIT entry, or the kernel's default. */
  nodeDistance(from: number, to: number): number;
  /** Default online type of hot-added blocks (auto_online_blocks). */
  autoOnlineBlocks: OnlineType;
  readonly params: HotplugParams;
  /** Files outside the memory hotplug directories, each served at its own path (read once, when the tree is built). */
  readonly tunables: readonly TunableFile[];
  /** The errno the memory notifier answers `action` with, or undefined when it lets it through. */
  notifierError(action: NotifierAction): Errno | undefined;
  injectNotifierError(action: NotifierAction, errno: Errno | null): void;
}

// ---------------------------------------------------------------------------
// Value formats and parsers

/** `%*pbl` of a node mask: ascending ranges, "0-3,5". */
export function formatNodeList(nids: readonly number[]): string {
  const sorted = [...new Set(nids)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

// ---------------------------------------------------------------------------
// The virtual tree

type StoreResult = BlockOpResult;

interface VFile {
  kind: 'file';
  mode: number;
  show: () => string;
  store?: (written: string) => Promise<StoreResult> | StoreResult;
}

/** A file someone may write: a write bit in its mode and a store handler. */
function isStorable(file: VFile): file is VFile & Required<Pick<VFile, 'store'>> {
  return (file.mode & 0o222) !== 0 && file.store !== undefined;
}

interface VDir {
  kind: 'dir';
  /** Entry names in the order they are exported. */
  names(): string[];
  child(name: string): VNode | undefined;
}

interface VLink {
  kind: 'link';
  /** Relative to the directory holding the link, as sysfs writes them. */
  target: string;
}

type VNode = VFile | VDir | VLink;

function roFile(show: () => string): VFile {
  return { kind: 'file', mode: MODE_RO, show };
}

function rwFile(show: () => string, store: VFile['store']): VFile {
  return { kind: 'file', mode: MODE_RW, show, store };
}

function staticDir(entries: Record<string, VNode>): VDir {
  return {
    kind: 'dir',
    names: () => Object.keys(entries),
    child: (name) => (Object.prototype.hasOwnProperty.call(entries, name) ? entries[name] : undefined),
  };
}

const OK: StoreResult = { ok: true };

function refuse(errno: Errno, message: string): StoreResult {
  return { ok: false, errno, message };
}

/** A decimal id without leading zeros after `prefix` ("memory12", not "memory012"). */
function parseId(name: string, prefix: string): number | undefined {
  if (!name.startsWith(prefix)) return undefined;
  const digits = name.slice(prefix.length);
  if (!/^(0|[1-9][0-9]*)$/.test(digits)) return undefined;
  return Number(digits);
}

function showText(written: string): string {
  return JSON.stringify(written.replace(/\n$/, ''));
}

function blockDir(model: SysfsModel, block: MemoryBlock): VDir {
  const files: Record<string, VNode> = {
    phys_index: roFile(() => `${hexDigits(block.id, 8)}\n`),
    state: rwFile(
      () => `${block.state}\n`,
      (written) => model.storeState(block, written),
    ),
    phys_device: roFile(() => '0\n'),
    removable: roFile(() => '1\n'),
    valid_zones: roFile(() => `${model.validZones(block)}\n`),
    online: rwFile(
      () => (block.deviceOffline ? '0\n' : '1\n'),
      (written) => model.storeOnline(block, written),
    ),
  };
  return {
    kind: 'dir',
    names: () => [...Object.keys(files), ...block.nids.map((nid) => `node${nid}`)],
    child(name) {
      if (Object.prototype.hasOwnProperty.call(files, name)) return files[name];
      const nid = parseId(name, 'node');
      if (nid !== undefined && block.nids.includes(nid)) return { kind: 'link', target: `../../node/node${nid}` };
      return undefined;
    },
  };
}

function memoryDir(model: SysfsModel): VDir {
  const files: Record<string, VNode> = {
    block_size_bytes: roFile(() => `${hexDigits(model.geometry.blockSizeBytes)}\n`),
    auto_online_blocks: rwFile(
      () => `${model.autoOnlineBlocks}\n`,
      (written) => {
        const onlineType = onlineTypeFromString(written);
        if (onlineType === undefined) {
          return refuse('EINVAL', `auto_online_blocks accepts offline, online, online_kernel or online_movable, not ${showText(written)}`);
        }
        model.autoOnlineBlocks = onlineType;
        return OK;
      },
    ),
  };
  return {
    kind: 'dir',
    names: () => [...Object.keys(files), ...model.blockList().map((block) => `memory${block.id}`)],
    child(name) {
      if (Object.prototype.hasOwnProperty.call(files, name)) return files[name];
      const id = parseId(name, 'memory');
      const block = id === undefined ? undefined : model.block(id);
      return block === undefined ? undefined : blockDir(model, block);
    },
  };
}

function nodeDir(model: SysfsModel): VDir {
  const maskFile = (pick: (masks: NodeMasks) => readonly number[]): VFile =>
    roFile(() => `${formatNodeList(pick(model.nodeMasks()))}\n`);
  const files: Record<string, VNode> = {
    possible: maskFile((m) => m.possible),
    online: maskFile((m) => m.online),
    has_normal_memory: maskFile((m) => m.hasNormalMemory),
    has_memory: maskFile((m) => m.hasMemory),
  };
  const linkedBlockIds = (nid: number): number[] =>
    model
      .blockList()
      .filter((block) => block.nids.includes(nid))
      .map((block) => block.id);
  // node_read_distance (drivers/base/node.c): one number per online node, a
  // space before each but node 0's, as the kernel writes it.
  const distance = (nid: number): VFile =>
    roFile(() => `${model.nodeMasks().online.map((other) => `${other === 0 ? '' : ' '}${model.nodeDistance(nid, other)}`).join('')}\n`);
  const oneNode = (nid: number): VDir => ({
    kind: 'dir',
    names: () => ['distance', ...linkedBlockIds(nid).map((id) => `memory${id}`)],
    child(name) {
      if (name === 'distance') return distance(nid);
      const id = parseId(name, 'memory');
      const block = id === undefined ? undefined : model.block(id);
      if (block === undefined || !block.nids.includes(nid)) return undefined;
      return { kind: 'link', target: `../../memory/memory${id}` };
    },
  });
  return {
    kind: 'dir',
    names: () => [...Object.keys(files), ...model.nodeMasks().online.map((nid) => `node${nid}`)],
    child(name) {
      if (Object.prototype.hasOwnProperty.call(files, name)) return files[name];
      const nid = parseId(name, 'node');
      if (nid === undefined || !model.nodeMasks().online.includes(nid)) return undefined;
      return oneNode(nid);
    },
  };
}

function paramsDir(model: SysfsModel): VDir {
  const params = model.params;
  return staticDir({
    memmap_on_memory: roFile(() => `${params.memmapOnMemory}\n`),
    online_policy: rwFile(
      () => `${params.onlinePolicy}\n`,
      (written) => {
        const policy = ONLINE_POLICIES.find((name) => sysfsStreq(written, name));
        if (policy === undefined) return refuse('EINVAL', `online_policy accepts contig-zones or auto-movable, not ${showText(written)}`);
        params.onlinePolicy = policy;
        return OK;
      },
    ),
    auto_movable_ratio: rwFile(
      () => `${params.autoMovableRatio}\n`,
      (written) => {
        const parsed = parseKernelUint(written);
        if (!parsed.ok) {
          return refuse(
            parsed.errno,
            parsed.errno === 'ERANGE'
              ? `auto_movable_ratio ${showText(written)} does not fit an unsigned int`
              : `auto_movable_ratio accepts an unsigned integer, not ${showText(written)}`,
          );
        }
        params.autoMovableRatio = parsed.value;
        return OK;
      },
    ),
    auto_movable_numa_aware: rwFile(
      () => (params.autoMovableNumaAware ? 'Y\n' : 'N\n'),
      (written) => {
        const value = parseKernelBool(written);
        if (value === undefined) return refuse('EINVAL', `auto_movable_numa_aware accepts a boolean (Y/N, 1/0, on/off...), not ${showText(written)}`);
        params.autoMovableNumaAware = value;
        return OK;
      },
    ),
  });
}

/**
 * The injector's files: the errno as "%lld" (0 when not injecting). A write
 * is parsed as kstrtoll(s, 0) of its first 23 characters and clamped to
 * [-MAX_ERRNO, 0], so a positive number stops the injection; the whole write
 * is claimed on success (lib/notifier-error-inject.c, fs/libfs.c
 * simple_attr_write_signed). The model names errnos, so a number it has no
 * name for is refused with EINVAL where the kernel would store it.
 */
function notifierInjectDir(model: SysfsModel): VDir {
  const errorFile = (action: NotifierAction): VFile => ({
    kind: 'file',
    mode: MODE_OWNER_RW,
    show: () => {
      const name = model.notifierError(action);
      return `${name === undefined ? 0 : -(errnoNumber(name) ?? 0)}\n`;
    },
    store: (written) => {
      const parsed = parseKernelInt64(written.slice(0, SIMPLE_ATTR_WRITE_MAX));
      if (!parsed.ok) return refuse(parsed.errno, `${action}/error accepts a number such as -12, not ${showText(written)}`);
      const value = parsed.value >= 0n ? 0 : parsed.value < -BigInt(MAX_ERRNO) ? -MAX_ERRNO : Number(parsed.value);
      if (value === 0) {
        model.injectNotifierError(action, null);
        return OK;
      }
      const name = errnoName(-value);
      if (name === undefined) return refuse('EINVAL', `${action}/error: the model has no errno name for ${value}`);
      model.injectNotifierError(action, name as Errno);
      return OK;
    },
  });
  return staticDir({
    actions: staticDir(Object.fromEntries(NOTIFIER_ACTIONS.map((action) => [action, staticDir({ error: errorFile(action) })]))),
  });
}

/**
 * Static directories holding each node at its absolute path; the
 * directories on the way are created as needed, in first-mention order.
 */
function treeOf(placed: readonly (readonly [string, VNode])[]): VDir {
  type Building = Map<string, Building | VNode>;
  const root: Building = new Map();
  for (const [path, node] of placed) {
    const parts = components(path);
    let dir = root;
    for (const part of parts.slice(0, -1)) {
      const next = dir.get(part) ?? new Map();
      if (!(next instanceof Map)) throw new Error(`internal: ${path} runs through a file`);
      dir.set(part, next);
      dir = next;
    }
    dir.set(parts[parts.length - 1], node);
  }
  const build = (dir: Building): VDir =>
    staticDir(Object.fromEntries([...dir].map(([name, entry]) => [name, entry instanceof Map ? build(entry) : entry])));
  return build(root);
}

function rootDir(model: SysfsModel): VDir {
  return treeOf([
    [MEMORY_SYSFS_DIR, memoryDir(model)],
    [NODE_SYSFS_DIR, nodeDir(model)],
    [HOTPLUG_PARAMS_DIR, paramsDir(model)],
    [NOTIFIER_INJECT_DIR, notifierInjectDir(model)],
    ...model.tunables.map((file): [string, VNode] => [file.path, rwFile(() => file.show(), (written) => file.store(written))]),
  ]);
}

// ---------------------------------------------------------------------------
// Path resolution, read, write

type Resolved = { ok: true; node: VNode; path: string } | { ok: false; errno: Errno; message: string };

function components(path: string): string[] {
  return path.split('/').filter((part) => part !== '' && part !== '.');
}

/**
 * Walk `path` from `root` component by component, following symlinks (the
 * last one too) and resolving ".." against the physical path, as the VFS does.
 */
function resolveIn(root: VDir, path: string, followLast = true): Resolved {
  if (!path.startsWith('/')) return { ok: false, errno: 'ENOENT', message: `${path}: sysfs paths must be absolute` };
  const pending = components(path);
  const stack: { name: string; node: VNode }[] = [];
  let hops = 0;
  while (pending.length > 0) {
    const name = pending.shift() as string;
    if (name === '..') {
      stack.pop();
      continue;
    }
    const current = stack.length > 0 ? stack[stack.length - 1].node : root;
    const here = `/${stack.map((entry) => entry.name).join('/')}`;
    if (current.kind !== 'dir') return { ok: false, errno: 'ENOTDIR', message: `${path}: ${here} is not a directory` };
    const child = current.child(name);
    if (child === undefined) return { ok: false, errno: 'ENOENT', message: `${path}: no such file or directory` };
    if (child.kind === 'link' && (followLast || pending.length > 0)) {
      if (++hops > MAX_SYMLINK_HOPS) return { ok: false, errno: 'ENOENT', message: `${path}: too many levels of symbolic links` };
      if (child.target.startsWith('/')) stack.length = 0;
      pending.unshift(...components(child.target));
      continue;
    }
    stack.push({ name, node: child });
  }
  const node = stack.length > 0 ? stack[stack.length - 1].node : root;
  return { ok: true, node, path: `/${stack.map((entry) => entry.name).join('/')}` };
}

/** The sysfs view of one machine. */
export class SysfsTree {
  readonly #root: VDir;

  constructor(model: SysfsModel) {
    this.#root = rootDir(model);
  }

  /** `cat path`. */
  read(path: string): SysfsResult {
    const resolved = resolveIn(this.#root, path);
    if (!resolved.ok) return resolved;
    if (resolved.node.kind === 'dir') return { ok: false, errno: 'EISDIR', message: `${path}: is a directory` };
    if (resolved.node.kind !== 'file') return { ok: false, errno: 'ENOENT', message: `${path}: dangling link` };
    return { ok: true, value: resolved.node.show() };
  }

  /**
   * `echo value > path`: the file receives `value` plus a newline (unless it
   * already ends with one). On success `value` of the result is the text the
   * file received. A refused write changes nothing.
   */
  async write(path: string, value: string): Promise<SysfsResult> {
    const resolved = resolveIn(this.#root, path);
    if (!resolved.ok) return this.#cannotCreate(path) ?? resolved;
    const node = resolved.node;
    if (node.kind === 'dir') return { ok: false, errno: 'EISDIR', message: `${path}: is a directory` };
    if (node.kind !== 'file') return { ok: false, errno: 'ENOENT', message: `${path}: dangling link` };
    if (!isStorable(node)) return this.#readOnly(path, node.mode);
    const written = value.endsWith('\n') ? value : `${value}\n`;
    const result = await node.store(written);
    return result.ok ? { ok: true, value: written } : result;
  }

  /**
   * `echo > path` opens with O_CREAT. A missing file in an existing sysfs
   * directory cannot be created: kernfs directories have no create
   * operation, and the VFS answers an O_CREAT lookup in such a directory with
   * EACCES (fs/namei.c `lookup_open`), not ENOENT. A missing directory on the
   * way is ENOENT as before; that is for the caller to return.
   */
  #cannotCreate(path: string): SysfsRefusal | null {
    const slash = path.lastIndexOf('/');
    if (slash < 0 || slash === path.length - 1) return null;
    const parent = resolveIn(this.#root, slash === 0 ? '/' : path.slice(0, slash));
    if (!parent.ok || parent.node.kind !== 'dir') return null;
    // procfs answers the lookup of a missing name with ENOENT itself
    // (fs/proc/proc_sysctl.c proc_sys_lookup), before O_CREAT is looked at.
    if (parent.path === PROC_DIR || parent.path.startsWith(`${PROC_DIR}/`)) return null;
    if (parent.node.child(path.slice(slash + 1)) !== undefined) return null;
    return {
      ok: false,
      errno: 'EACCES',
      message: `${path}: permission denied (no such attribute, and sysfs cannot create files: an open with O_CREAT fails with EACCES)`,
    };
  }

  /** lstat: what `path` names, a symlink at its end not followed (symlinks on the way are). */
  entry(path: string): SysfsEntry {
    const resolved = resolveIn(this.#root, path, false);
    if (!resolved.ok) return resolved;
    const node = resolved.node;
    if (node.kind === 'dir') return { ok: true, kind: 'dir' };
    if (node.kind === 'link') return { ok: true, kind: 'link', target: node.target };
    return { ok: true, kind: 'file', mode: node.mode };
  }

  /**
   * Why open(2) of `path` fails, or null. kernfs refuses a write open of a
   * file no one may write (kernfs_fop_open), for root too; a directory
   * cannot be opened for writing (EISDIR); O_CREAT of a missing name fails
   * as {@link write} explains.
   */
  openError(path: string, how: { write: boolean; create: boolean }): SysfsRefusal | null {
    const resolved = resolveIn(this.#root, path);
    if (!resolved.ok) return (how.create ? this.#cannotCreate(path) : null) ?? resolved;
    if (!how.write) return null;
    const node = resolved.node;
    if (node.kind === 'dir') return { ok: false, errno: 'EISDIR', message: `${path}: is a directory` };
    if (node.kind === 'file' && !isStorable(node)) return this.#readOnly(path, node.mode);
    return null;
  }

  #readOnly(path: string, mode: number): SysfsRefusal {
    return {
      ok: false,
      errno: 'EACCES',
      message: `${path}: permission denied (mode 0${mode.toString(8)}; sysfs enforces it for root too)`,
    };
  }

  /** Entry names of a directory path (symlinks followed), or undefined when it is not a directory. */
  list(path: string): string[] | undefined {
    const resolved = resolveIn(this.#root, path);
    if (!resolved.ok || resolved.node.kind !== 'dir') return undefined;
    return resolved.node.names();
  }

  /**
   * Write the tree under `rootDir` as real directories, files (with their
   * sysfs modes) and relative symlinks: `rootDir/sys/devices/system/memory`,
   * `.../node` and `rootDir/sys/module/memory_hotplug/parameters`. Those
   * three directories are replaced if they exist; nothing else is touched.
   */
  export(rootDir: string): ExportSummary {
    const fs = nodeBuiltin('fs', 'exportSysfs (writing a tree to disk)');
    const { join, resolve } = nodeBuiltin('path', 'exportSysfs (writing a tree to disk)');
    const absoluteRoot = resolve(rootDir);
    if (absoluteRoot === '/') throw new Error('exportSysfs: rootDir must not be / (that would overwrite the real /sys)');
    const summary: ExportSummary = { files: 0, dirs: 0, links: 0, bytes: 0 };
    for (const dir of EXPORTED_DIRS) {
      const target = join(absoluteRoot, dir);
      fs.rmSync(target, { recursive: true, force: true });
      const resolved = resolveIn(this.#root, dir);
      if (!resolved.ok || resolved.node.kind !== 'dir') throw new Error(`exportSysfs: ${dir} is missing from the model tree`);
      this.#exportDir(resolved.node, target, summary, fs, join);
    }
    return summary;
  }

  #exportDir(dir: VDir, target: string, summary: ExportSummary, fs: typeof import('node:fs'), join: (...parts: string[]) => string): void {
    fs.mkdirSync(target, { recursive: true, mode: MODE_DIR });
    summary.dirs++;
    for (const name of dir.names()) {
      const node = dir.child(name);
      if (node === undefined) continue;
      const path = join(target, name);
      if (node.kind === 'dir') this.#exportDir(node, path, summary, fs, join);
      else if (node.kind === 'link') {
        fs.symlinkSync(node.target, path);
        summary.links++;
      } else {
        const text = node.show();
        fs.writeFileSync(path, text);
        fs.chmodSync(path, node.mode);
        summary.files++;
        summary.bytes += Buffer.byteLength(text);
      }
    }
  }
}
