import { type Severity, severityRank } from "../drift/index.js";

/** What the series need of one stored window summary (the API's window listing). */
export interface SeriesWindowInput {
  readonly version: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly events: number;
  readonly labels: number;
  /** The configured quality metric's value (null without labels). */
  readonly quality: number | null;
  readonly p50: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
  /** Severity per drift-tested column; null when the version has no reference. */
  readonly drift: ReadonlyArray<{ readonly column: string; readonly severity: Severity }> | null;
  /** The worst verdict of the window (quality, latency, drift). */
  readonly severity: Severity;
  /** Per sensitive attribute, the smallest impact ratio of the window (null: not enough data). */
  readonly bias?: Readonly<Record<string, number | null>>;
}

/** One version's series: parallel arrays, one entry per point (a window, or a bucket of windows). */
export interface VersionSeries {
  readonly version: string;
  readonly start: number[];
  readonly end: number[];
  /** Label-weighted mean of the quality metric over the point's windows. */
  readonly quality: Array<number | null>;
  /** Latency quantiles: the worst window of the point (a bucket never hides a slow window). */
  readonly p50: Array<number | null>;
  readonly p95: Array<number | null>;
  readonly p99: Array<number | null>;
  readonly events: number[];
  readonly labels: number[];
  /** labels / events (null without events). */
  readonly coverage: Array<number | null>;
  /** Severity code of the point's worst verdict: 0 ok, 1 warning, 2 critical, 3 emergency. */
  readonly severity: number[];
  /** Windows merged into each point. */
  readonly windows: number[];
  /** Per sensitive attribute, the smallest impact ratio of the point's windows (the worst). */
  readonly impactRatio: Record<string, Array<number | null>>;
}

/** The drift heat map of one version: columns × points, each cell a severity code or -1 (not tested). */
export interface DriftMatrix {
  readonly version: string;
  readonly columns: string[];
  readonly start: number[];
  /** `cells[c][p]`: the worst severity of column c over the windows of point p. */
  readonly cells: number[][];
}

/** The series of a model over a range, as the dashboard draws them. */
export interface ModelSeries {
  /** Length of one point in ms: the window length times the bucket factor. */
  readonly pointMs: number;
  /** Windows per point (1 when nothing was merged). */
  readonly bucket: number;
  readonly versions: VersionSeries[];
  /** Heat maps, one per version with drift (same points as the series). */
  readonly drift: DriftMatrix[];
}

/** Options of {@link buildModelSeries}. */
export interface SeriesOptions {
  /** The window length in ms. */
  readonly windowMs: number;
  /** The most points per version; windows are merged into buckets beyond it. */
  readonly maxPoints: number;
  /** Column order of the heat map (features first); columns not listed follow by name. */
  readonly columnOrder?: readonly string[];
  /**
   * Columns kept but not drift-tested (the schema's `drift: false`): shown as rows of "not tested"
   * cells (-1), so the heat map says they were left out rather than hiding them.
   */
  readonly untested?: readonly string[];
}

/**
 * Aggregates window summaries into per-version series and drift heat maps, downsampling by merging
 * consecutive windows into buckets of equal length so a long range never sends more than
 * `maxPoints` points per version. Buckets are aligned on the same time grid for every version, so
 * versions compare point by point. Quality is label-weighted (a bucket's MAE is the MAE of its
 * labelled events); latency and drift take the worst window, so an incident survives downsampling.
 *
 * @example
 * ```ts
 * const series = buildModelSeries(windows, { windowMs: 3_600_000, maxPoints: 1000 });
 * series.versions[0].quality; // one value per point
 * ```
 */
export function buildModelSeries(windows: readonly SeriesWindowInput[], options: SeriesOptions): ModelSeries {
  const { windowMs } = options;
  if (windows.length === 0) return { pointMs: windowMs, bucket: 1, versions: [], drift: [] };
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const w of windows) {
    first = Math.min(first, w.startMs);
    last = Math.max(last, w.startMs);
  }
  const span = Math.floor((last - first) / windowMs) + 1;
  const bucket = Math.max(1, Math.ceil(span / Math.max(1, options.maxPoints)));
  const pointMs = windowMs * bucket;
  const byVersion = new Map<string, SeriesWindowInput[]>();
  for (const w of windows) {
    const list = byVersion.get(w.version) ?? [];
    list.push(w);
    byVersion.set(w.version, list);
  }
  const versions: VersionSeries[] = [];
  const drift: DriftMatrix[] = [];
  for (const [version, list] of [...byVersion].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    list.sort((a, b) => a.startMs - b.startMs);
    const points: SeriesWindowInput[][] = [];
    let current: SeriesWindowInput[] = [];
    let currentIndex = Number.NaN;
    for (const w of list) {
      const index = Math.floor((w.startMs - first) / pointMs);
      if (index !== currentIndex && current.length > 0) {
        points.push(current);
        current = [];
      }
      currentIndex = index;
      current.push(w);
    }
    if (current.length > 0) points.push(current);
    versions.push(versionSeries(version, points, first, pointMs, bucket));
    const matrix = driftMatrix(
      version,
      points,
      first,
      pointMs,
      bucket,
      options.columnOrder ?? [],
      options.untested ?? [],
    );
    if (matrix !== null) drift.push(matrix);
  }
  return { pointMs, bucket, versions, drift };
}

