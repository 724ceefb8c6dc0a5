/**
 * Linux errno numbers (include/uapi/asm-generic/errno-base.h and errno.h, the
 * same on x86 and arm64): what a process sees when the model refuses it
 * through a real file system, and what the notifier error injector's debugfs
 * files hold ("-12" for ENOMEM). The model itself names errnos; this table is
 * the one place names meet numbers. Only the names the memory hotplug paths,
 * the files and their clients can meet are listed.
 */
const ERRNO_NUMBERS = {
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  EINTR: 4,
  EIO: 5,
  ENXIO: 6,
  E2BIG: 7,
  ENOEXEC: 8,
  EBADF: 9,
  ECHILD: 10,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  ENOTBLK: 15,
  EBUSY: 16,
  EEXIST: 17,
  EXDEV: 18,
  ENODEV: 19,
  ENOTDIR: 20,
  EISDIR: 21,
  EINVAL: 22,
  ENFILE: 23,
  EMFILE: 24,
  ENOTTY: 25,
  ETXTBSY: 26,
  EFBIG: 27,
  ENOSPC: 28,
  ESPIPE: 29,
  EROFS: 30,
  EMLINK: 31,
  EPIPE: 32,
  EDOM: 33,
  ERANGE: 34,
  EDEADLK: 35,
  ENAMETOOLONG: 36,
  ENOLCK: 37,
  ENOSYS: 38,
  ENOTEMPTY: 39,
  ELOOP: 40,
  ENOMSG: 42,
  EIDRM: 43,
  ENODATA: 61,
  ETIME: 62,
  EPROTO: 71,
  EBADMSG: 74,
  EOVERFLOW: 75,
  EILSEQ: 84,
  EOPNOTSUPP: 95,
  ENOTCONN: 107,
  ETIMEDOUT: 110,
  ESTALE: 116,
  EDQUOT: 122,
  ECANCELED: 125,
  EHWPOISON: 133,
} as const satisfies Record<string, number>;

const NAME_OF_NUMBER = new Map<number, string>(Object.entries(ERRNO_NUMBERS).map(([name, number]) => [number, name]));

/** The positive errno number of `name`, or undefined for a name the table does not hold. */
export function errnoNumber(name: string): number | undefined {
  return Object.prototype.hasOwnProperty.call(ERRNO_NUMBERS, name) ? ERRNO_NUMBERS[name as keyof typeof ERRNO_NUMBERS] : undefined;
}

/** The name of the positive errno `number`, or undefined. */
export function errnoName(number: number): string | undefined {
  return NAME_OF_NUMBER.get(number);
}

/** MAX_ERRNO (include/linux/err.h): the largest errno a kernel pointer or return value can carry. */
export const MAX_ERRNO = 4095;
