import type {
  AttributeFairness,
  DeploymentChange,
  FairnessReport,
  ModelRecord,
  VersionRecord,
  WindowSummary,
} from "../contract/index.js";
import type { DriftReport } from "../drift/index.js";
import { TikTokToeError } from "../errors/index.js";
import type { Block, ReportDocument, Section, Source } from "./document.js";
import { rangeText, timeText } from "./document.js";
import { formatNumber, verdictText } from "./format.js";

/**
 * One entry of a version's history: registered, promoted to a stage, rolled back, retired. Only the
 * registration is recorded today; deployment stages and rollouts (src/deploy) fill the rest later
 * through {@link CardSource.history}, each entry naming the record it came from.
 *
 * @example
 * ```ts
 * const e: VersionEvent = { timeMs: 0, action: "promoted", stage: "production", actor: "ana", reason: "canary passed", source: { ref: "GET /v1/models/bike/deployments" } };
 * ```
 */
export interface VersionEvent {
  readonly timeMs: number;
  /** e.g. `registered`, `promoted`, `rolled back`, `retired`. */
  readonly action: string;
  readonly stage?: string;
  readonly actor?: string;
  readonly reason?: string;
  readonly source: Source;
}

/**
 * The entries of a model's deployment history (`GET /v1/models/{model}/deployment/history`) that
 * concern `version`, as a card's history: each stage move, rollout step, rollback or promotion with who
 * asked and why. Entries about other versions (the production a rollout replaced, say) stay out.
 *
 * @example
 * ```ts
 * const events = versionEventsFromDeployment("cancer", "2", (await history("cancer")).history);
 * ```
 */
export function versionEventsFromDeployment(
  model: string,
  version: string,
  changes: readonly DeploymentChange[],
): VersionEvent[] {
  const ref = `GET /v1/models/${model}/deployment/history`;
  return changes
    .filter((c) => c.version === version)
    .map((c) => ({
      timeMs: c.atMs,
      action: c.action,
      ...(c.to === null ? {} : { stage: c.to }),
      actor: c.by,
      reason: c.reason,
      source: { ref, ...(c.rollout === null ? {} : { detail: `rollout ${c.rollout}` }) },
    }));
}

/** The quality rule of the model's configuration (`metrics.quality`), as `/series` answers it. */
export interface QualitySpec {
  readonly metric: string;
  readonly threshold: number;
  readonly direction: string;
}

/**
 * Everything a model card is built from: the API's answers, read by {@link gatherModelCard}.
 *
 * @example
 * ```ts
 * const doc = buildModelCard(await gatherModelCard(source, "bike"), Date.now());
 * ```
 */
export interface ModelCardInput {
  readonly model: ModelRecord;
  readonly version: VersionRecord;
  /** The version's windows, oldest first. */
  readonly windows: readonly WindowSummary[];
  readonly quality: QualitySpec;
  readonly latency: { readonly percentile: number; readonly thresholdMs: number };
  /** The full drift report of the newest window with drift, and that window's start; null without. */
  readonly drift: { readonly startMs: number; readonly report: DriftReport } | null;
  /** Entries beyond the registration (promotions, rollbacks), oldest first; empty today. */
  readonly history: readonly VersionEvent[];
}

/**
 * What a card is read from: the API's answers. The CLI reads them over HTTP, the server from its own
 * service; both pass the same values, so a card says what `GET /v1/…` says.
 *
 * @example
 * ```ts
 * const source: CardSource = { model: (m) => get(`/v1/models/${m}`), … };
 * ```
 */
export interface CardSource {
  model(model: string): Promise<ModelRecord>;
  versions(model: string): Promise<readonly VersionRecord[]>;
  windows(model: string, version: string): Promise<readonly WindowSummary[]>;
  /** The configured quality and latency rules (`GET /v1/models/{m}/series`). */
  rules(
    model: string,
    version: string,
  ): Promise<{ quality: QualitySpec; latency: { percentile: number; thresholdMs: number } }>;
  drift(model: string, startMs: number, version: string): Promise<DriftReport>;
  /** Stage changes and rollbacks (src/deploy); absent until they exist. */
  history?(model: string, version: string): Promise<readonly VersionEvent[]>;
}

/**
 * Reads a card's input through `source`: the version (default the newest registered), its windows,
 * the rules and the newest drift report. Throws what the source throws (an unknown model or version
 * is the source's NOT_FOUND).
 *
 * @example
 * ```ts
 * const input = await gatherModelCard(source, "bike", "2011");
 * ```
 */
