/**
 * `npm run bench:readme [FILE]`: records a bench run as the README's
 * performance section. FILE (default bench-results/latest.json, what
 * `npm run bench` last wrote) is copied to docs/bench-run.json and the
 * README's generated block is rewritten from it; a test holds the two equal.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findPackageRoot } from '../src/util/package-root.js';
import { performanceMarkdown, readmeBlock, type BenchReport } from './report.js';

const root = findPackageRoot(import.meta.url);
const source = process.argv[2] ?? join(root, 'bench-results', 'latest.json');
const report = JSON.parse(readFileSync(source, 'utf8')) as BenchReport;
const block = performanceMarkdown(report);
const readmePath = join(root, 'README.md');
const readme = readFileSync(readmePath, 'utf8');
const old = readmeBlock(readme);
if (old === undefined) {
  console.error('bench:readme: README.md has no generated performance block (its begin and end markers)');
  process.exit(1);
}
writeFileSync(join(root, 'docs', 'bench-run.json'), `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(readmePath, readme.replace(old, block));
console.log(`README.md performance section rewritten from ${source} (run of ${report.startedAt})`);
