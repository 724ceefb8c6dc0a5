/**
 * The explorer page: boot a scenario with one engine shard per module worker,
 * draw its memory map, and drive the hotplug lifecycle by clicking.
 *
 * Plain DOM: the page is a canvas, a few buttons and three text panels, so a
 * framework would not earn its place. Every redraw asks the model for its
 * block list (the façade's counts), never for pages.
 */
import {
  checkScenarioText,
  createMachine,
  groupBlocks,
  PAGE_CLASS_NAMES,
  runScenarioStep,
  type BlockInfo,
  type Machine,
  type NotifierAction,
  type Errno,
  type Outcome,
  type Scenario,
} from '../src/browser.js';
import { blockAt, COLOURS, drawMap, drawPageblocks, layoutFor, PAGEBLOCK_COLOURS, type Layout, type MapView } from './map.js';

const SCENARIOS = import.meta.glob('../scenarios/*.yaml', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;
const DEFAULT_SCENARIO = 'default-4node-4tib.yaml';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const canvas = $<HTMLCanvasElement>('map');
const ctx = canvas.getContext('2d')!;

interface PageState {
  machine: Machine | null;
  scenario: Scenario | null;
  blocks: BlockInfo[];
  byId: Map<number, BlockInfo>;
  /** Node of each removed block, so that "add memory" can put it back. */
  removedNode: Map<number, number>;
  view: MapView;
  layout: Layout | null;
  selected: { first: number; last: number } | null;
  nextStep: number;
  /** Pageblocks drawn for the selected block (0 when none). */
  insideCount: number;
}

const state: PageState = {
  machine: null,
  scenario: null,
  blocks: [],
  byId: new Map(),
  removedNode: new Map(),
  view: { startId: 0, endId: 1 },
  layout: null,
  selected: null,
  nextStep: 0,
  insideCount: 0,
};

/** Timings the page measured (milliseconds), shown in the status line and read by the browser test. */
const timings: { bootMs?: number; firstMapMs?: number; lastRedrawMs?: number } = {};

function setStatus(text: string): void {
  $('status').textContent = text;
}

function showError(text: string | null): void {
  const el = $('error');
  el.hidden = text === null;
  el.textContent = text ?? '';
}

function log(text: string, ok = true): void {
  const item = document.createElement('li');
  item.textContent = text;
  if (!ok) item.className = 'fail';
  $('log').append(item);
  item.scrollIntoView({ block: 'nearest' });
}

function fillScenarioList(): void {
  const select = $<HTMLSelectElement>('scenario');
  for (const path of Object.keys(SCENARIOS).sort()) {
    const name = path.slice(path.lastIndexOf('/') + 1);
    const option = new Option(name, path, false, name === DEFAULT_SCENARIO);
    select.append(option);
  }
  const pbLegend = $('pageblock-legend');
  for (const [, colour, name] of PAGEBLOCK_COLOURS) {
    const span = document.createElement('span');
    span.innerHTML = `<i style="background:${colour}"></i>`;
    span.append(name);
    pbLegend.append(span);
  }
  const legend = $('legend');
  for (const [name, colour] of Object.entries(COLOURS)) {
    const span = document.createElement('span');
    span.innerHTML = `<i style="background:${colour}"></i>`;
    span.append(name === 'none' ? 'online, no single zone' : name);
    legend.append(span);
  }
}

/** A YAML file dropped on the page; it wins over the chooser until another is picked. */
let dropped: File | undefined;

async function chosenScenario(): Promise<{ text: string; file: string }> {
  const input = $<HTMLInputElement>('file');
  const file = dropped ?? input.files?.[0];
  if (file !== undefined) return { text: await file.text(), file: file.name };
  const path = $<HTMLSelectElement>('scenario').value;
  return { text: SCENARIOS[path]!, file: path.slice(path.lastIndexOf('/') + 1) };
}

async function boot(): Promise<void> {
  showError(null);
  const { text, file } = await chosenScenario();
  const checked = checkScenarioText(text, file);
  if (!checked.ok) {
    showError(checked.error.message);
    setStatus('invalid scenario');
    return;
  }
  await state.machine?.close();
  state.machine = null;
  $('log').replaceChildren();
  setStatus(`booting ${file}...`);
  const started = performance.now();
  try {
    state.machine = await createMachine(checked.scenario, { worker: true });
  } catch (error) {
    showError(`${file}: boot failed: ${(error as Error).message}`);
    setStatus('boot failed');
    return;
  }
  timings.bootMs = performance.now() - started;
  state.scenario = checked.scenario;
  state.nextStep = 0;
  state.selected = null;
  state.removedNode.clear();
  await refresh(true);
  timings.firstMapMs = performance.now() - started;
  log(`booted ${file}: ${state.blocks.length} memory blocks of ${formatBytes(state.machine.blockSizeBytes)}`);
  setStatus(`${file}: booted in ${timings.bootMs.toFixed(0)} ms, first map at ${timings.firstMapMs.toFixed(0)} ms`);
}

/** Re-read the model's blocks and panels, and redraw. */
async function refresh(wholeMachine = false): Promise<void> {
  const machine = state.machine;
  if (machine === null) return;
  const started = performance.now();
  const blocks = await machine.blocks();
  state.blocks = blocks;
  state.byId = new Map(blocks.map((block) => [block.id, block]));
  if (wholeMachine) {
    const lastId = blocks.reduce((max, block) => Math.max(max, block.id), 0);
    state.view = { startId: 0, endId: lastId + 1 };
  }
  draw();
  timings.lastRedrawMs = performance.now() - started;
  const ranges = groupBlocks(blocks, machine.blockSizeBytes);
  $('lsmem').textContent = ranges
    .map((r) => `${r.range} ${formatBytes(r.sizeBytes).padStart(6)} ${r.state.padEnd(7)} ${r.blocks.padEnd(18)} node ${r.nodes.join(',')}  ${r.zones}`)
    .join('\n');
  $('zoneinfo').textContent = await machine.zoneinfo();
  await describeSelection();
}

function draw(): void {
  state.layout = layoutFor(state.view, canvas.width, canvas.height);
  drawMap(ctx, state.layout, state.byId, state.selected);
}

function formatBytes(bytes: number): string {
  const units = ['B', 'K', 'M', 'G', 'T', 'P'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1 && value % 1024 === 0) {
    value /= 1024;
    unit++;
  }
  return `${value}${units[unit]}`;
}

async function describeSelection(): Promise<void> {
  const detail = $('block-detail');
  const sel = state.selected;
  $('inside').hidden = true;
  if (sel === null || state.machine === null) {
    $('selection').textContent = 'Click a block, or drag across blocks to select a range.';
    detail.textContent = '';
    return;
  }
  const count = sel.last - sel.first + 1;
  $('selection').textContent = count === 1 ? `memory${sel.first}` : `memory${sel.first}-${sel.last} (${count} blocks)`;
  const block = state.byId.get(sel.first);
  if (count !== 1) {
    detail.textContent = '';
    return;
  }
  if (block === undefined) {
    detail.textContent = `memory${sel.first}: not present (removed, or a hole)`;
    return;
  }
  const index = state.blocks.indexOf(block);
  const counts = (await state.machine.blockClassCounts())[index] ?? [];
  const classes = counts
    .map((pages, cls) => (pages > 0 ? `${PAGE_CLASS_NAMES[cls]} ${pages}` : ''))
    .filter((text) => text !== '')
    .join(', ');
  const inside = await state.machine.blockPageblocks(block.id);
  detail.textContent =
    `memory${block.id}: ${block.state}, node ${block.nids.join(',')}, zone ${block.zone ?? '-'}\n` +
    `valid_zones: ${block.validZones}\n` +
    `pfns [0x${block.startPfn.toString(16)}, 0x${(block.startPfn + block.nrPages).toString(16)}), pages by class: ${classes}\n` +
    ('classes' in inside ? `${inside.classes.length} pageblocks below, each coloured by the first class of the legend it holds` : '');
  if ('classes' in inside) {
    $('inside').hidden = false;
    drawPageblocks($<HTMLCanvasElement>('pageblocks').getContext('2d')!, inside.classes);
    state.insideCount = inside.classes.length;
  }
}

function report(what: string, outcome: Outcome): void {
  if (outcome.ok) {
    log(`${what}: ok (${outcome.modelledSeconds.toFixed(3)} s modelled)`);
    showError(null);
    return;
  }
  const text = `${what}: ${outcome.errno ?? 'failed'}: ${outcome.message ?? ''}`;
  log(text, false);
  showError(text);
}

async function act(action: string): Promise<void> {
  const machine = state.machine;
  const sel = state.selected;
  if (machine === null || sel === null) {
    showError('select a block first');
    return;
  }
  const range = { firstBlockId: sel.first, lastBlockId: sel.last };
  const base = sel.first * machine.blockSizeBytes;
  const size = (sel.last - sel.first + 1) * machine.blockSizeBytes;
  const name = sel.first === sel.last ? `memory${sel.first}` : `memory${sel.first}-${sel.last}`;
  if (action === 'offline') report(`offline ${name}`, await machine.offlineBlocks(range));
  else if (action === 'remove') {
    const nodes = new Map<number, number>();
    for (let id = sel.first; id <= sel.last; id++) {
      const nid = state.byId.get(id)?.nids[0];
      if (nid !== undefined) nodes.set(id, nid);
    }
    const outcome = await machine.removeMemory(base, size);
    if (outcome.ok) for (const [id, nid] of nodes) state.removedNode.set(id, nid);
    report(`remove_memory ${name}`, outcome);
  } else if (action === 'add') {
    const node = state.removedNode.get(sel.first) ?? state.byId.get(sel.first - 1)?.nids[0] ?? 0;
    const outcome = await machine.addMemory({ node, base, size });
    if (outcome.ok) for (let id = sel.first; id <= sel.last; id++) state.removedNode.delete(id);
    report(`add_memory ${name} on node ${node}`, outcome);
  } else {
    report(`${action} ${name}`, await machine.onlineBlocks(range, action as 'online' | 'online_kernel' | 'online_movable'));
  }
  await refresh();
}

async function injectChanged(): Promise<void> {
  const machine = state.machine;
  if (machine === null) return;
  const value = $<HTMLSelectElement>('inject').value;
  for (const action of ['MEM_GOING_ONLINE', 'MEM_GOING_OFFLINE'] as NotifierAction[]) machine.injectNotifierError(action, null);
  if (value !== '') {
    const [action, errno] = value.split(':') as [NotifierAction, Errno];
    machine.injectNotifierError(action, errno);
    log(`notifier-error-inject: ${action} fails with ${errno}`);
  } else log('notifier-error-inject: cleared');
}

async function runNextStep(): Promise<void> {
  const { machine, scenario } = state;
  if (machine === null || scenario === null) return;
  if (state.nextStep >= scenario.steps.length) {
    log(`${scenario.file}: no steps left`);
    return;
  }
  const printed: string[] = [];
  const step = await runScenarioStep(machine, scenario, state.nextStep++, { worker: true, stdout: (text) => printed.push(text) });
  const failed = step.status === 'failed';
  log(`step ${step.index} ${step.what}: ${step.status}${failed && 'message' in step ? `: ${String((step as { message?: string }).message)}` : ''}`, !failed);
  await refresh();
}

/**
 * Fill every node to a steady state, spread by node as the `workload` step
 * does (docs/allocator.md), with the page cache and slab kept small beside
 * the chosen anonymous share and the free space fragmented.
 */
async function runWorkload(): Promise<void> {
  const machine = state.machine;
  if (machine === null) return;
  const anon = Number($<HTMLSelectElement>('workload').value);
  const what = `workload anon ${anon * 100}%, file 20%, slab 2%, fragmented`;
  const outcome = await machine.workload({ node: 'spread', anon: { share: anon }, file: { share: 0.2 }, slab: { share: 0.02 }, placement: 'fragmented', seed: 1 });
  report(what, outcome);
  await refresh();
}

/** Zoom by `factor` around block `centre` (wheel), never past the whole machine or one block. */
function zoom(centre: number, factor: number): void {
  const lastId = state.blocks.reduce((max, block) => Math.max(max, block.id), 0);
  const span = Math.min(lastId + 1, Math.max(1, Math.round((state.view.endId - state.view.startId) * factor)));
  const startId = Math.max(0, Math.min(lastId + 1 - span, centre - Math.floor(span / 2)));
  state.view = { startId, endId: startId + span };
  if (span === 1) {
    // Zoomed all the way in: look inside the block.
    state.selected = { first: startId, last: startId };
    void describeSelection();
  }
  draw();
}

function canvasPoint(event: MouseEvent): { x: number; y: number } {
  const rect = canvas.getBoundingClientRect();
  return { x: ((event.clientX - rect.left) * canvas.width) / rect.width, y: ((event.clientY - rect.top) * canvas.height) / rect.height };
}

let dragFrom: number | undefined;
canvas.addEventListener('mousedown', (event) => {
  if (state.layout === null) return;
  const { x, y } = canvasPoint(event);
  dragFrom = blockAt(state.layout, x, y);
});
canvas.addEventListener('mouseup', (event) => {
  if (state.layout === null || dragFrom === undefined) return;
  const { x, y } = canvasPoint(event);
  const to = blockAt(state.layout, x, y) ?? dragFrom;
  state.selected = { first: Math.min(dragFrom, to), last: Math.max(dragFrom, to) };
  dragFrom = undefined;
  draw();
  void describeSelection();
});
canvas.addEventListener('wheel', (event) => {
  if (state.layout === null) return;
  event.preventDefault();
  const { x, y } = canvasPoint(event);
  zoom(blockAt(state.layout, x, y) ?? state.view.startId, event.deltaY < 0 ? 0.5 : 2);
});

/**
 * Run one user action at a time: the body carries data-busy while it runs,
 * and an unexpected failure is shown rather than lost.
 */
let queue = Promise.resolve();
function whenClicked(work: () => Promise<void>): () => void {
  return () => {
    queue = queue.then(async () => {
      document.body.dataset.busy = 'true';
      try {
        await work();
      } catch (error) {
        showError(`unexpected: ${(error as Error).message}`);
      } finally {
        delete document.body.dataset.busy;
      }
    });
  };
}

/**
 * A study's HTML report (`pfnlab study`'s report.html) opens in a sandboxed
 * frame: it is self-contained, with no script and no request.
 */
async function openReport(file = $<HTMLInputElement>('report').files?.[0]): Promise<void> {
  if (file === undefined) return;
  $<HTMLIFrameElement>('report-frame').srcdoc = await file.text();
  const panel = $<HTMLDetailsElement>('report-panel');
  panel.hidden = false;
  panel.open = true;
  log(`opened report ${file.name}`);
}

fillScenarioList();
$('report').addEventListener('change', whenClicked(() => openReport()));
$('file').addEventListener('change', () => {
  dropped = undefined;
});
$('scenario').addEventListener('change', () => {
  dropped = undefined;
  $<HTMLInputElement>('file').value = '';
});
// Drop a scenario (.yaml) to boot it, or a study report (.html) to open it.
document.addEventListener('dragover', (event) => event.preventDefault());
document.addEventListener('drop', (event) => {
  event.preventDefault();
  const file = event.dataTransfer?.files[0];
  if (file === undefined) return;
  if (/\.html?$/i.test(file.name)) whenClicked(() => openReport(file))();
  else {
    dropped = file;
    whenClicked(boot)();
  }
});
$('boot').addEventListener('click', whenClicked(boot));
$('inject').addEventListener('change', whenClicked(injectChanged));
$('step').addEventListener('click', whenClicked(runNextStep));
$('run-workload').addEventListener('click', whenClicked(runWorkload));
for (const button of document.querySelectorAll<HTMLButtonElement>('[data-act]')) {
  button.addEventListener('click', whenClicked(() => act(button.dataset.act!)));
}
/**
 * For people at the console and for the browser test: select blocks by id as
 * a click or drag would, and read back the colour the map drew for a block.
 */
function colourAt(context: CanvasRenderingContext2D, layout: Layout, i: number): string {
  const centre = Math.floor(layout.cell / 2);
  const [r, g, b] = context.getImageData((i % layout.columns) * layout.cell + centre, Math.floor(i / layout.columns) * layout.cell + centre, 1, 1).data;
  return `#${[r, g, b].map((v) => v!.toString(16).padStart(2, '0')).join('')}`;
}

const hooks = {
  async select(first: number, last = first): Promise<void> {
    state.selected = { first, last };
    draw();
    await describeSelection();
  },
  cellColour(id: number): string | null {
    const layout = state.layout;
    if (layout === null || id < layout.view.startId || id >= layout.view.endId) return null;
    return colourAt(ctx, layout, id - layout.view.startId);
  },
  /** The colour drawn for pageblock `i` of the selected block, or null when none is shown. */
  pageblockColour(i: number): string | null {
    const canvas = $<HTMLCanvasElement>('pageblocks');
    if ($('inside').hidden || state.insideCount === 0 || i >= state.insideCount) return null;
    return colourAt(canvas.getContext('2d')!, layoutFor({ startId: 0, endId: state.insideCount }, canvas.width, canvas.height), i);
  },
  timings,
};
(globalThis as unknown as { pfnlabExplorer: typeof hooks }).pfnlabExplorer = hooks;
whenClicked(boot)();
