/**
 * The model's error types.
 *
 * - {@link BootError}: an impossible machine. Booting stops and the error
 *   names the MachineSpec field at fault; every boot stage throws it.
 * - {@link ModelError}: a refusal the kernel would report with an errno.
 *   Model functions throw it when a request is refused the way the kernel
 *   refuses it (EINVAL for a malformed argument, EBUSY while a resource is in
 *   use, ...). Callers that speak to user space (sysfs writes, scenario
 *   steps) turn it into `{ ok: false, errno, message }`.
 *
 * An engine that refuses a call throws the contract's EngineError instead:
 * that is an internal failure, never an errno.
 */
import type { Errno } from './types.js';

/** An impossible machine: names the spec field at fault. */
export class BootError extends Error {
  /** Path of the offending MachineSpec field, e.g. `srat[2].base` or `reservations`. */
  readonly field: string;
  constructor(field: string, message: string, options?: { cause?: unknown }) {
    super(`${field}: ${message}`, options);
    this.name = 'BootError';
    this.field = field;
  }
}

export class ModelError extends Error {
  constructor(
    readonly errno: Errno,
    message: string,
  ) {
    super(message);
    this.name = 'ModelError';
  }
}
