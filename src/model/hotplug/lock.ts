/**
 * device_hotplug_lock (drivers/base/core.c lock_device_hotplug): one
 * lifecycle operation at a time. sysfs writes to a block's `state` and
 * `online` files and the lifecycle API queue on the same lock.
 */
export class HotplugLock {
  #busy = false;
  readonly #waiters: (() => void)[] = [];

  /**
   * Run `operation` under the lock. When the lock is free the operation
   * starts synchronously, so a state change it makes before its first await
   * (going-offline) is visible to the caller at once.
   */
  async locked<T>(operation: () => Promise<T>): Promise<T> {
    if (this.#busy) await new Promise<void>((resolve) => this.#waiters.push(resolve));
    else this.#busy = true;
    try {
      return await operation();
    } finally {
      const next = this.#waiters.shift();
      if (next !== undefined) next();
      else this.#busy = false;
    }
  }
}
