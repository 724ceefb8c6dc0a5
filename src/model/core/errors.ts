/**
 * The model's error type: a refusal the kernel would report with an errno.
 *
 * Model functions throw a {@link ModelError} when a request is refused the
 * way the kernel refuses it (EINVAL for a malformed argument, EBUSY while a
 * resource is in use, ...). Callers that speak to user space (sysfs writes,
 * scenario steps) turn it into `{ ok: false, errno, message }`.
 */
import type { Errno } from './types.js';

export class ModelError extends Error {
  constructor(
    readonly errno: Errno,
    message: string,
  ) {
    super(message);
    this.name = 'ModelError';
  }
}
