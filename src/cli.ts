/**
 * The `pfnlab` command's entry point and one of the two composition roots
 * (the other is `index.ts`): it gives the command line (`study/cli.ts`) the
 * engines it may use. `bin/pfnlab.mjs` runs the compiled form of this file.
 */
import type { EngineOptions } from './contract/engine-api.js';
import { createEngine } from './engine/index.js';
import { engineFactoryFor } from './engines.js';
import { type CliIo, main as runCommandLine } from './study/cli.js';
import { packageVersion } from './util/package-root.js';

/** Run the command line `args` (without node and the script); returns the exit code. */
export function main(args: readonly string[], io?: CliIo): Promise<number> {
  const context = {
    choose: engineFactoryFor,
    demo: (opts: EngineOptions) => createEngine(opts),
    version: packageVersion(import.meta.url),
    studyWorker: new URL('./study-worker.js', import.meta.url),
  };
  return runCommandLine(args, context, io);
}
