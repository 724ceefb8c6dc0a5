/**
 * The `pfnlab` command's entry point and one of the two composition roots
 * (the other is `index.ts`): it gives the command line (`study/cli.ts`) the
 * engines it may use. `bin/pfnlab.mjs` runs the compiled form of this file.
 */
import { createEngine } from './engine/index.js';
import { engineFactoryFor } from './engines.js';
import { type CliIo, main as runCommandLine } from './study/cli.js';

/** Run the command line `args` (without node and the script); returns the exit code. */
export function main(args: readonly string[], io?: CliIo): Promise<number> {
  return runCommandLine(args, { choose: engineFactoryFor, demo: (opts) => createEngine(opts) }, io);
}