export async function gatherModelCard(
  source: CardSource,
  modelName: string,
  versionName?: string,
): Promise<ModelCardInput> {
  const model = await source.model(modelName);
  const versions = await source.versions(modelName);
  const version =
    versionName === undefined
      ? [...versions].sort((a, b) => b.createdMs - a.createdMs)[0]
      : versions.find((v) => v.version === versionName);
  if (version === undefined)
    throw new TikTokToeError(
      "NOT_FOUND",
      versionName === undefined
        ? `model "${modelName}" has no version yet`
        : `model "${modelName}" has no version "${versionName}"`,
      { path: versionName ?? modelName, hint: `GET /v1/models/${modelName}/versions lists them` },
    );
  const windows = await source.windows(modelName, version.version);
  const rules = await source.rules(modelName, version.version);
  const withDrift = [...windows].reverse().find((w) => w.drift !== null && w.drift !== undefined);
  const drift =
    withDrift === undefined
      ? null
      : {
          startMs: withDrift.startMs,
          report: await source.drift(modelName, withDrift.startMs, version.version),
        };
  const history = (await source.history?.(modelName, version.version)) ?? [];
  return { model, version, windows, ...rules, drift, history };
}

interface Verdict {
  readonly rule: string;
  readonly metric: string;
  readonly value: number | null;
  readonly threshold: number;
  readonly status: string;
  readonly severity: string;
  readonly samples?: number;
}
interface WindowDrift {
  readonly severity: string;
  readonly drifted_columns?: number;
  readonly columns: ReadonlyArray<{ column: string; severity: string }>;
  readonly untested?: readonly string[];
}

const verdictsOf = (w: WindowSummary): readonly Verdict[] => (w.verdicts as Verdict[] | undefined) ?? [];
const qualityVerdict = (w: WindowSummary) => verdictsOf(w).find((v) => v.rule === "quality");
const driftOf = (w: WindowSummary) => (w.drift as WindowDrift | null | undefined) ?? null;
const numberOf = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const SEVERITY_RANK: Readonly<Record<string, number>> = { ok: 0, warning: 1, critical: 2, emergency: 3 };

/**
 * The window a card's production figures come from: the newest one whose quality rule had a value
 * (enough labels), else the newest window. Exported so tests pick the same one the card does.
 *
 * @example
 * ```ts
 * productionWindow(windows)?.start; // "2012-12-30T00:00:00.000Z"
 * ```
 */
export function productionWindow(windows: readonly WindowSummary[]): WindowSummary | undefined {
  return [...windows].reverse().find((w) => numberOf(qualityVerdict(w)?.value) !== null) ?? windows.at(-1);
}

/**
 * A model card of one version (after Google's Model Card Toolkit and Hugging Face's cards): intended
 * use and task, inputs and outputs, reference data, metrics on the reference and in production,
 * fairness with intervals, drift, known limitations and history — each section citing the API
 * answers it came from. Pure: `generatedMs` is passed in.
 *
 * @example
 * ```ts
 * renderMarkdown(buildModelCard(input, Date.now()));
 * ```
 */
export function buildModelCard(input: ModelCardInput, generatedMs: number): ReportDocument {
  const { model, version } = input;
  const m = encodeURIComponent(model.name);
  const v = encodeURIComponent(version.version);
  const src = {
    model: { ref: `GET /v1/models/${m}` },
    versions: { ref: `GET /v1/models/${m}/versions`, detail: `version ${version.version}` },
    windows: (detail?: string): Source => ({
      ref: `GET /v1/models/${m}/windows?version=${v}`,
      ...(detail === undefined ? {} : { detail }),
    }),
    series: { ref: `GET /v1/models/${m}/series?version=${v}`, detail: "quality and latency rules" },
    drift: (startMs: number): Source => ({
      ref: `GET /v1/models/${m}/windows/${new Date(startMs).toISOString()}/drift?version=${v}`,
      detail: `window ${rangeText(startMs, startMs + windowLength(input.windows))}`,
    }),
  };
  const production = productionWindow(input.windows);
  const sections: Section[] = [
    intendedUse(input, src.model, src.versions),
    inputsOutputs(model, src.model),
    referenceData(input, src.versions, input.drift === null ? null : src.drift(input.drift.startMs)),
    metrics(input, production, src.versions, src.windows, src.series),
    fairness(input, src.model, src.windows),
    drift(input, input.drift === null ? null : src.drift(input.drift.startMs), src.windows),
    limitations(input, production, src.model, src.windows),
    history(input, src.versions),
  ];
  return {
    kind: "model-card",
    title: `Model card: ${model.name} version ${version.version}`,
    summary: `A ${model.task} model with ${model.features.length} input columns, registered ${timeText(version.createdMs)}; ${input.windows.length} monitoring window(s) so far.`,
    generated: new Date(generatedMs).toISOString(),
    sections,
  };
}

