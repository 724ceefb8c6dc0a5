/**
 * Running a study (study-file.ts reads it): every point's scenario is run as
 * `pfnlab run` would run it, and the metrics the study asks for are read off
 * the run's report, so a study records exactly what a scenario reports. A
 * shard runs the points whose number is its index modulo the shard count;
 * merging shards sorts their records back into point order, so a merged
 * study equals the unsharded one byte for byte.
 */
import type { EngineFactory } from '../contract/engine-api.js';
import { PAGE_CLASS_NAMES, PAGE_SIZE } from '../contract/constants.js';
import type { Machine, ProgressListener } from '../model/core/types.js';
import type { RunReport, StepReport } from './report.js';
import { BootFailure, runScenario } from './runner.js';
import type { Study, StudyPoint } from './study-file.js';
import {
  STUDY_RESULTS_FORMAT,
  type MapBlock,
  type StudyMap,
  type StudyMetricName,
  type StudyPointOutcome,
  type StudyResults,
  type StudyRow,
  type StudyWallTimes,
  type SweepValue,
} from './study-results.js';

export interface ShardSpec {
  index: number;
  count: number;
}

export interface StudyRunOptions {
  engines: EngineFactory;
  shard?: ShardSpec;
  /** Of the shard's points, run only these (a worker's share; study-pool.ts). */
  only?: ReadonlySet<number>;
  /** Called after each point with the points done and the points this run holds. */
  onPoint?: (done: number, total: number) => void;
  /** Told how the point in hand gets on (its boot, steps and workload rounds). */
  progress?: ProgressListener;
}

/** `i/n`, or `auto/n` with the index from JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs) or SLURM_ARRAY_TASK_ID (Slurm arrays). */
export function parseShard(text: string, env: Record<string, string | undefined> = process.env): ShardSpec {
  const match = /^(\d+|auto)\/(\d+)$/.exec(text.trim());
  if (match === null) throw new RangeError(`--shard: expected i/n (e.g. 0/4) or auto/n, got ${JSON.stringify(text)}`);
  const count = Number(match[2]);
  if (!Number.isSafeInteger(count) || count < 1) throw new RangeError(`--shard: the shard count must be at least 1, got ${match[2]}`);
  let indexText = match[1]!;
  if (indexText === 'auto') {
    const fromEnv = env.JOB_COMPLETION_INDEX ?? env.SLURM_ARRAY_TASK_ID;
    if (fromEnv === undefined) throw new RangeError('--shard auto/n: neither JOB_COMPLETION_INDEX (Kubernetes) nor SLURM_ARRAY_TASK_ID (Slurm) is set');
    if (!/^\d+$/.test(fromEnv)) throw new RangeError(`--shard auto/n: the shard index from the environment is not a number: ${JSON.stringify(fromEnv)}`);
    indexText = fromEnv;
  }
  const index = Number(indexText);
  if (index >= count) throw new RangeError(`--shard: index ${index} is outside 0..${count - 1}`);
  return { index, count };
}

/** The points a shard runs: those whose number is its index modulo the count. */
export function shardPoints(points: readonly StudyPoint[], shard: ShardSpec | undefined): StudyPoint[] {
  return shard === undefined ? [...points] : points.filter((p) => p.point % shard.count === shard.index);
}

// ---- metrics from a run's report ----------------------------------------------------

function row(point: StudyPoint, metric: string, value: number | null, unit: StudyRow['unit']): StudyRow {
  return { point: point.point, params: point.params, metric, value, unit };
}

function stepLabel(step: StepReport): string {
  return `step.${step.index}.${step.kind}`;
}

