import { ENGINE_STATUS_TEXT, EngineStatus, type EngineStatusName } from './constants.js';

/**
 * A refused engine call. `code` says what was wrong, `arg` names the argument
 * (when one argument is to blame), and the message says both in words.
 * The shard is unchanged when this is thrown.
 */
export class EngineError extends Error {
  override readonly name = 'EngineError';
  constructor(
    readonly code: EngineStatusName,
    readonly op: string,
    readonly arg: string | undefined,
    detail?: string,
  ) {
    super(
      `${op}: ${ENGINE_STATUS_TEXT[code]}` +
        (arg !== undefined ? ` (argument ${arg})` : '') +
        (detail ? `: ${detail}` : ''),
    );
  }
}

const NAME_OF_STATUS = new Map<number, EngineStatusName>(
  (Object.entries(EngineStatus) as [keyof typeof EngineStatus, number][])
    .filter(([name]) => name !== 'OK')
    .map(([name, value]) => [value, name as EngineStatusName]),
);

/** The status name of a negative engine return code. */
export function statusName(status: number): EngineStatusName {
  const name = NAME_OF_STATUS.get(status);
  if (name === undefined) throw new Error(`unknown engine status ${status}`);
  return name;
}
