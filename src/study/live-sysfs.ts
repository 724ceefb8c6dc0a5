/**
 * A live sysfs: the model's sysfs tree served as a real file system over
 * FUSE, so unmodified tools (lsmem, chmem, stress-ng, shell scripts) read
 * and write the model the way they read and write /sys.
 *
 * The FUSE side is a small C helper (native/pfnlab-fuse.c, libfuse3's
 * high-level API), built on first use with Debian's libfuse3-dev. It keeps no
 * state: each kernel request becomes one framed request on a socket (the
 * helper's fd 3), which this module answers from the machine, one at a time.
 * Reads and writes go through the machine's own sysfs tree, so a write
 * reaches the same state machine as a scenario step and its refusal reaches
 * the writer as the kernel's errno.
 *
 * How sysfs file I/O behaves, and so how it is served here:
 * - every write(2) is one call of the attribute's store with at most one
 *   page of the data, at any offset (kernfs_fop_write_iter, sysfs_kf_write):
 *   writing "off" then "line" is two stores, both refused;
 * - a read shows the text from the offset on (the seq_file of the show);
 * - stat gives every attribute a size of 4096 (PAGE_SIZE), whatever its
 *   text; truncation (O_TRUNC) is accepted and changes nothing;
 * - modes are the kernel's, and a write open of a file no one may write is
 *   EACCES for root too.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Socket } from 'node:net';
import { errnoNumber } from '../model/core/errno.js';
import type { Errno, Machine, SysfsResult } from '../model/core/types.js';
import { PAGE_SIZE } from '../contract/constants.js';
import { MODE_DIR, MODE_LINK, SYSFS_FILE_SIZE } from '../model/views/sysfs.js';
import { findPackageRoot } from '../util/package-root.js';
import { isMountPoint } from './mount-namespace.js';

/**
 * The request operations, numbered as native/pfnlab-fuse.c numbers them
 * (`enum op`). The framing, little-endian:
 *   request  u32 length of what follows | u32 op | u64 offset | u32 size |
 *            u32 flags | path, NUL-terminated | data (write only)
 *   reply    i32 status (>= 0, or a negative errno) | u32 length | payload
 */
export const FUSE_OP = {
  READY: 0,
  GETATTR: 1,
  READDIR: 2,
  READLINK: 3,
  OPEN: 4,
  READ: 5,
  WRITE: 6,
  TRUNCATE: 7,
  CREATE: 8,
} as const;
const REQUEST_HEADER_BYTES = 24;
const REPLY_HEADER_BYTES = 8;

/** File type bits of st_mode (include/uapi/linux/stat.h). */
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
/** open(2) access mode bits, and O_RDONLY. */
const O_ACCMODE = 3;
const O_RDONLY = 0;

/** Where the helper's source is, relative to the package root, and where its build goes. */
const HELPER_SOURCE = join('native', 'pfnlab-fuse.c');
const HELPER_BINARY = join('build', 'native', 'pfnlab-fuse');

/** The Debian packages the live sysfs needs, for error messages. */
export const LIVE_SYSFS_PACKAGES = 'fuse3 libfuse3-dev gcc pkg-config';

/** What one write through the mount did: the log a live session keeps. */
export interface LiveWrite {
  path: string;
  /** The text written, as the store received it. */
  value: string;
  /** 'ok', or the errno the writer got. */
  result: 'ok' | Errno;
  message?: string;
}

export interface LiveSysfsOptions {
  /** Told of every write, as it completes. */
  onWrite?: (write: LiveWrite) => void;
}

/** A mounted live sysfs. */
export interface LiveSysfs {
  readonly mountpoint: string;
  /** Requests answered so far. */
  readonly requests: () => number;
  /** Settles with how the helper ended (`status 0`, `signal SIGKILL`), asked to or not. */
  readonly exited: Promise<string>;
  /** Stops the helper (which unmounts) and waits for it to exit. */
  unmount(): Promise<void>;
}

/**
 * The helper's path, built from its source when it is missing or older than
 * the source. Throws naming the Debian packages when it cannot be built.
 */