/** The rows one metric gives for one point's report (see STUDY_METRICS). */
function metricRows(metric: StudyMetricName, point: StudyPoint, report: RunReport): StudyRow[] {
  const rows: StudyRow[] = [];
  switch (metric) {
    case 'outcome':
      rows.push(row(point, 'booted', 1, 'flag'), row(point, 'steps_failed', report.result.failed, 'count'));
      break;
    case 'zones':
      for (const node of report.nodes) {
        for (const zone of node.zones) {
          if (zone.presentPages === 0) continue;
          const at = `zone.${node.nid}.${zone.name}`;
          rows.push(row(point, `${at}.present_pages`, zone.presentPages, 'pages'), row(point, `${at}.managed_pages`, zone.managedPages, 'pages'), row(point, `${at}.free_pages`, zone.freePages, 'pages'));
        }
      }
      break;
    case 'headroom': {
      // The machine's headroom as its last headroom step measured it.
      const step = [...report.steps].reverse().find((s) => s.headroom !== undefined);
      for (const entry of step?.headroom ?? []) rows.push(row(point, `headroom.${entry.kind}.node${entry.node}`, entry.pages, 'pages'));
      break;
    }
    case 'removable':
      for (const step of report.steps) {
        for (const scheme of step.schemes?.schemes ?? []) {
          for (const node of scheme.nodes) {
            const at = `${scheme.scheme}.node${node.nid}`;
            rows.push(
              row(point, `removable.${at}`, node.removableBytes, 'bytes'),
              row(point, `remove_seconds.${at}`, node.modelledSeconds, 'seconds'),
              row(point, `stop_machine_seconds.${at}`, node.stopMachineSeconds, 'seconds'),
              row(point, `slow_lookup_fraction.${at}`, node.slowLookupFraction, 'ratio'),
            );
          }
        }
      }
      break;
    case 'step_seconds':
      for (const step of report.steps) {
        if (step.modelledSeconds !== undefined) rows.push(row(point, `${stepLabel(step)}.modelled_seconds`, step.modelledSeconds, 'seconds'));
      }
      break;
    case 'max_movable_ratio':
      for (const step of report.steps) {
        if (step.movableRatio === undefined) continue;
        rows.push(
          row(point, `${stepLabel(step)}.ratio`, step.movableRatio.ratio, 'ratio'),
          row(point, `${stepLabel(step)}.kernel_bytes`, step.movableRatio.kernelBytes, 'bytes'),
          row(point, `${stepLabel(step)}.movable_bytes`, step.movableRatio.movableBytes, 'bytes'),
        );
      }
      break;
  }
  return rows;
}

// ---- the memory map ---------------------------------------------------------------

/** Shares rounded so that equal blocks compare equal and the JSON stays short. */
function share(pages: number, total: number): number {
  return Number((pages / total).toFixed(4));
}

async function captureMap(machine: Machine, point: StudyPoint): Promise<StudyMap> {
  const [nodes, blocks, counts] = await Promise.all([machine.nodes(), machine.blocks(), machine.blockClassCounts()]);
  const entries: MapBlock[] = [];
  blocks.forEach((block, i) => {
    const classShares: Record<string, number> = {};
    counts[i]!.forEach((pages, cls) => {
      if (pages > 0) classShares[PAGE_CLASS_NAMES[cls] ?? String(cls)] = share(pages, block.nrPages);
    });
    const entry: MapBlock = { firstBlockId: block.id, nrBlocks: 1, nid: block.nids[0] ?? -1, state: block.state, zone: block.zone ?? 'none', classShares };
    const last = entries[entries.length - 1];
    const alike =
      last !== undefined &&
      last.firstBlockId + last.nrBlocks === block.id &&
      last.nid === entry.nid &&
      last.state === entry.state &&
      last.zone === entry.zone &&
      JSON.stringify(last.classShares) === JSON.stringify(classShares);
    if (alike) last.nrBlocks++;
    else entries.push(entry);
  });
  return {
    point: point.point,
    params: point.params,
    blockSizeBytes: machine.blockSizeBytes,
    nodes: [...nodes]
      .sort((a, b) => a.nid - b.nid)
      .map((node) => ({ nid: node.nid, zones: node.zones.filter((z) => z.presentPages > 0).map((z) => ({ name: z.name, presentPages: z.presentPages })) })),
    blocks: entries,
  };
}

// ---- running ------------------------------------------------------------------------