function windowLength(windows: readonly WindowSummary[]): number {
  const w = windows[0];
  return w === undefined ? 0 : w.endMs - w.startMs;
}

function scalarMeta(meta: Readonly<Record<string, unknown>>): Array<[string, string]> {
  return Object.entries(meta)
    .filter(([, value]) => ["string", "number", "boolean"].includes(typeof value))
    .map(([key, value]) => [key, typeof value === "number" ? formatNumber(value) : String(value)]);
}

function intendedUse(input: ModelCardInput, model: Source, versions: Source): Section {
  const meta = input.version.meta;
  const stated = [meta.intended_use, meta.description].find((t) => typeof t === "string") as
    | string
    | undefined;
  const task = {
    regression: "predicts a number (regression)",
    binary: "predicts one of two classes (binary classification)",
    multiclass: "predicts one of several classes (multiclass classification)",
  }[input.model.task];
  return {
    id: "intended-use",
    heading: "Intended use and task",
    sources: [model, versions],
    blocks: [
      {
        kind: "paragraph",
        text:
          stated ??
          `No intended use was recorded at registration (the version's meta.intended_use). The model ${task}; use it only on inputs like its reference data (below).`,
      },
      {
        kind: "facts",
        facts: [
          { label: "Model", value: input.model.name },
          { label: "Version", value: input.version.version },
          { label: "Task", value: input.model.task },
          ...(input.model.classes === undefined
            ? []
            : [{ label: "Classes", value: input.model.classes.join(", ") }]),
          { label: "Registered", value: timeText(input.version.createdMs) },
          ...scalarMeta(meta)
            .filter(([key]) => key !== "intended_use" && key !== "description")
            .map(([key, value]) => ({ label: `meta.${key}`, value })),
        ],
      },
    ],
  };
}

function inputsOutputs(model: ModelRecord, source: Source): Section {
  const output =
    model.task === "regression"
      ? "`prediction`: a number"
      : `\`prediction\`: one of ${model.classes?.join(", ") ?? "the classes"}; optionally class scores`;
  return {
    id: "inputs-outputs",
    heading: "Inputs and outputs",
    sources: [source],
    blocks: [
      {
        kind: "table",
        columns: ["column", "type", "role", "drift-tested"],
        rows: model.features.map((f) => [
          f.name,
          f.type,
          f.role,
          f.role === "sensitive" ? "no (sensitive)" : f.drift === false ? "no" : "yes",
        ]),
      },
      { kind: "paragraph", text: `Output: ${output}. Labels arrive later as \`target\`.` },
    ],
  };
}

function referenceData(input: ModelCardInput, versions: Source, drift: Source | null): Section {
  const rq = input.version.referenceQuality ?? null;
  const blocks: Block[] = [];
  if (input.drift === null)
    blocks.push({
      kind: "paragraph",
      text: "No window has been compared with the reference yet, so its per-column summary is not available.",
    });
  else {
    const columns = input.drift.report.columns;
    const rows = Math.max(0, ...columns.map((c) => c.n_reference + c.missing_reference));
    blocks.push(
      { kind: "facts", facts: [{ label: "Reference rows", value: String(rows) }] },
      {
        kind: "table",
        columns: ["column", "type", "rows", "missing"],
        numeric: [false, false, true, true],
        rows: columns.map((c) => [c.column, c.type, String(c.n_reference), String(c.missing_reference)]),
      },
    );
  }
  blocks.push({
    kind: "paragraph",
    text:
      rq === null
        ? "The reference has no labelled rows (prediction and target), so its quality is unknown."
        : `${rq.labelled} reference rows carry both a prediction and a target.`,
  });
  return {
    id: "reference-data",
    heading: "Reference data",
    sources: drift === null ? [versions] : [versions, drift],
    blocks,
  };
}

