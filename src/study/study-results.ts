/**
 * What a study run writes (docs in README "Studies"): one record per point
 * and metric, with the point's swept values beside it. The same study file
 * and seed give the same results byte for byte: nothing here depends on the
 * clock or on how the points were split across processes (wall times go to
 * a separate file, {@link StudyWallTimes}).
 */

export const STUDY_RESULTS_FORMAT = 'pfnlab-study-results/1';

/** A swept value as the study file gave it (scenario values are read as text, so "25%" and "4G" stay strings). */
export type SweepValue = string | number | boolean;

export interface StudyAxis {
  /** The scenario value it sets: a dotted path (`steps[0].slab.share`) or `cmdline:PARAM` for a kernel parameter. */
  path: string;
  /** Column name in the tables: the path, or the axis's `name`. */
  name: string;
  values: SweepValue[];
  /**
   * What the values mean, when the study says so: `movable-kernel-ratio` marks the
   * admin guide's 3:1 and 63:1 on charts against this axis.
   */
  kind?: 'movable-kernel-ratio';
}

export type StudyMetricName = 'zones' | 'headroom' | 'removable' | 'step_seconds' | 'max_movable_ratio' | 'outcome';

/** One measured value at one point. */
export interface StudyRow {
  point: number;
  /** The point's swept values, by axis name. */
  params: Record<string, SweepValue>;
  /** Dotted metric name, e.g. `headroom.slab.node0`, `zone.1.Movable.free_pages`, `step.3.offline_and_remove.modelled_seconds`. */
  metric: string;
  value: number | null;
  unit: 'pages' | 'bytes' | 'seconds' | 'ratio' | 'count' | 'flag';
}

/** How a point ended: every step ran (some may have failed, which is data), or the machine did not boot. */
export interface StudyPointOutcome {
  point: number;
  params: Record<string, SweepValue>;
  booted: boolean;
  stepsFailed: number;
  /** The first failed step: its index, kind and errno (or allocation failure, e.g. `oom`). */
  failedStep?: { index: number; kind: string; errno: string };
  /** The boot failure, or the first failed step's `what: errno message`. */
  message?: string;
}

/** A memory block range of the chosen point's machine, for the memory map. */
export interface MapBlock {
  firstBlockId: number;
  nrBlocks: number;
  nid: number;
  /** `online`/`offline`. */
  state: string;
  /** Zone name of an online block (`Normal`, `Movable`, ...), or `none`. */
  zone: string;
  /** Share of each page class over the range's pages (class name to 0..1), classes present only. */
  classShares: Record<string, number>;
}

export interface StudyMap {
  point: number;
  params: Record<string, SweepValue>;
  blockSizeBytes: number;
  /** Nodes with their zones (present pages), ascending nid. */
  nodes: { nid: number; zones: { name: string; presentPages: number }[] }[];
  /** Ascending block id; adjacent blocks alike in node, state, zone and class shares form one entry. */
  blocks: MapBlock[];
}

export interface StudyResults {
  format: typeof STUDY_RESULTS_FORMAT;
  study: {
    name: string;
    question: string;
    /** The study file's base name (not its directory, so results do not depend on where it was run). */
    file: string;
    seed: number;
    axes: StudyAxis[];
    metrics: StudyMetricName[];
    /** Points in the whole study (a shard holds a slice of them). */
    points: number;
  };
  /** Present only in a shard's results; merging removes it. */
  shard?: { index: number; count: number };
  outcomes: StudyPointOutcome[];
  rows: StudyRow[];
  /** The memory map of the study's chosen point, when this run holds that point. */
  map?: StudyMap;
}

/** Wall-clock figures, kept apart from the deterministic results. */
export interface StudyWallTimes {
  startedAt: string;
  totalSeconds: number;
  points: { point: number; seconds: number }[];
}
