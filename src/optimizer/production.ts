/**
 * The first section of a report on a served version (`optimize --server`): what the monitor measured
 * in production against the seed's objectives, and which of them the optimization is for. Pure: the
 * windows come from `GET /v1/models/{model}/windows` as the server lists them.
 */

/** The fields of a listed window this section reads (the server's summary has more). */
export interface ProductionWindow {
  readonly start: string;
  readonly startMs: number;
  readonly labels?: number;
  readonly quality?: Readonly<Record<string, unknown>>;
  readonly latency?: { readonly count?: number; readonly p99?: number | null };
}

/** One objective against production. */
export interface ObjectiveStatus {
  readonly name: "accuracy" | "latency" | "resource_usage";
  /** The target: the accuracy (or null: the metric has no absolute target), ms of p99, or "minimize". */
  readonly target: number | "minimize" | null;
  /** Production's value, null when the windows hold none. */
  readonly production: number | null;
  /** null when it cannot be told (no value, no absolute target, or "minimize"). */
  readonly met: boolean | null;
  /** Whether the optimization is for this objective. */
  readonly targeted: boolean;
  readonly note: string;
}

/** The report's `production` section. */
export interface ProductionSection {
  readonly server: string;
  readonly model: string;
  readonly version: string;
  /** `accuracy` for a classifier, `mae` for a regression (what the windows measure). */
  readonly metric: "accuracy" | "mae";
  /** The newest window with labels and the metric: its start, value and labelled events. */
  readonly quality: { readonly window: string; readonly value: number; readonly labels: number } | null;
  /** The newest window with latencies: its start, p99 (ms) and the number of latencies. */
  readonly latency_p99_ms: { readonly window: string; readonly value: number; readonly count: number } | null;
  readonly objectives: readonly ObjectiveStatus[];
  /** The objectives the optimization is for, in the objective's order. */
  readonly optimization_for: readonly string[];
  /** Where the validation rows came from. */
  readonly data: {
    readonly reference_rows: number;
    readonly labelled_rows: number;
    /** Labelled events left out: a label that is no class, or a missing feature. */
    readonly skipped: number;
    readonly from: string | null;
    readonly to: string | null;
  };
}

/**
 * Production's metric and p99 latency from the newest windows, against the objective's targets.
 *
 * - accuracy (classifiers): met when the newest labelled window's accuracy ≥ the target; the
 *   optimization cannot raise it (every technique compresses) — it is held to the drop limit, so a
 *   missed accuracy target says "retrain", not "optimize". MAE has no absolute target: met is null.
 * - latency: met when the newest window's p99 ≤ the target (ms); the optimization is for latency
 *   when it is not met (or unknown).
 * - resource_usage ("minimize"): always an aim of the optimization.
 *
 * @example
 * ```ts
 * const section = productionVsObjectives({ server, model: "digits", version: "1", metric: "accuracy",
 *   windows, objective: { accuracy_target: 0.95, latency_target_ms: 50 }, data });
 * section.optimization_for; // ["resource_usage"] when p99 is within 50 ms
 * ```
 */
export function productionVsObjectives(input: {
  readonly server: string;
  readonly model: string;
  readonly version: string;
  readonly metric: "accuracy" | "mae";
  readonly windows: readonly ProductionWindow[];
  readonly objective: { readonly accuracy_target: number; readonly latency_target_ms: number };
  readonly data: ProductionSection["data"];
}): ProductionSection {
  const newestFirst = [...input.windows].sort((a, b) => b.startMs - a.startMs);
  let quality: ProductionSection["quality"] = null;
  for (const w of newestFirst) {
    const value = w.quality?.[input.metric];
    if ((w.labels ?? 0) > 0 && typeof value === "number" && Number.isFinite(value)) {
      quality = { window: w.start, value, labels: w.labels ?? 0 };
      break;
    }
  }
  let latency: ProductionSection["latency_p99_ms"] = null;
  for (const w of newestFirst) {
    const p99 = w.latency?.p99;
    if ((w.latency?.count ?? 0) > 0 && typeof p99 === "number" && Number.isFinite(p99)) {
      latency = { window: w.start, value: p99, count: w.latency?.count ?? 0 };
      break;
    }
  }
  const { accuracy_target: accuracyTarget, latency_target_ms: latencyTarget } = input.objective;
  const accuracyMet =
    input.metric === "accuracy" && quality !== null ? quality.value >= accuracyTarget : null;
  const latencyMet = latency === null ? null : latency.value <= latencyTarget;
  const objectives: ObjectiveStatus[] = [
    {
      name: "accuracy",
      target: input.metric === "accuracy" ? accuracyTarget : null,
      production: quality?.value ?? null,
      met: accuracyMet,
      targeted: false,
      note:
        input.metric === "mae"
          ? "MAE has no absolute target: candidates are held to a rise of at most the drop limit"
          : quality === null
            ? "no labelled window yet: production accuracy unknown"
            : accuracyMet
              ? "met: candidates must keep it (drop limit)"
              : "below target: compression cannot raise it — retrain; candidates must not lower it further",
    },
    {
      name: "latency",
      target: latencyTarget,
      production: latency?.value ?? null,
      met: latencyMet,
      targeted: latencyMet !== true,
      note:
        latency === null
          ? "no latencies in the windows: the optimization aims at it anyway"
          : latencyMet
            ? "p99 within target: a faster model is headroom and cost, not a fix"
            : "p99 over target: the optimization is for this",
    },
    {
      name: "resource_usage",
      target: "minimize",
      production: null,
      met: null,
      targeted: true,
      note: "smaller and cheaper to serve: always an aim",
    },
  ];
  return {
    server: input.server,
    model: input.model,
    version: input.version,
    metric: input.metric,
    quality,
    latency_p99_ms: latency,
    objectives,
    optimization_for: objectives.filter((o) => o.targeted).map((o) => o.name),
    data: input.data,
  };
}