function studyHeader(study: Study): StudyResults['study'] {
  return {
    name: study.name,
    question: study.question,
    file: study.file.split(/[\\/]/).pop() ?? study.file,
    seed: study.seed,
    axes: study.axes,
    metrics: study.metrics,
    points: study.points.length,
  };
}

/** Runs the study's points (a shard's slice of them) and collects the results. */
export async function runStudy(study: Study, options: StudyRunOptions): Promise<{ results: StudyResults; wall: StudyWallTimes }> {
  const startedAt = new Date();
  const t0 = performance.now();
  const points = shardPoints(study.points, options.shard).filter((p) => options.only === undefined || options.only.has(p.point));
  const outcomes: StudyPointOutcome[] = [];
  const rows: StudyRow[] = [];
  const wallPoints: StudyWallTimes['points'] = [];
  let map: StudyMap | undefined;
  for (const [done, point] of points.entries()) {
    const started = performance.now();
    const wantMap = point.point === study.mapPoint;
    const lastStep = point.scenario.steps.length - 1;
    try {
      const report = await runScenario(point.scenario, {
        engines: options.engines,
        stdout: () => undefined,
        ...(options.progress === undefined ? {} : { progress: options.progress }),
        afterStep: async (machine, step) => {
          if (wantMap && point.scenario.steps.indexOf(step) === lastStep) map = await captureMap(machine, point);
        },
      });
      const failed = report.steps.find((s) => s.status === 'failed');
      outcomes.push({
        point: point.point,
        params: point.params,
        booted: true,
        stepsFailed: report.result.failed,
        ...(failed === undefined
          ? {}
          : {
              failedStep: { index: failed.index, kind: failed.kind, errno: failed.errno ?? (failed.failure === undefined ? 'failed' : `${failed.failure.outcome} (${failed.failure.kind})`) },
              message: `${failed.what}: ${[failed.errno, failed.message].filter(Boolean).join(' ')}`,
            }),
      });
      for (const metric of study.metrics) rows.push(...metricRows(metric, point, report));
    } catch (error) {
      if (!(error instanceof BootFailure)) throw error;
      const message = error.cause instanceof Error ? error.cause.message : String(error.cause);
      outcomes.push({ point: point.point, params: point.params, booted: false, stepsFailed: 0, message });
      if (study.metrics.includes('outcome')) rows.push(row(point, 'booted', 0, 'flag'));
    }
    wallPoints.push({ point: point.point, seconds: (performance.now() - started) / 1000 });
    options.onPoint?.(done + 1, points.length);
  }
  const results: StudyResults = {
    format: STUDY_RESULTS_FORMAT,
    study: studyHeader(study),
    ...(options.shard === undefined ? {} : { shard: options.shard }),
    outcomes,
    rows,
    ...(map === undefined ? {} : { map }),
  };
  return { results, wall: { startedAt: startedAt.toISOString(), totalSeconds: (performance.now() - t0) / 1000, points: wallPoints } };
}

/**
 * Joins shard results into the whole study's: the same study, every shard
 * of one count exactly once. Records go back into point order.
 */
export function mergeResults(parts: readonly { file: string; results: StudyResults }[]): StudyResults {
  if (parts.length === 0) throw new RangeError('merge: no shard results given');
  const first = parts[0]!;
  const header = JSON.stringify(first.results.study);
  const count = first.results.shard?.count;
  const seen = new Map<number, string>();
  for (const { file, results } of parts) {
    if (results.format !== STUDY_RESULTS_FORMAT) throw new RangeError(`merge: ${file} is not ${STUDY_RESULTS_FORMAT} results (format ${JSON.stringify(results.format)})`);
    if (results.shard === undefined) throw new RangeError(`merge: ${file} holds a whole study, not a shard`);
    if (JSON.stringify(results.study) !== header) throw new RangeError(`merge: ${file} is another study than ${first.file} (name, question, axes, metrics or seed differ)`);
    if (results.shard.count !== count) throw new RangeError(`merge: ${file} is shard ${results.shard.index}/${results.shard.count}, ${first.file} is one of ${count}`);
    const other = seen.get(results.shard.index);
    if (other !== undefined) throw new RangeError(`merge: shard ${results.shard.index}/${count} given twice (${other} and ${file})`);
    seen.set(results.shard.index, file);
  }
  const missing = Array.from({ length: count! }, (_, i) => i).filter((i) => !seen.has(i));
  if (missing.length > 0) throw new RangeError(`merge: missing shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')}`);
  return joinResults(
    [...parts].sort((a, b) => a.results.shard!.index - b.results.shard!.index).map((part) => part.results),
    undefined,
  );
}

