/**
 * Reading a scenario for a command: a file (refused before reading when it
 * is too large to be one) or, without a file, the built-in default.
 */
import { readFile, stat } from 'node:fs/promises';
import { DEFAULT_SCENARIO_FILE, DEFAULT_SCENARIO_YAML } from './default-scenario.js';
import { checkScenarioText, MAX_SCENARIO_CHARS, type ScenarioResult } from './scenario.js';

/** A scenario that could not be read: the message and the errno of the read. */
export interface ReadFailure {
  ok: false;
  readError: string;
  errno: string;
}

export async function loadScenario(file: string | null): Promise<ScenarioResult | ReadFailure> {
  if (file === null) return checkScenarioText(DEFAULT_SCENARIO_YAML, `(built-in) ${DEFAULT_SCENARIO_FILE}`);
  let text: string;
  try {
    // Refuse a huge file before reading it into memory.
    const { size } = await stat(file);
    if (size > MAX_SCENARIO_CHARS * 4) {
      return {
        ok: false,
        errno: 'EFBIG',
        readError: `${file}: the file has ${size} bytes, more than a scenario may have (${MAX_SCENARIO_CHARS} characters)`,
      };
    }
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'EIO';
    return { ok: false, errno: code, readError: `${file}: cannot read the scenario (${code})` };
  }
  return checkScenarioText(text, file);
}

/** The message, errno and file of a scenario that could not be loaded. */
export function loadFailure(loaded: ScenarioResult | ReadFailure, file: string): { message: string; errno: string; file: string } {
  if ('readError' in loaded) return { message: loaded.readError, errno: loaded.errno, file };
  if (loaded.ok) throw new Error('internal: the scenario loaded');
  return { message: loaded.error.message, errno: 'EINVAL', file: loaded.error.file };
}
