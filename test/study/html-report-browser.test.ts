/**
 * The study report in a real browser: Debian's chromium (scripts/test-prerequisites.mjs
 * installs it) driven by playwright-core. The page must load from disk with no
 * console error and no request but itself, show one chart per metric family and
 * axis and the memory map, and leave a screenshot for review.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderStudyHtml } from '../../src/study/html-report.js';
import { EXPECTED_CHARTS, syntheticResults } from './html-report-fixture.js';

const SCREENSHOT = fileURLToPath(new URL('../../test-results/study-report.png', import.meta.url));

describe('study HTML report in headless Chromium', () => {
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    const executablePath = execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim();
    // Chromium's sandbox does not start as root in a container.
    const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    browser = await chromium.launch({ executablePath, headless: true, args: asRoot ? ['--no-sandbox'] : [] });
    dir = mkdtempSync(join(tmpdir(), 'pfnlab-report-'));
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loads from disk without errors or requests, shows every chart and the map, and is screenshotted', async () => {
    const file = join(dir, 'report.html');
    writeFileSync(file, await renderStudyHtml(syntheticResults()));
    const url = pathToFileURL(file).href;

    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(msg.text());
    });
    page.on('pageerror', (err) => errors.push(err.message));
    page.on('dialog', (dialog) => {
      errors.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    page.on('request', (req) => {
      if (req.url() !== url) requests.push(req.url());
    });

    await page.goto(url, { waitUntil: 'load' });
    // A late subresource (a font, an icon) would show up here.
    await page.waitForLoadState('networkidle');

    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    expect(await page.evaluate(() => document.scripts.length)).toBe(0);

    const charts = await page.locator('figure[data-metric][data-axis]').evaluateAll((figures) =>
      figures.map((f) => {
        const svg = f.querySelector('svg');
        const box = svg?.getBoundingClientRect();
        return { key: `${f.getAttribute('data-metric')} @ ${f.getAttribute('data-axis')}`, svgs: f.querySelectorAll('svg').length, drawn: !!box && box.width > 100 && box.height > 100 };
      }),
    );
    expect(charts.map((c) => c.key).sort()).toEqual([...EXPECTED_CHARTS].sort());
    for (const chart of charts) expect(chart, chart.key).toMatchObject({ svgs: 1, drawn: true });

    const map = page.locator('figure[data-map] svg');
    await expect.poll(() => map.count()).toBe(1);
    expect(await map.isVisible()).toBe(true);
    const mapBox = await map.boundingBox();
    expect(mapBox!.width).toBeGreaterThan(300);
    expect(mapBox!.height).toBeGreaterThan(200);

    mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    await page.close();
  });
});
