/**
 * The explorer page in a real browser: Debian's chromium driven by
 * playwright-core (no browser download). The page is built with Vite as
 * `npm run explore:build` builds it, served from a local static server, and
 * driven through its buttons. What it shows is compared with the same
 * operations on a machine booted in this process, and it must make no request
 * beyond its own origin and log no console error. A screenshot is left in
 * test-results/ for review; the 64 TiB timings are printed, not asserted.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMachine, parseScenario, type Machine } from '../../src/index.js';
import { renderStudyHtml } from '../../src/study/html-report.js';
import { syntheticResults } from '../study/html-report-fixture.js';
import { pageblockColour } from '../../explore/map.js';
import { writeFileSync } from 'node:fs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCREENSHOT = join(ROOT, 'test-results', 'explorer.png');
const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
};

function serve(dir: string): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const file = join(dir, path === '/' ? 'index.html' : path);
    try {
      const body = readFileSync(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    resolve({ server, origin: `http://127.0.0.1:${address.port}` });
  }));
}

function scenario(name: string) {
  return parseScenario(readFileSync(join(ROOT, 'scenarios', name), 'utf8'), name);
}

/** Wait until the page is idle: no action running, and the status says booted. */
async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() => document.body.dataset.busy === undefined && /booted/.test(document.getElementById('status')!.textContent ?? ''), null, { timeout: 120_000 });
}

async function click(page: Page, selector: string): Promise<void> {
  await page.click(selector);
  await settled(page);
}

