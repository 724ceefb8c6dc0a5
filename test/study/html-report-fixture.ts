/**
 * Synthetic study results for the HTML report tests: two axes (a
 * MOVABLE:KERNEL ratio and a route), metrics in families across two nodes,
 * a point that did not boot, a point with a failed step, and a two-node map.
 */
import { STUDY_RESULTS_FORMAT, type MapBlock, type StudyPointOutcome, type StudyResults, type StudyRow } from '../../src/study/study-results.js';

export const RATIOS = [1, 3, 4, 16, 63];
export const ROUTES = ['movable_node', 'kernelcore'];

/** The (family, axis) pairs the report must chart, one figure each. */
export const EXPECTED_CHARTS = [
  'booted',
  'steps_failed',
  'zone.*.Normal.free_pages',
  'zone.*.Movable.free_pages',
  'headroom.slab.node*',
  'step.*.offline_and_remove.modelled_seconds',
].flatMap((family) => ['ratio', 'route'].map((axis) => `${family} @ ${axis}`));

export function syntheticResults(): StudyResults {
  const outcomes: StudyPointOutcome[] = [];
  const rows: StudyRow[] = [];
  let point = 0;
  for (const ratio of RATIOS) {
    for (const route of ROUTES) {
      const params = { ratio, route };
      // At 63:1 under movable_node the kernel node cannot hold the memmap.
      const booted = !(ratio === 63 && route === 'movable_node');
      const stepsFailed = ratio === 16 && route === 'movable_node' ? 1 : 0;
      outcomes.push({
        point,
        params,
        booted,
        stepsFailed,
        ...(booted ? {} : { message: 'boot: ENOMEM memory map backing failed <node 0>' }),
        ...(stepsFailed ? { message: 'steps[2] offline_and_remove: EBUSY "unmovable pages" & more' } : {}),
      });
      if (booted) {
        const kernelPages = Math.round(1_048_576 / (ratio + 1));
        const slab = route === 'kernelcore' ? 0.02 : 0.03;
        rows.push({ point, params, metric: 'booted', value: 1, unit: 'flag' });
        rows.push({ point, params, metric: 'steps_failed', value: stepsFailed, unit: 'count' });
        for (const nid of [0, 1]) {
          rows.push({ point, params, metric: `zone.${nid}.Normal.free_pages`, value: Math.round(kernelPages * (0.6 - nid * 0.1)), unit: 'pages' });
          rows.push({ point, params, metric: `zone.${nid}.Movable.free_pages`, value: 1_048_576 - kernelPages - nid * 1000, unit: 'pages' });
        }
        for (const nid of [0, 1]) rows.push({ point, params, metric: `headroom.slab.node${nid}`, value: Math.round(kernelPages * (0.5 - slab * ratio)), unit: 'pages' });
        rows.push({ point, params, metric: 'step.2.offline_and_remove.modelled_seconds', value: stepsFailed ? null : 1.5 + ratio * 0.25, unit: 'seconds' });
      }
      point++;
    }
  }
  const block = (firstBlockId: number, nrBlocks: number, nid: number, state: string, zone: string, classShares: Record<string, number>): MapBlock => ({
    firstBlockId,
    nrBlocks,
    nid,
    state,
    zone,
    classShares,
  });
  return {
    format: STUDY_RESULTS_FORMAT,
    study: {
      name: 'movable-share <b>bold</b>',
      question: 'How far can ZONE_MOVABLE go? <script>alert("x")</script> & "quotes"',
      file: 'movable-share.yaml',
      seed: 7,
      axes: [
        { path: 'cmdline:movable_ratio', name: 'ratio', values: RATIOS, kind: 'movable-kernel-ratio' },
        { path: 'machine.route', name: 'route', values: ROUTES },
      ],
      metrics: ['outcome', 'zones', 'headroom', 'step_seconds'],
      points: point,
    },
    outcomes,
    rows,
    map: {
      point: 2,
      params: { ratio: 3, route: 'movable_node' },
      blockSizeBytes: 128 * 2 ** 20,
      nodes: [
        { nid: 0, zones: [{ name: 'DMA', presentPages: 3998 }, { name: 'DMA32', presentPages: 520_000 }, { name: 'Normal', presentPages: 1_572_864 }] },
        { nid: 1, zones: [{ name: 'Movable', presentPages: 2_097_152 }] },
      ],
      blocks: [
        block(0, 1, 0, 'online', 'DMA', { FREE: 0.2, RESERVED: 0.8 }),
        block(1, 15, 0, 'online', 'DMA32', { FREE: 0.5, USER: 0.3, SLAB: 0.2 }),
        block(16, 40, 0, 'online', 'Normal', { FREE: 0.1, USER: 0.4, SLAB: 0.2, PGTABLE: 0.1, VMEMMAP: 0.2 }),
        block(56, 8, 0, 'online', 'Normal', { USER: 0.7, SLAB_RECLAIMABLE: 0.2, PINNED: 0.1 }),
        block(64, 30, 1, 'online', 'Movable', { FREE: 0.25, USER: 0.75 }),
        block(94, 10, 1, 'offline', 'none', {}),
        block(104, 24, 1, 'online', 'Movable', { FREE: 1 }),
      ],
    },
  };
}