function metrics(
  input: ModelCardInput,
  production: WindowSummary | undefined,
  versions: Source,
  windows: (detail?: string) => Source,
  series: Source,
): Section {
  const { quality } = input;
  const rq = input.version.referenceQuality ?? null;
  const referenceValue = rq?.value ?? null;
  const verdict = production === undefined ? undefined : qualityVerdict(production);
  const productionValue = numberOf(verdict?.value);
  const blocks: Block[] = [
    {
      kind: "facts",
      facts: [
        { label: "Quality metric", value: quality.metric },
        {
          label: "Threshold",
          // The rule's direction is the alert's: "above" alerts when the metric rises past it (MAE).
          value: `${formatNumber(quality.threshold)} (${quality.direction === "above" ? "at most" : "at least"})`,
        },
        { label: "On the reference", value: formatNumber(referenceValue) },
        { label: "In production (latest window)", value: formatNumber(productionValue) },
        ...(production === undefined
          ? []
          : [
              { label: "Latest window", value: rangeText(production.startMs, production.endMs) },
              { label: "Events", value: String(numberOf(production.events) ?? 0) },
              { label: "Labels", value: String(numberOf(production.labels) ?? 0) },
              {
                label: `Latency p${input.latency.percentile}`,
                value: `${formatNumber(numberOf((production.latency as Record<string, unknown> | undefined)?.[`p${input.latency.percentile}`]))} ms (threshold ${formatNumber(input.latency.thresholdMs)} ms)`,
              },
            ]),
      ],
    },
  ];
  if (production !== undefined) {
    const q = (production.quality as Record<string, unknown> | undefined) ?? {};
    const entries = Object.entries(q).filter(([, value]) => numberOf(value) !== null);
    if (entries.length > 0)
      blocks.push({
        kind: "table",
        caption: "Every quality figure of the latest window",
        columns: ["figure", "value"],
        numeric: [false, true],
        rows: entries.map(([key, value]) => [key, formatNumber(value as number)]),
      });
  }
  if (input.windows.length > 0) {
    blocks.push({
      kind: "chart",
      title: `${quality.metric} per window`,
      x: "window start",
      y: quality.metric,
      style: "line",
      guides: [
        { label: "threshold", y: quality.threshold },
        ...(referenceValue === null ? [] : [{ label: "reference", y: referenceValue }]),
      ],
      series: [
        {
          name: `version ${input.version.version}`,
          points: input.windows.map((w) => ({
            x: w.startMs,
            y: numberOf(qualityVerdict(w)?.value),
            label: timeText(w.startMs),
          })),
        },
      ],
    });
    blocks.push({
      kind: "chart",
      title: `Latency p${input.latency.percentile} per window (ms)`,
      x: "window start",
      y: "ms",
      style: "line",
      guides: [{ label: "threshold", y: input.latency.thresholdMs }],
      series: [
        {
          name: `version ${input.version.version}`,
          points: input.windows.map((w) => ({
            x: w.startMs,
            y: numberOf((w.latency as Record<string, unknown> | undefined)?.[`p${input.latency.percentile}`]),
            label: timeText(w.startMs),
          })),
        },
      ],
    });
  } else blocks.push({ kind: "paragraph", text: "No monitoring window yet: no production figures." });
  return {
    id: "metrics",
    heading: "Metrics on the reference and in production",
    sources: [
      { ...versions, detail: "referenceQuality" },
      windows(
        production === undefined
          ? "no window"
          : `${input.windows.length} window(s); latest ${rangeText(production.startMs, production.endMs)}`,
      ),
      series,
    ],
    blocks,
  };
}

function intervalText(value: number | null, interval: { lower: number; upper: number } | null): string {
  if (value === null) return "—";
  return interval === null
    ? formatNumber(value)
    : `${formatNumber(value)} [${formatNumber(interval.lower)}, ${formatNumber(interval.upper)}]`;
}

/** One table per sensitive attribute: each group's rates and impact ratio with their intervals. */
export function fairnessBlocks(report: FairnessReport): Block[] {
  const blocks: Block[] = [
    {
      kind: "paragraph",
      text: `Intervals are ${formatNumber(report.confidence * 100)}% confidence intervals; the four-fifths rule flags an impact ratio below ${formatNumber(report.impactRatioThreshold)}.`,
    },
  ];
  for (const a of report.attributes) blocks.push(...attributeBlocks(a));
  return blocks;
}

