/**
 * The guard between a live sysfs and the real one: nothing pfnlab runs may
 * mount over /sys or /proc unless it is in a mount namespace of its own whose
 * mounts do not propagate back (unshare -m, propagation private). Then the
 * mounts are seen by this process and its children only, and vanish with
 * them; the host's /sys is never touched.
 */
import { readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';

/** The kernel's own file systems: mounting over them needs a private namespace. */
const KERNEL_TREES = ['/sys', '/proc'];

/**
 * Set by `pfnlab shell` for the process it starts in the new namespace: the
 * mount namespace it left (`mnt:[inode]`), the one to differ from.
 */
export const HOST_NAMESPACE_ENV = 'PFNLAB_HOST_MNT_NS';

function namespaceOf(pid: 'self' | number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/mnt`);
  } catch {
    return undefined;
  }
}

/** This process's mount namespace, as /proc/self/ns/mnt names it (`mnt:[4026531832]`). */
export function ownMountNamespace(): string | undefined {
  return namespaceOf('self');
}

/** The absolute, symlink-free form of `path`, or of its nearest existing ancestor plus the rest. */
function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    // A FUSE mount whose server is gone fails with ENOTCONN; its path is still the answer.
    return resolve(path);
  }
}

/** True when `path` is in the kernel's /sys or /proc trees. */
export function isKernelTree(path: string): boolean {
  const real = realPath(path);
  return KERNEL_TREES.some((tree) => real === tree || real.startsWith(`${tree}/`));
}

/** The mount (mount point and propagation fields) that holds `path`, from /proc/self/mountinfo. */
function mountHolding(path: string): { mountPoint: string; optional: string } | undefined {
  const real = realPath(path);
  let best: { mountPoint: string; optional: string } | undefined;
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    // id parent major:minor root mount-point options optional-fields... - fstype source super-options
    const fields = line.split(' ');
    if (fields.length < 7) continue;
    const mountPoint = fields[4].replace(/\\(\d{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
    const separator = fields.indexOf('-', 6);
    const optional = fields.slice(6, separator < 0 ? undefined : separator).join(' ');
    const inside = mountPoint === '/' || real === mountPoint || real.startsWith(`${mountPoint}/`);
    // The last matching line is the mount on top.
    if (inside && (best === undefined || mountPoint.length >= best.mountPoint.length)) best = { mountPoint, optional };
  }
  return best;
}

/** True when something is mounted at `path` itself (in this namespace). */
export function isMountPoint(path: string): boolean {
  return mountHolding(path)?.mountPoint === realPath(path);
}

/**
 * Why mounting over `target` (in /sys or /proc) is not safe here, or null
 * when it is: this process must be in a mount namespace other than the one
 * it came from (the namespace `pfnlab shell` left, else init's, else the
 * parent process's: the first of these that can be read), and the mount
 * holding the target must not be shared, so nothing propagates back.
 */
export function privateNamespaceProblem(target: string): string | null {
  const own = ownMountNamespace();
  if (own === undefined) return 'cannot read /proc/self/ns/mnt to tell which mount namespace this process is in';
  const references: [string, string | undefined][] = [
    [`the namespace pfnlab shell left (${HOST_NAMESPACE_ENV})`, process.env[HOST_NAMESPACE_ENV]],
    ['init (process 1)', namespaceOf(1)],
    [`the parent process (${process.ppid})`, namespaceOf(process.ppid)],
  ];
  const reference = references.find(([, ns]) => ns !== undefined && ns !== '');
  if (reference === undefined) {
    return 'cannot tell whether this process has a mount namespace of its own (neither /proc/1/ns/mnt nor the parent process\'s is readable)';
  }
  if (reference[1] === own) return `this process is in the same mount namespace as ${reference[0]} (${own}): a mount over ${target} would change the host's view`;
  const mount = mountHolding(target);
  if (mount === undefined) return `cannot find the mount that holds ${target} in /proc/self/mountinfo`;
  if (/\bshared:\d+/.test(mount.optional)) {
    return `the mount at ${mount.mountPoint} is shared (${mount.optional}): a mount over ${target} would propagate out of this namespace`;
  }
  return null;
}
