/**
 * The memory map: one cell per memory block id in view, coloured by state
 * and zone, drawn from the model's block list (its counts), never from pages.
 * A view is a half-open range of block ids; zooming narrows it.
 */
import { PageClass, type BlockInfo } from '../src/browser.js';

export const COLOURS: Record<string, string> = {
  offline: '#b8b8b8',
  absent: '#ffffff',
  DMA: '#7d3c98',
  DMA32: '#a569bd',
  Normal: '#2e86de',
  Movable: '#27ae60',
  Device: '#d35400',
  none: '#f39c12',
};

export interface MapView {
  /** Block ids in view: [startId, endId). */
  startId: number;
  endId: number;
}

export interface Layout {
  columns: number;
  cell: number;
  view: MapView;
}

/** The colour of a block: its zone when online, grey when offline. */
export function blockColour(block: BlockInfo | undefined): string {
  if (block === undefined) return COLOURS.absent!;
  if (block.state !== 'online') return COLOURS.offline!;
  return COLOURS[block.zone ?? 'none'] ?? COLOURS.none!;
}

/** The largest square cell that fits every block of the view on the canvas. */
export function layoutFor(view: MapView, width: number, height: number): Layout {
  const count = Math.max(1, view.endId - view.startId);
  let cell = Math.max(1, Math.floor(Math.sqrt((width * height) / count)));
  while (cell > 1 && Math.floor(width / cell) * Math.floor(height / cell) < count) cell--;
  return { columns: Math.max(1, Math.floor(width / cell)), cell, view };
}

/** The block id under canvas point (x, y), or undefined outside the view. */
export function blockAt(layout: Layout, x: number, y: number): number | undefined {
  const col = Math.floor(x / layout.cell);
  const row = Math.floor(y / layout.cell);
  if (col < 0 || col >= layout.columns || row < 0) return undefined;
  const id = layout.view.startId + row * layout.columns + col;
  return id < layout.view.endId ? id : undefined;
}

/** Draw the view; `selected` (inclusive ids) is outlined. */
export function drawMap(
  ctx: CanvasRenderingContext2D,
  layout: Layout,
  byId: ReadonlyMap<number, BlockInfo>,
  selected: { first: number; last: number } | null,
): void {
  const { cell, columns, view } = layout;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
  const gap = cell >= 4 ? 1 : 0;
  let lastNode = -1;
  for (let id = view.startId; id < view.endId; id++) {
    const i = id - view.startId;
    const x = (i % columns) * cell;
    const y = Math.floor(i / columns) * cell;
    const block = byId.get(id);
    ctx.fillStyle = blockColour(block);
    ctx.fillRect(x, y, cell - gap, cell - gap);
    // A dark tick where a new node begins, so node boundaries show at any zoom.
    const nid = block?.nids[0] ?? lastNode;
    if (block !== undefined && nid !== lastNode) {
      ctx.fillStyle = '#000';
      ctx.fillRect(x, y, Math.max(1, cell >> 2), cell - gap);
      lastNode = nid;
    }
  }
  if (selected !== null) {
    ctx.strokeStyle = '#e00';
    ctx.lineWidth = Math.max(1, Math.min(3, cell / 3));
    for (let id = Math.max(selected.first, view.startId); id <= Math.min(selected.last, view.endId - 1); id++) {
      const i = id - view.startId;
      ctx.strokeRect((i % columns) * cell + 0.5, Math.floor(i / columns) * cell + 0.5, cell - 1, cell - 1);
    }
  }
}

/**
 * Page classes in the order a pageblock is coloured by: the first class it
 * holds wins, so what pins a pageblock (and would make an offline fail)
 * shows over what migration could move.
 */
export const PAGEBLOCK_COLOURS: readonly [number, string, string][] = [
  [PageClass.PINNED, '#c0392b', 'pinned'],
  [PageClass.RESERVED, '#6e2c00', 'reserved'],
  [PageClass.VMEMMAP, '#a04000', 'memmap'],
  [PageClass.SLAB, '#e67e22', 'slab'],
  [PageClass.PGTABLE, '#f1c40f', 'page tables'],
  [PageClass.SLAB_RECLAIMABLE, '#d4ac0d', 'reclaimable slab'],
  [PageClass.USER, '#2980b9', 'user'],
  [PageClass.FREE, '#d5f5e3', 'free'],
];

/** The colour of a pageblock from its class mask; white when absent. */
export function pageblockColour(mask: number): string {
  for (const [cls, colour] of PAGEBLOCK_COLOURS) if ((mask & (1 << cls)) !== 0) return colour;
  return '#ffffff';
}

/** One memory block's pageblocks, row-major in a square-ish grid filling the canvas. */
export function drawPageblocks(ctx: CanvasRenderingContext2D, classes: readonly number[]): void {
  const { width, height } = ctx.canvas;
  const layout = layoutFor({ startId: 0, endId: classes.length }, width, height);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  const gap = layout.cell >= 4 ? 1 : 0;
  classes.forEach((mask, i) => {
    ctx.fillStyle = pageblockColour(mask);
    ctx.fillRect((i % layout.columns) * layout.cell, Math.floor(i / layout.columns) * layout.cell, layout.cell - gap, layout.cell - gap);
  });
}