/**
 * Results of disjoint sets of points of one study as one, in point order
 * (a point's rows keep their order): shards merged, or the workers of one run.
 */
export function joinResults(parts: readonly StudyResults[], shard: ShardSpec | undefined): StudyResults {
  const byPoint = <T extends { point: number }>(items: T[]): T[] => items.map((item, i) => ({ item, i })).sort((a, b) => a.item.point - b.item.point || a.i - b.i).map(({ item }) => item);
  const map = parts.find((part) => part.map !== undefined)?.map;
  return {
    format: STUDY_RESULTS_FORMAT,
    study: parts[0]!.study,
    ...(shard === undefined ? {} : { shard }),
    outcomes: byPoint(parts.flatMap((part) => part.outcomes)),
    rows: byPoint(parts.flatMap((part) => part.rows)),
    ...(map === undefined ? {} : { map }),
  };
}

// ---- the tables ---------------------------------------------------------------------

/** The results as JSON text, the same for the same results. */
export function resultsJson(results: StudyResults): string {
  return `${JSON.stringify(results, null, 2)}\n`;
}

function csvField(value: SweepValue | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The tidy table: one line per point and metric, the point's swept values as columns. */
export function resultsCsv(results: StudyResults): string {
  const axes = results.study.axes.map((axis) => axis.name);
  const lines = [['point', ...axes, 'metric', 'value', 'unit'].map(csvField).join(',')];
  for (const r of results.rows) {
    lines.push([r.point, ...axes.map((name) => r.params[name] ?? null), r.metric, r.value, r.unit].map(csvField).join(','));
  }
  return `${lines.join('\n')}\n`;
}


function formatSum(total: number, unit: StudyRow['unit']): string {
  if (unit === 'pages') return `${((total * PAGE_SIZE) / 2 ** 30).toFixed(1)}G`;
  if (unit === 'bytes') return `${(total / 2 ** 30).toFixed(1)}G`;
  if (unit === 'seconds') return `${total.toFixed(3)}s`;
  return Number(total.toPrecision(6)).toString();
}

/**
 * The short table `pfnlab study` prints: a line per point with its swept
 * values, how it ended, and each `table` column, the sum of the point's rows
 * whose metric name starts with it (pages and bytes in GiB).
 */
export function studyTable(results: StudyResults, columns: readonly string[]): string {
  const axes = results.study.axes.map((axis) => axis.name);
  const header = ['point', ...axes, 'outcome', ...columns];
  const lines = results.outcomes.map((outcome) => {
    const rows = results.rows.filter((r) => r.point === outcome.point);
    const step = outcome.failedStep;
    const ended = !outcome.booted ? 'no boot' : step === undefined ? 'ok' : `${step.errno} at step ${step.index} (${step.kind})`;
    const sums = columns.map((prefix) => {
      const matching = rows.filter((r) => (r.metric === prefix || r.metric.startsWith(`${prefix}.`)) && r.value !== null);
      return matching.length === 0 ? '-' : formatSum(matching.reduce((sum, r) => sum + r.value!, 0), matching[0]!.unit);
    });
    return [String(outcome.point), ...axes.map((name) => String(outcome.params[name])), ended, ...sums];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((line) => line[i]!.length)));
  const format = (cells: string[]): string => cells.map((cell, i) => (i === 0 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  return `${[format(header), ...lines.map(format)].join('\n')}\n`;
}
