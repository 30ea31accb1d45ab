import type { FairnessReport, HealthReport, ReportSummary } from "../contract/index.js";
import type { Block, ReportDocument, Section, Source } from "./document.js";
import { rangeText, timeText } from "./document.js";
import { fairnessBlocks } from "./fairness-blocks.js";
import { formatNumber } from "./format.js";

/**
 * Where the stored health reports are read from (`GET /v1/models/{m}/reports` and `…/reports/{id}`).
 *
 * @example
 * ```ts
 * const source: HealthSource = { list: (m, f, t) => …, get: (m, id) => … };
 * ```
 */
export interface HealthSource {
  /** Summaries in [fromMs, toMs), newest first (the API's order). */
  list(model: string, fromMs: number, toMs: number): Promise<readonly ReportSummary[]>;
  get(model: string, id: string): Promise<HealthReport>;
}

/** The input of {@link buildHealthDoc}: the stored reports of one model's period, oldest first. */
export interface HealthDocInput {
  readonly model: string;
  readonly fromMs: number;
  readonly toMs: number;
  readonly reports: readonly HealthReport[];
}

/**
 * Reads every stored report of `model` in [fromMs, toMs), oldest first.
 *
 * @example
 * ```ts
 * const input = await gatherHealth(source, "bike", from, to);
 * ```
 */
export async function gatherHealth(
  source: HealthSource,
  model: string,
  fromMs: number,
  toMs: number,
): Promise<HealthDocInput> {
  // The API filters stored reports by their period's end; a document holds the periods inside
  // [fromMs, toMs), so it asks up to toMs inclusive and keeps those that start at fromMs or later.
  const list = await source.list(model, fromMs, Number.isFinite(toMs) ? toMs + 1 : toMs);
  const reports: HealthReport[] = [];
  for (const s of [...list].reverse())
    if (s.from >= fromMs && s.to <= toMs) reports.push(await source.get(model, s.id));
  return { model, fromMs, toMs, reports };
}

const STATUSES = ["ok", "warning", "critical", "emergency", "no_data"] as const;

/**
 * A model's health over a period, from its stored hourly (per `reporting.frequency`) reports: the
 * status of each, why, the quality and volume per version over the periods (charts with one point
 * per stored report), and the newest report's detail per version (latency, drift, fairness). Pure.
 *
 * @example
 * ```ts
 * const doc = buildHealthDoc(await gatherHealth(source, "bike", from, to), Date.now());
 * ```
 */
export function buildHealthDoc(input: HealthDocInput, generatedMs: number): ReportDocument {
  const { reports } = input;
  // Open ends (no from or to given) read as the stored reports' own span.
  const fromMs = Number.isFinite(input.fromMs) ? input.fromMs : (reports[0]?.from ?? input.fromMs);
  const toMs = Number.isFinite(input.toMs) ? input.toMs : (reports.at(-1)?.to ?? input.toMs);
  const m = encodeURIComponent(input.model);
  const listSource: Source = {
    ref: `GET /v1/models/${m}/reports${Number.isFinite(input.fromMs) && Number.isFinite(input.toMs) ? `?from=${new Date(input.fromMs).toISOString()}&to=${new Date(input.toMs).toISOString()}` : ""}`,
    detail: `${reports.length} report(s)`,
  };
  const reportSource = (r: HealthReport): Source => ({
    ref: `GET /v1/models/${m}/reports/${r.id}`,
    detail: `period ${rangeText(r.from, r.to)}`,
  });
  const counts = STATUSES.map((s) => [s, reports.filter((r) => r.status === s).length] as const).filter(
    ([, n]) => n > 0,
  );
  const newest = reports.at(-1);
  const summary: Section = {
    id: "summary",
    heading: "Summary",
    sources: [listSource],
    blocks: [
      {
        kind: "facts",
        facts: [
          { label: "Model", value: input.model },
          { label: "Period", value: rangeText(fromMs, toMs) },
          { label: "Stored reports", value: String(reports.length) },
          {
            label: "Status per report",
            value: counts.length === 0 ? "—" : counts.map(([s, n]) => `${s} ${n}`).join(", "),
          },
          { label: "Newest status", value: newest?.status ?? "—" },
        ],
      },
      ...(reports.length === 0
        ? [
            {
              kind: "paragraph",
              text: "No health report is stored for this period: reports are written once per reporting period after the model's first window.",
            } as const,
          ]
        : []),
    ],
  };
  const periods: Section = {
    id: "periods",
    heading: "Reports in the period",
    sources: [listSource],
    blocks:
      reports.length === 0
        ? [{ kind: "paragraph", text: "None." }]
        : [
            {
              kind: "table",
              columns: ["period", "status", "versions", "events", "labels", "reasons"],
              numeric: [false, false, false, true, true, false],
              rows: reports.map((r) => [
                rangeText(r.from, r.to),
                r.status,
                r.versions.map((v) => v.version).join(", ") || "—",
                String(r.versions.reduce((sum, v) => sum + v.events, 0)),
                String(r.versions.reduce((sum, v) => sum + v.labels, 0)),
                r.reasons.map((x) => x.message).join("; ") || "—",
              ]),
            },
          ],
  };
  const versions = [...new Set(reports.flatMap((r) => r.versions.map((v) => v.version)))].sort();
  const perVersion = (pick: (v: HealthReport["versions"][number]) => number | null) =>
    versions.map((name) => ({
      name: `version ${name}`,
      points: reports.map((r) => {
        const v = r.versions.find((x) => x.version === name);
        return { x: r.from, y: v === undefined ? null : pick(v), label: timeText(r.from) };
      }),
    }));
  // The newest report with a version in it: later ones (after the last window) have none.
  const withData = [...reports].reverse().find((r) => r.versions.length > 0);
  const metric = withData?.versions[0]?.quality;
  const trends: Section = {
    id: "trends",
    heading: "Quality and volume over the period",
    sources: [
      listSource,
      ...(reports.length > 0
        ? [{ ref: `GET /v1/models/${m}/reports/{id}`, detail: "versions[].quality, events" }]
        : []),
    ],
    blocks:
      reports.length === 0 || versions.length === 0
        ? [{ kind: "paragraph", text: "No version had windows in the period." }]
        : [
            {
              kind: "chart",
              title: `${metric?.metric ?? "quality"} per report`,
              x: "period start",
              y: metric?.metric ?? "quality",
              style: "line",
              ...(metric === undefined ? {} : { guides: [{ label: "threshold", y: metric.threshold }] }),
              series: perVersion((v) => v.quality.value),
            },
            {
              kind: "chart",
              title: "Events per report",
              x: "period start",
              y: "events",
              style: "line",
              series: perVersion((v) => v.events),
            },
          ],
  };
  const sections: Section[] = [summary, periods, trends];
  if (newest !== undefined)
    sections.push(latest(newest, reportSource(newest), withData ?? newest, reportSource(withData ?? newest)));
  return {
    kind: "health-report",
    title: `Health report: ${input.model}, ${rangeText(fromMs, toMs)}`,
    summary: `${reports.length} stored report(s); newest status ${newest?.status ?? "—"}.`,
    generated: new Date(generatedMs).toISOString(),
    sections,
  };
}