function attributeBlocks(a: AttributeFairness): Block[] {
  const ratio = new Map(a.impactRatios.map((r) => [r.group, r]));
  return [
    {
      kind: "table",
      caption: `${a.attribute}: four-fifths rule ${a.fourFifthsRule}; privileged group ${a.privilegedGroup ?? "—"}; ${a.missing} rows without a value`,
      columns: ["group", "events", "labelled", "selection rate", "TPR", "FPR", "impact ratio"],
      numeric: [false, true, true, false, false, false, false],
      rows: a.groups.map((g) => {
        const r = ratio.get(g.group);
        return [
          g.group,
          String(g.count),
          String(g.labelled),
          intervalText(g.selectionRate.value, g.selectionRate.interval),
          intervalText(g.truePositiveRate.value, g.truePositiveRate.interval),
          intervalText(g.falsePositiveRate.value, g.falsePositiveRate.interval),
          r === undefined
            ? "—"
            : `${intervalText(r.value, r.interval)}${r.violation === true ? " (violation)" : ""}`,
        ];
      }),
    },
    {
      kind: "facts",
      facts: [
        {
          label: `${a.attribute}: demographic parity difference`,
          value: intervalText(a.demographicParityDifference.value, a.demographicParityDifference.interval),
        },
        {
          label: `${a.attribute}: equalized odds difference`,
          value: intervalText(a.equalizedOddsDifference.value, a.equalizedOddsDifference.interval),
        },
      ],
    },
  ];
}

function fairness(input: ModelCardInput, model: Source, windows: (detail?: string) => Source): Section {
  const sensitive = input.model.features.filter((f) => f.role === "sensitive").map((f) => f.name);
  const base = { id: "fairness", heading: "Fairness across sensitive attributes" };
  if (sensitive.length === 0)
    return {
      ...base,
      sources: [model],
      blocks: [
        {
          kind: "paragraph",
          text: "The schema marks no column as sensitive (role: sensitive), so fairness across groups was not assessed.",
        },
      ],
    };
  const w = [...input.windows].reverse().find((x) => x.fairness !== null && x.fairness !== undefined);
  if (w === undefined)
    return {
      ...base,
      sources: [model, windows("no window with fairness figures")],
      blocks: [
        {
          kind: "paragraph",
          text: `Sensitive attributes: ${sensitive.join(", ")}. No window has fairness figures yet (they need a binary model's events and labels).`,
        },
      ],
    };
  return {
    ...base,
    sources: [model, windows(`fairness of window ${rangeText(w.startMs, w.endMs)}`)],
    blocks: [
      {
        kind: "paragraph",
        text: `Sensitive attributes: ${sensitive.join(", ")}; figures of the latest window with them.`,
      },
      ...fairnessBlocks(w.fairness as FairnessReport),
    ],
  };
}

