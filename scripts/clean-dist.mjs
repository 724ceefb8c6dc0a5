// Empties dist/ before a TypeScript build, so no module that no longer has a
// source (a renamed or deleted file) is left behind to be run or shipped.
import { rmSync } from 'node:fs';

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