export function fuseHelperPath(): string {
  const root = findPackageRoot(import.meta.url);
  const source = join(root, HELPER_SOURCE);
  const binary = join(root, HELPER_BINARY);
  if (existsSync(binary) && statSync(binary).mtimeMs >= statSync(source).mtimeMs) return binary;
  const flags = spawnSync('pkg-config', ['--cflags', '--libs', 'fuse3'], { encoding: 'utf8' });
  if (flags.status !== 0) {
    throw new Error(`the live sysfs needs libfuse3 to build its FUSE helper: pkg-config fuse3 failed (${(flags.stderr ?? flags.error?.message ?? '').trim()}); install the Debian packages ${LIVE_SYSFS_PACKAGES}`);
  }
  mkdirSync(dirname(binary), { recursive: true });
  // Built beside and renamed into place: processes that start at once may both build, never run a half-written file.
  const building = `${binary}.${process.pid}`;
  const cc = spawnSync('cc', ['-O2', '-Wall', '-o', building, source, ...flags.stdout.trim().split(/\s+/)], { encoding: 'utf8' });
  if (cc.status === 0) renameSync(building, binary);
  else {
    rmSync(building, { force: true });
    throw new Error(`building the FUSE helper (${HELPER_SOURCE}) failed: ${(cc.stderr ?? cc.error?.message ?? '').trim()}; it needs the Debian packages ${LIVE_SYSFS_PACKAGES}`);
  }
  return binary;
}

function errnoReply(errno: string): number {
  return -(errnoNumber(errno) ?? (errnoNumber('EIO') as number));
}

/** One decoded request. */
interface Request {
  op: number;
  offset: bigint;
  size: number;
  flags: number;
  path: string;
  data: Buffer;
}

function decode(frame: Buffer): Request {
  const op = frame.readUInt32LE(4);
  const offset = frame.readBigUInt64LE(8);
  const size = frame.readUInt32LE(16);
  const flags = frame.readUInt32LE(20);
  const pathEnd = frame.indexOf(0, REQUEST_HEADER_BYTES);
  const path = frame.toString('utf8', REQUEST_HEADER_BYTES, pathEnd);
  return { op, offset, size, flags, path, data: frame.subarray(pathEnd + 1) };
}

function reply(status: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(REPLY_HEADER_BYTES);
  head.writeInt32LE(status, 0);
  head.writeUInt32LE(payload.length, 4);
  return Buffer.concat([head, payload]);
}

function failure(result: { errno: string }): Buffer {
  return reply(errnoReply(result.errno));
}

/** Answers the helper's requests from one machine. */
class Server {
  #requests = 0;

  constructor(
    private readonly machine: Machine,
    private readonly options: LiveSysfsOptions,
    private readonly onReady: () => void,
  ) {}

  get requests(): number {
    return this.#requests;
  }

  async answer(request: Request): Promise<Buffer> {
    this.#requests++;
    const { machine } = this;
    const { path } = request;
    switch (request.op) {
      case FUSE_OP.READY:
        this.onReady();
        return reply(0);
      case FUSE_OP.GETATTR: {
        const entry = await machine.sysfsEntry(path);
        if (!entry.ok) return failure(entry);
        const attr = Buffer.alloc(16);
        const [mode, nlink, size] =
          entry.kind === 'dir'
            ? [S_IFDIR | MODE_DIR, 2, 0]
            : entry.kind === 'link'
              ? [S_IFLNK | MODE_LINK, 1, Buffer.byteLength(entry.target)]
              : [S_IFREG | entry.mode, 1, SYSFS_FILE_SIZE];
        attr.writeUInt32LE(mode, 0);
        attr.writeUInt32LE(nlink, 4);
        attr.writeBigUInt64LE(BigInt(size), 8);
        return reply(0, attr);
      }
      case FUSE_OP.READDIR: {
        const names = await machine.sysfsList(path);
        if (names === undefined) {
          const entry = await machine.sysfsEntry(path);
          return reply(errnoReply(entry.ok ? 'ENOTDIR' : entry.errno));
        }
        return reply(0, Buffer.from(names.map((name) => `${name}\0`).join('')));
      }
      case FUSE_OP.READLINK: {
        const entry = await machine.sysfsEntry(path);
        if (!entry.ok) return failure(entry);
        if (entry.kind !== 'link') return reply(errnoReply('EINVAL'));
        return reply(0, Buffer.from(entry.target));
      }
      case FUSE_OP.OPEN:
      case FUSE_OP.CREATE: {
        const refused = await machine.sysfsOpen(path, { write: (request.flags & O_ACCMODE) !== O_RDONLY, create: request.op === FUSE_OP.CREATE });
        return refused === null ? reply(0) : failure(refused);
      }
      case FUSE_OP.READ: {
        const read = await machine.sysfsRead(path);
        if (!read.ok) return failure(read);
        const text = Buffer.from(read.value);
        const start = Number(request.offset > BigInt(text.length) ? BigInt(text.length) : request.offset);
        return reply(0, text.subarray(start, start + request.size));
      }
      case FUSE_OP.WRITE: {
        // One store per write(2), of at most a page; an empty write stores nothing.
        const chunk = request.data.subarray(0, Math.min(request.size, PAGE_SIZE));
        if (chunk.length === 0) return reply(0);
        const value = chunk.toString('utf8');
        const result = await machine.sysfsWrite(path, value);
        this.options.onWrite?.(
          result.ok ? { path, value, result: 'ok' } : { path, value, result: result.errno, message: result.message },
        );
        return result.ok ? reply(chunk.length) : failure(result);
      }
      case FUSE_OP.TRUNCATE: {
        const entry = await machine.sysfsEntry(path);
        if (!entry.ok) return failure(entry);
        return reply(entry.kind === 'dir' ? errnoReply('EISDIR') : 0);
      }
      default:
        return reply(errnoReply('ENOSYS'));
    }
  }
}

