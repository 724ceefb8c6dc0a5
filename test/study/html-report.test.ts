import { describe, expect, it } from 'vitest';
import { metricFamily, renderStudyHtml, TABLE_ROW_LIMIT } from '../../src/study/html-report.js';
import type { StudyResults } from '../../src/study/study-results.js';
import { EXPECTED_CHARTS, syntheticResults } from './html-report-fixture.js';

/** Each chart figure's opening attributes and its content. */
function figures(html: string): { metric: string; axis: string; open: string; body: string }[] {
  return [...html.matchAll(/<figure (data-metric="([^"]*)" data-axis="([^"]*)"[^>]*)>([\s\S]*?)<\/figure>/g)].map((m) => ({
    open: m[1]!,
    metric: m[2]!,
    axis: m[3]!,
    body: m[4]!,
  }));
}

describe('study HTML report', () => {
  it('is byte-identical for identical input, whatever was rendered before', async () => {
    const first = await renderStudyHtml(syntheticResults());
    // Vega keeps process-wide counters for SVG ids: render something else in between.
    const other = syntheticResults();
    other.rows = other.rows.filter((r) => r.metric.startsWith('headroom'));
    await renderStudyHtml(other);
    expect(await renderStudyHtml(syntheticResults())).toBe(first);
  });

  it('groups metric names into families by node and index', () => {
    expect(metricFamily('headroom.slab.node12')).toBe('headroom.slab.node*');
    expect(metricFamily('zone.3.Movable.free_pages')).toBe('zone.*.Movable.free_pages');
    expect(metricFamily('step.2.offline_and_remove.modelled_seconds')).toBe('step.*.offline_and_remove.modelled_seconds');
    expect(metricFamily('removable.zone-movable.node1')).toBe('removable.zone-movable.node*');
    expect(metricFamily('booted')).toBe('booted');
  });

  it('has one chart per metric family and axis, each a single SVG', async () => {
    const figs = figures(await renderStudyHtml(syntheticResults()));
    expect(figs.map((f) => `${f.metric} @ ${f.axis}`).sort()).toEqual([...EXPECTED_CHARTS].sort());
    for (const f of figs) expect(f.body.match(/<svg /g), `${f.metric} @ ${f.axis}`).toHaveLength(1);
    // A family of two nodes is one chart with a panel per node.
    const headroom = figs.find((f) => f.metric === 'headroom.slab.node*' && f.axis === 'route')!;
    expect(headroom.body).toContain('>headroom.slab.node0<');
    expect(headroom.body).toContain('>headroom.slab.node1<');
  });

  it("marks the admin guide's 3:1 and 63:1 on charts against the ratio axis only", async () => {
    const results = syntheticResults();
    const figs = figures(await renderStudyHtml(results));
    for (const f of figs) {
      // A chart has a panel per metric of its family, each with both rules.
      const panels = new Set(results.rows.filter((r) => metricFamily(r.metric) === f.metric).map((r) => r.metric)).size;
      const rules = [...f.body.matchAll(/<g class="mark-rule role-mark admin_guide_rule_marks"[^>]*>([\s\S]*?)<\/g>/g)];
      const lines = rules.reduce((n, m) => n + (m[1]!.match(/<line /g)?.length ?? 0), 0);
      if (f.axis === 'ratio') {
        expect(f.open).toContain('data-rules="3:1 63:1"');
        expect(lines, f.metric).toBe(2 * panels);
        expect(f.body).toContain('>3:1 usually fine<');
        expect(f.body).toContain('>63:1 impossible<');
      } else {
        expect(f.open).not.toContain('data-rules');
        expect(lines, f.metric).toBe(0);
        expect(f.body).not.toContain('usually fine');
        expect(f.body).not.toContain('impossible');
      }
    }
  });

  it('shows the memory map with every node, zone, state and page class', async () => {
    const html = await renderStudyHtml(syntheticResults());
    const map = /<figure data-map>([\s\S]*?)<\/figure>/.exec(html)?.[1];
    expect(map).toBeDefined();
    expect(map!.match(/<svg /g)).toHaveLength(1);
    for (const text of ['node 0', 'node 1', 'DMA32', 'Normal', 'Movable', 'offline', 'FREE', 'USER', 'SLAB_RECLAIMABLE', 'VMEMMAP', 'PINNED']) {
      expect(map, text).toContain(`>${text}<`);
    }
    const noMap: StudyResults = { ...syntheticResults(), map: undefined };
    expect(await renderStudyHtml(noMap)).not.toContain('data-map');
  });

  it('lists the question, axes, metrics and point outcomes', async () => {
    const html = await renderStudyHtml(syntheticResults());
    expect(html).toContain('<h1>movable-share &lt;b&gt;bold&lt;/b&gt;</h1>');
    expect(html).toMatch(/<td>ratio<\/td><td><code>cmdline:movable_ratio<\/code><\/td><td>movable-kernel-ratio<\/td><td>1, 3, 4, 16, 63<\/td>/);
    expect(html).toContain('<code>zones</code>');
    expect(html).toContain('boot: ENOMEM memory map backing failed &lt;node 0&gt;');
    expect(html).toContain('steps[2] offline_and_remove: EBUSY &quot;unmovable pages&quot; &amp; more');
    expect(html.match(/<tr class="failed">/g)).toHaveLength(2);
  });

  it('escapes text from the results', async () => {
    const results = syntheticResults();
    results.study.axes[1]!.name = 'route<script>';
    for (const o of results.outcomes) o.params = { ratio: o.params.ratio!, 'route<script>': o.params.route! };
    for (const r of results.rows) r.params = { ratio: r.params.ratio!, 'route<script>': `<img src=x>${String(r.params.route)}` };
    results.rows[0]!.metric = '<script>alert(1)</script>';
    const html = await renderStudyHtml(results);
    expect(html).toContain('How far can ZONE_MOVABLE go? &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;quotes&quot;');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
  });

  it('refers to nothing outside the page', async () => {
    const html = await renderStudyHtml(syntheticResults());
    expect(html).not.toMatch(/\s(src|href|xlink:href)\s*=/i);
    expect(html).not.toMatch(/@import|url\((?!#)/i);
    const urls = new Set(html.match(/https?:\/\/[^\s"'<>)]*/g) ?? []);
    // Only the SVG namespaces, which are names, not requests.
    expect([...urls].sort()).toEqual(['http://www.w3.org/1999/xlink', 'http://www.w3.org/2000/svg']);
  });

  it('shows the first rows of a big table and says where the rest are', async () => {
    const results = syntheticResults();
    const base = results.rows;
    results.rows = Array.from({ length: TABLE_ROW_LIMIT + 37 }, (_, i) => ({ ...base[i % base.length]!, point: Math.floor(i / base.length) }));
    const html = await renderStudyHtml(results);
    expect(html).toContain(`The first ${TABLE_ROW_LIMIT} of ${TABLE_ROW_LIMIT + 37} rows; the other 37 are in results.csv.`);
    const table = html.slice(html.lastIndexOf('<h2>Table</h2>'));
    expect(table.match(/<tr>/g)).toHaveLength(TABLE_ROW_LIMIT + 1);
  });
});