function drift(input: ModelCardInput, report: Source | null, windows: (detail?: string) => Source): Section {
  const counts = new Map<string, number>();
  for (const w of input.windows) {
    const d = driftOf(w);
    const key = d === null ? "not compared" : d.severity;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const blocks: Block[] = [];
  if (input.drift === null)
    blocks.push({ kind: "paragraph", text: "No window has been compared with the reference yet." });
  else {
    const r = input.drift.report;
    const drifted = r.columns.filter((c) => c.severity !== "ok");
    blocks.push(
      {
        kind: "facts",
        facts: [
          { label: "Latest window's severity", value: r.severity },
          {
            label: "Columns drifted",
            value:
              drifted.length === 0 ? "none" : drifted.map((c) => `${c.column} (${c.severity})`).join(", "),
          },
          {
            label: "Not drift-tested",
            value:
              [
                ...new Set([
                  ...input.model.features.filter((f) => f.drift === false).map((f) => f.name),
                  ...(r.excluded ?? []).map((e) => e.column),
                ]),
              ].join(", ") || "none",
          },
          {
            label: "Windows by severity",
            value: [...counts].map(([k, n]) => `${k} ${n}`).join(", "),
          },
        ],
      },
      {
        kind: "table",
        columns: ["column", "method", "statistic", "test / distance", "severity"],
        numeric: [false, false, true, false, false],
        rows: r.columns.map((c) => [
          c.column,
          c.method,
          formatNumber(c.statistic),
          verdictText(c),
          c.severity,
        ]),
      },
    );
  }
  if (input.windows.length > 0)
    blocks.push({
      kind: "chart",
      title: "Drift severity per window (0 ok, 1 warning, 2 critical, 3 emergency)",
      x: "window start",
      y: "severity",
      style: "line",
      series: [
        {
          name: `version ${input.version.version}`,
          points: input.windows.map((w) => {
            const d = driftOf(w);
            return {
              x: w.startMs,
              y: d === null ? null : (SEVERITY_RANK[d.severity] ?? null),
              label: timeText(w.startMs),
            };
          }),
        },
      ],
    });
  return {
    id: "drift",
    heading: "Drift status",
    sources: [...(report === null ? [] : [report]), windows(`${input.windows.length} window(s)`)],
    blocks,
  };
}

function limitations(
  input: ModelCardInput,
  production: WindowSummary | undefined,
  model: Source,
  windows: (detail?: string) => Source,
): Section {
  const items: string[] = [];
  const stated = input.version.meta.limitations;
  if (typeof stated === "string") items.push(stated);
  if (Array.isArray(stated)) for (const s of stated) if (typeof s === "string") items.push(s);
  const untested = input.model.features.filter((f) => f.drift === false).map((f) => f.name);
  if (untested.length > 0)
    items.push(
      `Columns not drift-tested (schema drift: false), so a change in them raises no drift alert: ${untested.join(", ")}.`,
    );
  if (!input.model.features.some((f) => f.role === "sensitive"))
    items.push(
      "No sensitive attribute is declared: the card cannot say whether the model treats groups differently.",
    );
  const breaches = input.windows.filter((w) => qualityVerdict(w)?.status === "breach").length;
  if (breaches > 0)
    items.push(
      `The quality rule (${input.quality.metric} ${input.quality.direction === "above" ? "≤" : "≥"} ${formatNumber(input.quality.threshold)}) was breached in ${breaches} of ${input.windows.length} window(s).`,
    );
  const insufficient = input.windows.filter((w) => qualityVerdict(w)?.status === "insufficient_data").length;
  if (insufficient > 0) items.push(`${insufficient} window(s) had too few labels to judge quality.`);
  const ref = input.version.referenceQuality?.value ?? null;
  const prod = production === undefined ? null : numberOf(qualityVerdict(production)?.value);
  if (ref !== null && prod !== null && ref !== 0)
    items.push(
      `The latest window's ${input.quality.metric} is ${formatNumber(prod)} against ${formatNumber(ref)} on the reference (${formatNumber(((prod - ref) / Math.abs(ref)) * 100)}%).`,
    );
  const drifting = input.windows.filter(
    (w) => (SEVERITY_RANK[driftOf(w)?.severity ?? "ok"] ?? 0) >= 2,
  ).length;
  if (drifting > 0)
    items.push(
      `Inputs or outputs drifted (critical or worse) in ${drifting} of ${input.windows.length} window(s): production data is not like the reference.`,
    );
  if (items.length === 0) items.push("None recorded, and none found in the monitoring windows so far.");
  return {
    id: "limitations",
    heading: "Known limitations",
    sources: [model, { ...windows(), detail: "verdicts and drift of every window" }],
    blocks: [{ kind: "list", items }],
  };
}

function history(input: ModelCardInput, versions: Source): Section {
  const meta = input.version.meta;
  const registeredBy = [meta.registered_by, meta.owner].find((t) => typeof t === "string") as
    | string
    | undefined;
  const events: VersionEvent[] = [
    {
      timeMs: input.version.createdMs,
      action: "registered",
      ...(registeredBy === undefined ? {} : { actor: registeredBy }),
      source: versions,
    },
    ...input.history,
  ].sort((a, b) => a.timeMs - b.timeMs);
  const blocks: Block[] = [
    {
      kind: "table",
      columns: ["time", "action", "stage", "by", "reason", "record"],
      rows: events.map((e) => [
        timeText(e.timeMs),
        e.action,
        e.stage ?? "—",
        e.actor ?? "—",
        e.reason ?? "—",
        `\`${e.source.ref}\``,
      ]),
    },
  ];
  if (input.history.length === 0)
    blocks.push({
      kind: "paragraph",
      text: "No promotion, rollback or stage change is recorded for this version: its registration is its whole history.",
    });
  if (typeof meta.optimized_from === "string")
    blocks.push({
      kind: "paragraph",
      text: `Produced by \`tiktoktoe optimize\` from ${meta.optimized_from} (${String(meta.technique ?? "?")}: ${String(meta.label ?? "")}); its optimization report was written to ${String(meta.report ?? "an unrecorded file")} (render it with \`tiktoktoe report optimization\`).`,
    });
  return {
    id: "history",
    heading: "Version history",
    sources: [versions, ...input.history.map((e) => e.source)],
    blocks,
  };
}