/**
 * Mount the machine's sysfs tree at `mountpoint` (an existing directory):
 * `mountpoint/sys/devices/system/memory`, `.../node`,
 * `mountpoint/sys/module/memory_hotplug/parameters`, the notifier error
 * injector under `mountpoint/sys/kernel/debug`, and the `/proc/sys/vm` files
 * under `mountpoint/proc`. Resolves once the kernel has the mount.
 *
 * The caller must not touch the mount synchronously from this thread: the
 * answers come from this thread's event loop.
 */
export async function mountLiveSysfs(machine: Machine, mountpoint: string, options: LiveSysfsOptions = {}): Promise<LiveSysfs> {
  const helper = fuseHelperPath();
  const child: ChildProcess = spawn(helper, [mountpoint], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => {
    stderr += text;
  });
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal === null ? `status ${code}` : `signal ${signal}`)),
  );
  const channel = child.stdio[3] as Socket;

  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  const server = new Server(machine, options, () => markReady());

  // Frames may arrive split or joined; the helper sends one at a time.
  let pending: Buffer = Buffer.alloc(0);
  let queue = Promise.resolve();
  channel.on('data', (bytes: Buffer) => {
    pending = pending.length === 0 ? bytes : Buffer.concat([pending, bytes]);
    while (pending.length >= 4) {
      const length = pending.readUInt32LE(0) + 4;
      if (pending.length < length) break;
      const request = decode(pending.subarray(0, length));
      pending = pending.subarray(length);
      queue = queue.then(async () => {
        let answer: Buffer;
        try {
          answer = await server.answer(request);
        } catch (error) {
          // A bug in the model must not hang the writer: it gets EIO, and the error is reported.
          process.stderr.write(`pfnlab live sysfs: ${request.path}: ${error instanceof Error ? error.stack : String(error)}\n`);
          answer = reply(errnoReply('EIO'));
        }
        if (!channel.destroyed) channel.write(answer);
      });
    }
  });
  channel.on('error', () => undefined);

  const started = await Promise.race([ready.then(() => 'ready' as const), exited]);
  if (started !== 'ready') {
    throw new Error(`the FUSE helper could not mount ${mountpoint} (${started}): ${stderr.trim() || 'no message'}`);
  }

  let unmounted: Promise<void> | undefined;
  return {
    mountpoint,
    requests: () => server.requests,
    exited,
    unmount() {
      // SIGTERM makes libfuse leave its loop and unmount; a helper that does
      // not go is killed, and the mount, if still there, detached.
      unmounted ??= (async () => {
        child.kill('SIGTERM');
        let timer: NodeJS.Timeout | undefined;
        const stopped = await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(() => resolve('timeout'), 5000)))]);
        clearTimeout(timer);
        if (stopped === 'timeout') child.kill('SIGKILL');
        await exited;
        if (!isMountPoint(mountpoint)) return;
        // Root unmounts directly; anyone else through the setuid fusermount3.
        const [program, args] = process.getuid?.() === 0 ? ['umount', ['-l', mountpoint]] : ['fusermount3', ['-u', '-z', '-q', mountpoint]];
        await new Promise<void>((resolve) => {
          const detach = spawn(program, args, { stdio: 'ignore' });
          detach.once('exit', () => resolve());
          detach.once('error', () => resolve());
        });
      })();
      return unmounted;
    },
  };
}
