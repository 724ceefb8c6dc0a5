/**
 * Memory notifier error injection (lib/memory-notifier-error-inject.c, the
 * memory-notifier-error-inject module): every following notification of an
 * action fails with the injected errno, until cleared. Onlines consult
 * MEM_GOING_ONLINE before any page changes; offlines consult
 * MEM_GOING_OFFLINE once the range is isolated.
 */
import { errnoNumber } from '../core/errno.js';
import { ModelError } from '../core/errors.js';
import { NOTIFIER_ACTIONS, type Errno, type NotifierAction } from '../core/types.js';

export class NotifierErrorInject {
  readonly #errors = new Map<NotifierAction, Errno>();

  /** Make `action` fail with `errno` from now on; null stops it. Throws ModelError (EINVAL) for a bad argument. */
  inject(action: NotifierAction, errno: Errno | null): void {
    if (!NOTIFIER_ACTIONS.includes(action)) {
      throw new ModelError('EINVAL', `action must be ${NOTIFIER_ACTIONS.join(' or ')}, got ${JSON.stringify(action)}`);
    }
    if (errno === null) {
      this.#errors.delete(action);
      return;
    }
    if (typeof errno !== 'string' || errnoNumber(errno) === undefined) {
      throw new ModelError('EINVAL', `errno must be a Linux errno name such as ENOMEM, or null, got ${JSON.stringify(errno)}`);
    }
    this.#errors.set(action, errno);
  }

  /** The errno the notifier chain answers `action` with, or undefined when it lets it through. */
  veto(action: NotifierAction): Errno | undefined {
    return this.#errors.get(action);
  }
}
