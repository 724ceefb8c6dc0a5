#!/usr/bin/env node
// Launcher for the pfnlab command line: the CLI itself is compiled TypeScript in dist/.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const cliPath = fileURLToPath(new URL('../dist/src/cli.js', import.meta.url));
if (!existsSync(cliPath)) {
  process.stderr.write(`pfnlab: ${cliPath} is missing; run npm run build first\n`);
  process.exit(2);
}
const { main } = await import(pathToFileURL(cliPath).href);
process.exitCode = await main(process.argv.slice(2));