describe('explorer page in headless Chromium', () => {
  let browser: Browser;
  let dir: string;
  let server: Server;
  let origin: string;
  let page: Page;
  const errors: string[] = [];
  const foreign: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pfnlab-explore-'));
    await build({ configFile: join(ROOT, 'explore', 'vite.config.ts'), logLevel: 'warn', build: { outDir: dir, emptyOutDir: true } });
    ({ server, origin } = await serve(dir));
    const executablePath = execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim();
    const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    browser = await chromium.launch({ executablePath, headless: true, args: asRoot ? ['--no-sandbox'] : [] });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(msg.text());
    });
    page.on('pageerror', (err) => errors.push(err.message));
    page.on('request', (req) => {
      if (!req.url().startsWith(`${origin}/`)) foreign.push(req.url());
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('offlines and removes a Movable block as the model predicts, and shows EBUSY on an unmovable one', async () => {
    // The same machine in this process: what the page must show.
    const model: Machine = await createMachine(scenario('default-4node-4tib.yaml'));
    try {
      await page.goto(`${origin}/`);
      await settled(page);
      expect(await page.inputValue('#scenario')).toMatch(/default-4node-4tib\.yaml$/);
      expect(await page.textContent('#zoneinfo')).toBe(await model.zoneinfo());

      const blocks = await model.blocks();
      const movable = blocks.find((b) => b.zone === 'Movable')!;
      const colour = (id: number) => page.evaluate((blockId) => (globalThis as any).pfnlabExplorer.cellColour(blockId), id);
      expect(await colour(movable.id)).toBe('#27ae60');

      await page.evaluate((id) => (globalThis as any).pfnlabExplorer.select(id), movable.id);
      await click(page, 'button[data-act="offline"]');
      expect((await model.offlineBlocks({ firstBlockId: movable.id, lastBlockId: movable.id })).ok).toBe(true);
      expect(await colour(movable.id)).toBe('#b8b8b8');
      expect(await page.textContent('#zoneinfo')).toBe(await model.zoneinfo());

      const base = movable.id * model.blockSizeBytes;
      await click(page, 'button[data-act="remove"]');
      expect((await model.removeMemory(base, model.blockSizeBytes)).ok).toBe(true);
      expect(await colour(movable.id)).toBe('#ffffff');
      expect(await page.textContent('#zoneinfo')).toBe(await model.zoneinfo());
      expect(await page.textContent('#log')).toContain(`remove_memory memory${movable.id}: ok`);

      // An online Normal block holding unmovable pages: the model says EBUSY; the page must say the same.
      const counts = await model.blockClassCounts();
      const after = await model.blocks();
      const unmovable = after.findIndex((b, i) => b.zone === 'Normal' && (counts[i]![5]! > 0 || counts[i]![2]! > 0));
      expect(unmovable).toBeGreaterThanOrEqual(0);
      const id = after[unmovable]!.id;
      const predicted = await model.offlineBlocks({ firstBlockId: id, lastBlockId: id });
      expect(predicted.errno).toBe('EBUSY');
      await page.evaluate((blockId) => (globalThis as any).pfnlabExplorer.select(blockId), id);
      await click(page, 'button[data-act="offline"]');
      const shown = await page.textContent('#error');
      expect(shown).toContain(`offline memory${id}: EBUSY: ${predicted.message}`);
      expect(await colour(id)).toBe('#2e86de');

      // The notifier error injector, then a workload: the same on both sides.
      const next = after.find((b) => b.zone === 'Movable' && b.id !== movable.id)!;
      await page.selectOption('#inject', 'MEM_GOING_OFFLINE:EBUSY');
      await settled(page);
      model.injectNotifierError('MEM_GOING_OFFLINE', 'EBUSY');
      const vetoed = await model.offlineBlocks({ firstBlockId: next.id, lastBlockId: next.id });
      expect(vetoed.errno).toBe('EBUSY');
      await page.evaluate((blockId) => (globalThis as any).pfnlabExplorer.select(blockId), next.id);
      await click(page, 'button[data-act="offline"]');
      expect(await page.textContent('#error')).toBe(`offline memory${next.id}: EBUSY: ${vetoed.message}`);
      await page.selectOption('#inject', '');
      await settled(page);
      model.injectNotifierError('MEM_GOING_OFFLINE', null);

      await click(page, '#run-workload');
      const filled = await model.workload({ node: 'spread', anon: { share: 0.3 }, file: { share: 0.2 }, slab: { share: 0.02 }, placement: 'fragmented', seed: 1 });
      expect(await page.textContent('#log')).toContain(`workload anon 30%, file 20%, slab 2%, fragmented: ${filled.ok ? 'ok' : filled.errno}`);
      expect(await page.textContent('#zoneinfo')).toBe(await model.zoneinfo());

      // Inside one block after the workload: each pageblock coloured from the model's class masks.
      let mixed: { id: number; classes: number[] } | undefined;
      for (const block of await model.blocks()) {
        const got = await model.blockPageblocks(block.id);
        if ('classes' in got && new Set(got.classes).size > 1) {
          mixed = { id: block.id, classes: got.classes };
          break;
        }
      }
      expect(mixed, 'a block whose pageblocks differ').toBeDefined();
      const inside = mixed!;
      await page.evaluate((blockId) => (globalThis as any).pfnlabExplorer.select(blockId), inside.id);
      const drawn = await page.evaluate((n) => Array.from({ length: n }, (_, i) => (globalThis as any).pfnlabExplorer.pageblockColour(i)), inside.classes.length);
      expect(drawn).toEqual(inside.classes.map(pageblockColour));

      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      expect(errors).toEqual([]);
      expect(foreign).toEqual([]);
    } finally {
      await model.close();
    }
  }, 180_000);

  it('boots the 64 TiB, 16-node machine and redraws after an offline (timings printed)', async () => {
    const name = '64tib-16node-kernelcore.yaml';
    await page.selectOption('#scenario', { label: name });
    await click(page, '#boot');
    const booted = await page.evaluate(() => ({ ...(globalThis as any).pfnlabExplorer.timings }));
    const model = await createMachine(scenario(name));
    try {
      const blocks = await model.blocks();
      const movable = blocks.find((b) => b.zone === 'Movable')!;
      await page.evaluate((id) => (globalThis as any).pfnlabExplorer.select(id), movable.id);
      await click(page, 'button[data-act="offline"]');
      expect(await page.evaluate((id) => (globalThis as any).pfnlabExplorer.cellColour(id), movable.id)).toBe('#b8b8b8');
      const redraw = await page.evaluate(() => (globalThis as any).pfnlabExplorer.timings.lastRedrawMs);
      console.log(
        `explorer, ${name}: ${blocks.length} blocks; boot ${booted.bootMs.toFixed(0)} ms, first map ${booted.firstMapMs.toFixed(0)} ms, ` +
          `redraw after offline ${redraw.toFixed(0)} ms (blocks, zoneinfo and lsmem re-read)`,
      );
      expect(errors).toEqual([]);
      expect(foreign).toEqual([]);
    } finally {
      await model.close();
    }
  }, 300_000);

  it('names the file, step and field of a bad YAML file, and opens a study report', async () => {
    const bad = join(dir, 'bad-box.yaml');
    const good = readFileSync(join(ROOT, 'scenarios', 'small-vm.yaml'), 'utf8');
    writeFileSync(bad, `${good.slice(0, good.indexOf('\nsteps:'))}\nsteps:\n  - offline: { node: -1 }\n`);
    const expected = (await import('../../src/index.js')).checkScenarioText(readFileSync(bad, 'utf8'), 'bad-box.yaml');
    expect(expected.ok).toBe(false);
    await page.setInputFiles('#file', bad);
    await page.click('#boot');
    await page.waitForFunction(() => document.body.dataset.busy === undefined && !document.getElementById('error')!.hidden);
    const shown = await page.textContent('#error');
    expect(shown).toBe(expected.ok ? '' : expected.error.message);
    expect(shown).toMatch(/^bad-box\.yaml: steps\[0\]/);

    const report = join(dir, 'report.html');
    writeFileSync(report, await renderStudyHtml(syntheticResults()));
    await page.setInputFiles('#report', report);
    const frame = page.frameLocator('#report-frame');
    await expect.poll(() => frame.locator('figure[data-metric]').count()).toBeGreaterThan(0);

    // Dropping a scenario on the page boots it.
    const text = readFileSync(join(ROOT, 'scenarios', 'small-vm.yaml'), 'utf8');
    const transfer = await page.evaluateHandle((yaml) => {
      const data = new DataTransfer();
      data.items.add(new File([yaml], 'dropped-vm.yaml', { type: 'application/yaml' }));
      return data;
    }, text);
    await page.dispatchEvent('body', 'drop', { dataTransfer: transfer });
    await page.waitForFunction(() => /^dropped-vm\.yaml: booted/.test(document.getElementById('status')!.textContent ?? ''));
    await settled(page);
    const model = await createMachine(parseScenario(text, 'dropped-vm.yaml'));
    try {
      expect(await page.textContent('#zoneinfo')).toBe(await model.zoneinfo());
    } finally {
      await model.close();
    }
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
  }, 60_000);
});
