/**
 * The model card's sections about the version in production, read from its monitoring windows:
 * metrics on the reference and in production, fairness, drift, and the limitations they show.
 */
import type { FairnessReport, WindowSummary } from "../contract/index.js";
import type { Block, Section, Source } from "./document.js";
import { rangeText, timeText } from "./document.js";
import { fairnessBlocks } from "./fairness-blocks.js";
import { formatNumber, verdictText } from "./format.js";
import type { ModelCardInput } from "./model-card-input.js";

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

/** The "Metrics" section: the quality rule on the reference and in production, with per-window charts. */
export function metrics(
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

/** The "Fairness" section: the latest window's fairness figures per sensitive attribute. */
export function fairness(
  input: ModelCardInput,
  model: Source,
  windows: (detail?: string) => Source,
): Section {
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

/** The "Drift status" section: the newest drift report's columns and the severity per window. */
export function drift(
  input: ModelCardInput,
  report: Source | null,
  windows: (detail?: string) => Source,
): Section {
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

/** The "Known limitations" section: those stated at registration and those the windows show. */
export function limitations(
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
