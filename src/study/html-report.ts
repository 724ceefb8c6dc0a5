/**
 * The HTML report of a study run (README "Study reports"): one page that
 * opens from disk with no network and no script. Charts are Vega-Lite specs
 * compiled and rendered to SVG here, in Node, and inlined.
 *
 * Charts: one per metric family and swept axis. A family is the metric names
 * that differ only in a node or index (`headroom.slab.node0`,
 * `headroom.slab.node1` are `headroom.slab.node*`); its members are panels of
 * one chart, so a 16-node machine gives one chart of 16 panels, not 16
 * charts. Within a panel x is the axis value and the other axes' values are
 * the series. Each chart is `<figure data-metric=FAMILY data-axis=AXIS>`.
 */
import type { TopLevelSpec } from 'vega-lite';
import { PAGE_SIZE } from '../contract/constants.js';
import type { MapBlock, StudyAxis, StudyMap, StudyResults, StudyRow, SweepValue } from './study-results.js';

/** The tidy table shows this many rows; the rest are in results.csv. */
export const TABLE_ROW_LIMIT = 2000;

/** The admin guide's MOVABLE:KERNEL rule of thumb (Documentation/admin-guide/mm/memory-hotplug.rst). */
export const ADMIN_GUIDE_RATIOS = [
  { ratio: 3, label: '3:1 usually fine' },
  { ratio: 63, label: '63:1 impossible' },
] as const;

/** Per node, a map with more block ranges than this has its page classes averaged over equal bins. */
const MAP_BINS_PER_NODE = 400;

/** The family of a metric name: numeric segments and `nodeN` become `*` and `node*`. */
export function metricFamily(metric: string): string {
  return metric
    .split('.')
    .map((seg) => (/^\d+$/.test(seg) ? '*' : /^node\d+$/.test(seg) ? 'node*' : seg))
    .join('.');
}

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** An axis value as a number on a quantitative x ("25%" is 25), or null when the axis is categorical. */
function numericValue(axis: StudyAxis, value: SweepValue): number | null {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return null;
  // A ratio axis may spell its values "3:1".
  const m = (axis.kind === 'movable-kernel-ratio' ? /^\s*(\d+(?:\.\d+)?)\s*(?::\s*1)?\s*$/ : /^\s*(-?\d+(?:\.\d+)?)\s*%\s*$/).exec(value);
  return m ? Number(m[1]) : null;
}

const isPercent = (axis: StudyAxis): boolean => axis.values.every((v) => typeof v === 'string' && v.trim().endsWith('%'));

const isQuantitative = (axis: StudyAxis): boolean => axis.values.length > 0 && axis.values.every((v) => numericValue(axis, v) !== null);

/** The first-seen order of keys, for stable sorting in the specs. */
function orderOf<T>(items: T[], key: (item: T) => string): Map<string, number> {
  const order = new Map<string, number>();
  for (const item of items) if (!order.has(key(item))) order.set(key(item), order.size);
  return order;
}

/** Loaded on first use: they take about 0.2 s to import, which `pfnlab run` need not pay. */
type ChartLib = { vega: typeof import('vega'); compile: typeof import('vega-lite').compile };
async function chartLib(): Promise<ChartLib> {
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  return { vega, compile: vegaLite.compile };
}

/**
 * Renders a Vega-Lite spec to SVG. Vega numbers clip paths and gradients with
 * process-wide counters, and inline SVGs share one id space in the page: the
 * counters are reset before each chart and its ids prefixed with the chart's
 * index in the page, so the output depends on the input alone.
 */
