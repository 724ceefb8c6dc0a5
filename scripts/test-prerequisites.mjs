// The programs the test suite runs besides Node, and the Debian packages that
// bring them. Run before the tests (npm's pretest) and by .ci/run: a missing
// program is installed when this runs as root with apt-get, otherwise the run
// stops at once naming the packages to install. Tests are never skipped for
// a missing program.
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * One line per need: the command on PATH (or the file) it is checked by, its
 * Debian package, and which tests need it.
 */
const LIVE = 'the live sysfs tests (test/study/live-*.test.ts)';
const NEEDED = [
  { command: 'lsmem', pkg: 'util-linux', why: 'the lsmem real-client tests (test/model/lsmem, test/acceptance)' },
  { command: 'chmem', pkg: 'util-linux', why: LIVE },
  { command: 'unshare', pkg: 'util-linux', why: LIVE },
  { command: 'setpriv', pkg: 'util-linux', why: LIVE },
  { command: 'fusermount3', pkg: 'fuse3', why: LIVE },
  { file: '/usr/include/fuse3/fuse.h', pkg: 'libfuse3-dev', why: `building native/pfnlab-fuse.c, for ${LIVE}` },
  { command: 'cc', pkg: 'gcc', why: `building native/pfnlab-fuse.c, for ${LIVE}` },
  { command: 'pkg-config', pkg: 'pkg-config', why: `building native/pfnlab-fuse.c, for ${LIVE}` },
  { command: 'stress-ng', pkg: 'stress-ng', why: 'the stress-ng --memhotplug test (test/study/live-shell.test.ts)' },
  { command: 'chromium', pkg: 'chromium', why: 'the browser tests (test/study/html-report-browser.test.ts, test/browser/explorer.test.ts, through playwright-core)' },
];

function onPath(command) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

function present(need) {
  if (need.file !== undefined) {
    try {
      accessSync(need.file, constants.R_OK);
      return true;
    } catch {
      return false;
    }
  }
  return onPath(need.command);
}

const missing = () => NEEDED.filter((need) => !present(need));

let absent = missing();
if (absent.length > 0) {
  const pkgs = [...new Set(absent.map((need) => need.pkg))];
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && onPath('apt-get')) {
    console.error(`installing Debian packages the tests need: ${pkgs.join(' ')}`);
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    const install = spawnSync('apt-get', ['install', '-y', '-qq', ...pkgs], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (install.status !== 0) console.error(`apt-get install ${pkgs.join(' ')} failed (status ${install.status})`);
    absent = missing();
  }
}
if (absent.length > 0) {
  console.error('The tests need programs that are not installed:');
  for (const need of absent) console.error(`  ${need.command ?? need.file} (Debian package ${need.pkg}), for ${need.why}`);
  console.error(`Install them, e.g.: sudo apt-get install ${[...new Set(absent.map((need) => need.pkg))].join(' ')}`);
  process.exit(1);
}