function latest(r: HealthReport, source: Source, data: HealthReport, dataSource: Source): Section {
  const blocks: Block[] = [
    {
      kind: "facts",
      facts: [
        { label: "Period", value: rangeText(r.from, r.to) },
        { label: "Status", value: r.status },
        { label: "Generated", value: timeText(r.generatedMs) },
      ],
    },
    r.reasons.length === 0
      ? { kind: "paragraph", text: "No reason to worry was found." }
      : { kind: "paragraph", text: "Why it has this status:" },
    ...(r.reasons.length === 0
      ? []
      : [
          { kind: "list", items: r.reasons.map((x) => `${x.severity}: ${x.message} (${x.source})`) } as const,
        ]),
    r.alerts.length === 0
      ? { kind: "paragraph", text: "No alert fired for this period's windows." }
      : { kind: "list", items: r.alerts.map((a) => `Alert ${a.alertname} (${a.severity}): ${a.summary}`) },
  ];
  return {
    id: "latest",
    heading: "The newest report in detail",
    sources: [source],
    blocks,
    // Per version: of this report, or, when it has no window, of the newest report that has one.
    subsections: data.versions.map((v) => ({
      id: `latest-version-${v.version.replace(/[^A-Za-z0-9_-]/g, "-")}`,
      heading: `Version ${v.version} in ${rangeText(data.from, data.to)}`,
      sources: [{ ...dataSource, detail: `versions[version=${v.version}]` }],
      blocks: [
        {
          kind: "facts",
          facts: [
            { label: "Windows", value: String(v.windows) },
            { label: "Events", value: String(v.events) },
            { label: "Labels", value: String(v.labels) },
            {
              label: v.quality.metric,
              value: `${formatNumber(v.quality.value)} (threshold ${formatNumber(v.quality.threshold)}, ${v.quality.direction})`,
            },
            ...(v.estimated?.accuracy
              ? [
                  {
                    label: "Estimated accuracy (label-free)",
                    value: `${formatNumber(v.estimated.accuracy.estimate)} [${formatNumber(v.estimated.accuracy.lower)}, ${formatNumber(v.estimated.accuracy.upper)}]`,
                  },
                ]
              : []),
            {
              label: "Latency p50 / p95 / p99",
              value: `${formatNumber(v.latency.p50)} / ${formatNumber(v.latency.p95)} / ${formatNumber(v.latency.p99)} ms`,
            },
            { label: "Worst drift", value: v.drift.worst ?? "not compared" },
            {
              label: "Columns critical or worse",
              value:
                v.drift.columns.length === 0
                  ? "none"
                  : v.drift.columns.map((c) => `${c.column} (${c.windows} window(s))`).join(", "),
            },
          ],
        },
        ...(v.fairness === null ? [] : fairnessBlocks(v.fairness as FairnessReport)),
      ],
    })),
  };
}