const code = (severity: Severity): number => severityRank(severity);

function pointStart(group: readonly SeriesWindowInput[], first: number, pointMs: number, bucket: number) {
  // A single window keeps its own start; a bucket starts on the common grid.
  return bucket === 1
    ? group[0]!.startMs
    : first + Math.floor((group[0]!.startMs - first) / pointMs) * pointMs;
}

function versionSeries(
  version: string,
  points: readonly SeriesWindowInput[][],
  first: number,
  pointMs: number,
  bucket: number,
): VersionSeries {
  const out: VersionSeries = {
    version,
    start: [],
    end: [],
    quality: [],
    p50: [],
    p95: [],
    p99: [],
    events: [],
    labels: [],
    coverage: [],
    severity: [],
    windows: [],
    impactRatio: {},
  };
  const attributes = new Set<string>();
  for (const group of points)
    for (const w of group) for (const a of Object.keys(w.bias ?? {})) attributes.add(a);
  for (const a of [...attributes].sort()) out.impactRatio[a] = [];
  const worst = (group: readonly SeriesWindowInput[], pick: (w: SeriesWindowInput) => number | null) => {
    let value: number | null = null;
    for (const w of group) {
      const v = pick(w);
      if (v !== null && (value === null || v > value)) value = v;
    }
    return value;
  };
  for (const group of points) {
    const start = pointStart(group, first, pointMs, bucket);
    let events = 0;
    let labels = 0;
    let weighted = 0;
    let weight = 0;
    let severity = 0;
    for (const w of group) {
      events += w.events;
      labels += w.labels;
      if (w.quality !== null && Number.isFinite(w.quality)) {
        // Weight by labels; a window with a value but no label count still counts once.
        const k = Math.max(1, w.labels);
        weighted += w.quality * k;
        weight += k;
      }
      severity = Math.max(severity, code(w.severity));
    }
    out.start.push(start);
    out.end.push(bucket === 1 ? group[0]!.endMs : start + pointMs);
    out.quality.push(weight === 0 ? null : weighted / weight);
    out.p50.push(worst(group, (w) => w.p50));
    out.p95.push(worst(group, (w) => w.p95));
    out.p99.push(worst(group, (w) => w.p99));
    out.events.push(events);
    out.labels.push(labels);
    out.coverage.push(events === 0 ? null : labels / events);
    out.severity.push(severity);
    out.windows.push(group.length);
    for (const [attribute, values] of Object.entries(out.impactRatio)) {
      let least: number | null = null;
      for (const w of group) {
        const v = w.bias?.[attribute];
        if (v !== null && v !== undefined && (least === null || v < least)) least = v;
      }
      values.push(least);
    }
  }
  return out;
}

function driftMatrix(
  version: string,
  points: readonly SeriesWindowInput[][],
  first: number,
  pointMs: number,
  bucket: number,
  order: readonly string[],
  untested: readonly string[],
): DriftMatrix | null {
  const seen = new Set<string>();
  for (const group of points) for (const w of group) for (const c of w.drift ?? []) seen.add(c.column);
  if (seen.size === 0) return null;
  for (const column of untested) seen.add(column);
  const rank = new Map(order.map((c, i) => [c, i]));
  const columns = [...seen].sort((a, b) => {
    const ra = rank.get(a) ?? Number.MAX_SAFE_INTEGER;
    const rb = rank.get(b) ?? Number.MAX_SAFE_INTEGER;
    return ra - rb || (a < b ? -1 : a > b ? 1 : 0);
  });
  const index = new Map(columns.map((c, i) => [c, i]));
  const cells = columns.map(() => new Array<number>(points.length).fill(-1));
  const start: number[] = [];
  points.forEach((group, p) => {
    start.push(pointStart(group, first, pointMs, bucket));
    for (const w of group)
      for (const c of w.drift ?? []) {
        const row = cells[index.get(c.column)!]!;
        row[p] = Math.max(row[p]!, code(c.severity));
      }
  });
  return { version, columns, start, cells };
}