async function renderSvg(lib: ChartLib, spec: TopLevelSpec, prefix: string): Promise<string> {
  const { vega, compile } = lib;
  vega.resetSVGDefIds();
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    // Only inside tags, where vega escapes quotes in attribute values, so text cannot match.
    return svg.replace(/<[^>]*>/g, (tag) => tag.replace(/( id="|="url\(#)([\w-]+)/g, `$1${prefix}-$2`));
  } finally {
    view.finalize();
  }
}

const yFormat = (unit: StudyRow['unit']): string | undefined => (unit === 'pages' || unit === 'bytes' || unit === 'count' ? '~s' : undefined);

const config = { font: 'sans-serif', view: { stroke: '#ccc' }, axis: { labelLimit: 160 }, legend: { labelLimit: 220 } };

/**
 * A ratio axis on a symlog scale (1:1 to 63:1 and beyond spread evenly, 0 allowed), ticks at
 * the swept values and the guide's ratios, and the domain stretched to show both rules.
 */
function ratioScale(axis: StudyAxis) {
  const ticks = [...new Set([...axis.values.map((v) => numericValue(axis, v)!), ...ADMIN_GUIDE_RATIOS.map((g) => g.ratio)])].sort((a, b) => a - b);
  return {
    scale: { type: 'symlog' as const, domain: [ticks[0]!, ticks[ticks.length - 1]!], nice: false },
    axis: { values: ticks, labelExpr: "datum.value + ':1'", labelOverlap: true },
  };
}

/** One chart: the rows of one metric family against one axis. */
function chartSpec(axis: StudyAxis, others: StudyAxis[], rows: StudyRow[], pointOrder: Map<number, number>): TopLevelSpec {
  const quantitative = isQuantitative(axis);
  const ratioRules = axis.kind === 'movable-kernel-ratio' && quantitative;
  const panels = orderOf(rows, (r) => r.metric);
  const faceted = panels.size > 1;
  const seriesOf = (r: StudyRow) => others.map((o) => `${o.name}=${String(r.params[o.name])}`).join(', ');
  const xIndex = new Map(axis.values.map((v, i) => [String(v), i]));
  const data: Record<string, unknown>[] = [];
  for (const r of rows) {
    const raw = r.params[axis.name];
    if (r.value === null || raw === undefined) continue;
    const x = quantitative ? numericValue(axis, raw) : String(raw);
    data.push({ x, xOrder: xIndex.get(String(raw)) ?? 0, y: r.value, series: seriesOf(r), seriesOrder: pointOrder.get(r.point) ?? 0, panel: r.metric, panelOrder: panels.get(r.metric)! });
  }
  // The rules are rows of the chart's data so that a faceted chart repeats them in every panel.
  if (ratioRules) for (const panel of panels.keys()) for (const g of ADMIN_GUIDE_RATIOS) data.push({ x: g.ratio, rule: g.label, panel, panelOrder: panels.get(panel)! });

  const x = quantitative
    ? {
        field: 'x',
        type: 'quantitative' as const,
        title: axis.name,
        ...(ratioRules ? ratioScale(axis) : { scale: { zero: false }, axis: isPercent(axis) ? { labelExpr: "datum.value + '%'" } : {} }),
      }
    : { field: 'x', type: 'ordinal' as const, title: axis.name, sort: { field: 'xOrder', op: 'min' as const }, axis: { labelAngle: 0 } };
  const unit = rows[0]?.unit ?? 'count';
  const y = { field: 'y', type: 'quantitative' as const, title: unit, axis: { format: yFormat(unit) } };
  const color =
    others.length > 0
      ? { color: { field: 'series', type: 'nominal' as const, title: others.map((o) => o.name).join(', '), sort: { field: 'seriesOrder', op: 'min' as const } } }
      : {};
  const layers: object[] = [
    {
      transform: [{ filter: 'datum.rule == null' }],
      mark: { type: 'line', point: true },
      encoding: { x, y, ...color, order: { field: 'xOrder' } },
    },
  ];
  if (ratioRules) {
    layers.push(
      { name: 'admin_guide_rule', transform: [{ filter: 'datum.rule != null' }], mark: { type: 'rule', strokeDash: [4, 3], color: '#b22' }, encoding: { x: { field: 'x', type: 'quantitative' } } },
      {
        transform: [{ filter: 'datum.rule != null' }],
        mark: { type: 'text', align: 'right', angle: 270, dx: -4, dy: -4, baseline: 'bottom', color: '#b22', fontSize: 10 },
        encoding: { x: { field: 'x', type: 'quantitative' }, y: { value: 0 }, text: { field: 'rule' } },
      },
    );
  }
  const size = faceted ? { width: 200, height: 130 } : { width: 360, height: 220 };
  const inner = { ...size, layer: layers };
  return (
    faceted
      ? { config, data: { values: data }, facet: { field: 'panel', type: 'nominal', title: null, sort: { field: 'panelOrder', op: 'min' } }, columns: 4, spec: inner }
      : { config, data: { values: data }, ...inner }
  ) as TopLevelSpec;
}

// ---- the memory map -----------------------------------------------------------------

const ZONE_ORDER = ['DMA', 'DMA32', 'Normal', 'HighMem', 'Movable', 'Device', 'none', 'offline'];
const ZONE_COLOURS: Record<string, string> = {
  DMA: '#8c6d31',
  DMA32: '#bd9e39',
  Normal: '#3182bd',
  HighMem: '#6baed6',
  Movable: '#31a354',
  Device: '#756bb1',
  none: '#969696',
  offline: '#d9d9d9',
};
const CLASS_ORDER = ['FREE', 'USER', 'SLAB_RECLAIMABLE', 'SLAB', 'PGTABLE', 'PINNED', 'RESERVED', 'VMEMMAP'];
const CLASS_COLOURS: Record<string, string> = {
  FREE: '#e7e7e7',
  USER: '#9ecae1',
  SLAB_RECLAIMABLE: '#fdae6b',
  SLAB: '#e6550d',
  PGTABLE: '#a55194',
  PINNED: '#d62728',
  RESERVED: '#636363',
  VMEMMAP: '#393b79',
};
const FALLBACK_COLOURS = ['#17becf', '#bcbd22', '#8c564b', '#e377c2', '#7f7f7f'];

/** Known names in a fixed order (so a colour always means the same), then the rest as first seen. */
function colourScale(names: Iterable<string>, order: string[], colours: Record<string, string>) {
  const seen = [...new Set(names)];
  const domain = [...order.filter((n) => seen.includes(n)), ...seen.filter((n) => !order.includes(n))];
  return { domain, range: domain.map((n, i) => colours[n] ?? FALLBACK_COLOURS[i % FALLBACK_COLOURS.length]!) };
}

const stripKey = (b: MapBlock): string => (b.state === 'online' ? b.zone : b.state);

/** The page-class stacks of one node: the ranges as they are, or averaged over equal bins when there are many. */
function classRanges(blocks: MapBlock[]): MapBlock[] {
  if (blocks.length <= MAP_BINS_PER_NODE) return blocks;
  const first = blocks[0]!.firstBlockId;
  const last = blocks[blocks.length - 1]!;
  const width = Math.ceil((last.firstBlockId + last.nrBlocks - first) / MAP_BINS_PER_NODE);
  const bins: MapBlock[] = [];
  for (const b of blocks) {
    for (let id = b.firstBlockId; id < b.firstBlockId + b.nrBlocks; ) {
      const start = first + Math.floor((id - first) / width) * width;
      const end = Math.min(start + width, b.firstBlockId + b.nrBlocks);
      let bin = bins[bins.length - 1];
      if (bin?.firstBlockId !== start) bins.push((bin = { ...b, firstBlockId: start, nrBlocks: 0, classShares: {} }));
      // Shares weighted by the blocks each range gives the bin; nrBlocks counts the blocks present.
      const n = end - id;
      for (const [cls, share] of Object.entries(b.classShares)) bin.classShares[cls] = (bin.classShares[cls] ?? 0) + share * n;
      bin.nrBlocks += n;
      id = end;
    }
  }
  for (const bin of bins) for (const cls of Object.keys(bin.classShares)) bin.classShares[cls]! /= bin.nrBlocks;
  return bins;
}

/** Zones per node (present memory), then per node its blocks: a strip of state and zone above the page-class shares. */
function mapSpec(map: StudyMap): TopLevelSpec {
  const nodes = map.nodes.map((n) => `node ${n.nid}`);
  const zoneRows = map.nodes.flatMap((n, i) =>
    n.zones.map((z, j) => ({ node: nodes[i], nodeOrder: i, zone: z.name, zoneOrder: j, gib: (z.presentPages * PAGE_SIZE) / 2 ** 30 })),
  );
  const blockRows: Record<string, unknown>[] = [];
  map.nodes.forEach((n, i) => {
    const mine = map.blocks.filter((b) => b.nid === n.nid);
    // The strip needs only node, state and zone: adjacent ranges alike in those are one rect.
    for (const b of mine) {
      const prev = blockRows[blockRows.length - 1];
      if (prev?.kind === 'strip' && prev.node === nodes[i] && prev.key === stripKey(b) && prev.x2 === b.firstBlockId) prev.x2 = b.firstBlockId + b.nrBlocks;
      else blockRows.push({ kind: 'strip', node: nodes[i], nodeOrder: i, key: stripKey(b), x: b.firstBlockId, x2: b.firstBlockId + b.nrBlocks, y: 1.04, y2: 1.16 });
    }
    for (const b of classRanges(mine)) {
      let y = 0;
      for (const cls of colourScale(Object.keys(b.classShares), CLASS_ORDER, CLASS_COLOURS).domain) {
        const share = b.classShares[cls]!;
        blockRows.push({ kind: 'class', node: nodes[i], nodeOrder: i, cls, x: b.firstBlockId, x2: b.firstBlockId + b.nrBlocks, y, y2: y + share });
        y += share;
      }
    }
  });
  const zoneColours = colourScale([...zoneRows.map((z) => z.zone), ...map.blocks.map(stripKey)], ZONE_ORDER, ZONE_COLOURS);
  const classColours = colourScale(map.blocks.flatMap((b) => Object.keys(b.classShares)), CLASS_ORDER, CLASS_COLOURS);
  // Zones and the strip share the `fill` scale, page classes have `color`: one legend each, shared by every node.
  const rect = (kind: string, channel: 'fill' | 'color', field: string, title: string, scale: object) => ({
    transform: [{ filter: `datum.kind == '${kind}'` }],
    mark: { type: 'rect' },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: `memory block (${map.blockSizeBytes / 2 ** 20} MiB each)`, scale: { zero: false, nice: false } },
      x2: { field: 'x2' },
      y: { field: 'y', type: 'quantitative', title: 'page class share', scale: { domain: [0, 1.16] }, axis: { values: [0, 0.5, 1] } },
      y2: { field: 'y2' },
      [channel]: { field, type: 'nominal', title, scale },
    },
  });
  return {
    config,
    vconcat: [
      {
        title: 'Zones by node (present memory)',
        data: { values: zoneRows },
        width: 600,
        mark: { type: 'bar' },
        encoding: {
          y: { field: 'node', type: 'nominal', title: null, sort: { field: 'nodeOrder', op: 'min' } },
          x: { field: 'gib', type: 'quantitative', title: 'GiB present', aggregate: 'sum' },
          fill: { field: 'zone', type: 'nominal', title: 'zone / state', scale: zoneColours },
          order: { field: 'zoneOrder' },
        },
      },
      {
        title: 'Memory blocks by node: state and zone (strip), page classes (stacked)',
        data: { values: blockRows },
        facet: { row: { field: 'node', type: 'nominal', title: null, sort: { field: 'nodeOrder', op: 'min' } } },
        spec: { width: 600, height: 90, layer: [rect('strip', 'fill', 'key', 'zone / state', zoneColours), rect('class', 'color', 'cls', 'page class', classColours)] },
        // Each node's panel spans its own blocks.
        resolve: { scale: { x: 'independent' } },
      },
    ],
  } as TopLevelSpec;
}

// ---- the page -------------------------------------------------------------------------

const STYLE = `
body { font: 14px/1.4 sans-serif; margin: 1.5rem; color: #222; }
h1 { margin-bottom: 0.2rem; }
.question { font-size: 1.1rem; margin-top: 0; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; font-size: 12px; }
th, td { border: 1px solid #ccc; padding: 2px 6px; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.failed td { background: #fde0dc; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem; }
figure { margin: 0; border: 1px solid #e3e3e3; padding: 0.5rem; max-width: 100%; overflow-x: auto; }
figcaption { font-weight: bold; margin-bottom: 0.3rem; }
figcaption .note { font-weight: normal; color: #555; }
`;

const cell = (v: SweepValue | number | null | undefined): string =>
  typeof v === 'number' ? `<td class="num">${escapeHtml(String(v))}</td>` : `<td>${v === null || v === undefined ? '' : escapeHtml(String(v))}</td>`;

const axisValue = (v: SweepValue): string => escapeHtml(typeof v === 'string' ? JSON.stringify(v) : String(v));

export async function renderStudyHtml(results: StudyResults): Promise<string> {
  const { study, rows, outcomes, map } = results;
  const lib = await chartLib();
  const axes = study.axes;
  const pointOrder = new Map([...new Set([...outcomes.map((o) => o.point), ...rows.map((r) => r.point)])].sort((a, b) => a - b).map((p, i) => [p, i]));
  const families = new Map<string, StudyRow[]>();
  for (const r of rows) {
    const family = metricFamily(r.metric);
    const members = families.get(family);
    if (members) members.push(r);
    else families.set(family, [r]);
  }

  const out: string[] = [];
  out.push(`<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>${escapeHtml(study.name)}: pfnlab study</title>`);
  out.push(`<style>${STYLE}</style>\n</head>\n<body>`);
  out.push(`<h1>${escapeHtml(study.name)}</h1>\n<p class="question">${escapeHtml(study.question)}</p>`);
  const shard = results.shard ? `, shard ${results.shard.index} of ${results.shard.count}` : '';
  out.push(`<p>Study file <code>${escapeHtml(study.file)}</code>, seed ${study.seed}, ${study.points} points (${outcomes.length} in these results${escapeHtml(shard)}).</p>`);

  out.push('<h2>Axes</h2>\n<table>\n<tr><th>name</th><th>path</th><th>kind</th><th>values</th></tr>');
  for (const a of axes) out.push(`<tr><td>${escapeHtml(a.name)}</td><td><code>${escapeHtml(a.path)}</code></td><td>${escapeHtml(a.kind ?? '')}</td><td>${a.values.map(axisValue).join(', ')}</td></tr>`);
  out.push('</table>');

  out.push(`<h2>Metrics</h2>\n<p>Recorded: ${study.metrics.map((m) => `<code>${escapeHtml(m)}</code>`).join(', ')}. Metric names by family (a chart each per axis):</p>\n<ul>`);
  for (const [family, members] of families) {
    const names = [...new Set(members.map((r) => r.metric))];
    const units = [...new Set(members.map((r) => r.unit))].join(', ');
    out.push(`<li><code>${escapeHtml(family)}</code> (${escapeHtml(units)})${names.length > 1 || names[0] !== family ? `: ${names.map(escapeHtml).join(', ')}` : ''}</li>`);
  }
  out.push('</ul>');

  out.push('<h2>Points</h2>\n<table>');
  out.push(`<tr><th>point</th>${axes.map((a) => `<th>${escapeHtml(a.name)}</th>`).join('')}<th>booted</th><th>steps failed</th><th>message</th></tr>`);
  for (const o of outcomes) {
    const failed = !o.booted || o.stepsFailed > 0;
    out.push(`<tr${failed ? ' class="failed"' : ''}>${cell(o.point)}${axes.map((a) => cell(o.params[a.name])).join('')}<td>${o.booted ? 'yes' : 'no'}</td>${cell(o.stepsFailed)}${cell(o.message)}</tr>`);
  }
  out.push('</table>');

  out.push('<h2>Charts</h2>');
  if (axes.some((a) => a.kind === 'movable-kernel-ratio')) {
    out.push(`<p>Against a MOVABLE:KERNEL ratio, dashed rules mark the admin guide's ${ADMIN_GUIDE_RATIOS.map((g) => escapeHtml(g.label)).join(' and ')}.</p>`);
  }
  out.push('<div class="charts">');
  let chart = 0;
  for (const [family, members] of families) {
    for (const axis of axes) {
      const others = axes.filter((a) => a !== axis);
      const rules = axis.kind === 'movable-kernel-ratio' && isQuantitative(axis);
      const svg = await renderSvg(lib, chartSpec(axis, others, members, pointOrder), `c${chart++}`);
      const series = others.length > 0 ? ` <span class="note">(series: ${escapeHtml(others.map((o) => o.name).join(', '))})</span>` : '';
      out.push(
        `<figure data-metric="${escapeHtml(family)}" data-axis="${escapeHtml(axis.name)}"${rules ? ' data-rules="3:1 63:1"' : ''}>` +
          `<figcaption>${escapeHtml(family)} against ${escapeHtml(axis.name)}${series}</figcaption>\n${svg}</figure>`,
      );
    }
  }
  out.push('</div>');

  if (map) {
    const at = axes.map((a) => `${a.name}=${String(map.params[a.name])}`).join(', ');
    out.push(`<h2>Memory map</h2>\n<figure data-map><figcaption>Point ${map.point}${at ? ` (${escapeHtml(at)})` : ''}</figcaption>\n${await renderSvg(lib, mapSpec(map), 'map')}</figure>`);
  }

  out.push('<h2>Table</h2>');
  const more = rows.length - TABLE_ROW_LIMIT;
  if (more > 0) out.push(`<p>The first ${TABLE_ROW_LIMIT} of ${rows.length} rows; the other ${more} are in results.csv.</p>`);
  out.push(`<table>\n<tr><th>point</th>${axes.map((a) => `<th>${escapeHtml(a.name)}</th>`).join('')}<th>metric</th><th>value</th><th>unit</th></tr>`);
  for (const r of rows.slice(0, TABLE_ROW_LIMIT)) {
    out.push(`<tr>${cell(r.point)}${axes.map((a) => cell(r.params[a.name])).join('')}${cell(r.metric)}${cell(r.value)}${cell(r.unit)}</tr>`);
  }
  out.push('</table>\n</body>\n</html>\n');
  return out.join('\n');
}
