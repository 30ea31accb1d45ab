import type { CandidateEntry, OptimizationReport } from "../optimizer/report-types.js";
import type { Block, ChartPoint, ReportDocument, Section, Source } from "./document.js";
import { timeText } from "./document.js";
import { formatNumber } from "./format.js";

/**
 * What an optimization report is built from: the run's JSON (`tiktoktoe optimize --format json`),
 * where it was read, and, when the chosen candidate was registered, as which version.
 *
 * @example
 * ```ts
 * const input: OptimizationDocInput = { report, source: { ref: "file: out/report.json" } };
 * ```
 */
export interface OptimizationDocInput {
  readonly report: OptimizationReport;
  readonly source: Source;
  /** The version `--deploy` registered (GET /v1/models/{m}/versions shows it with meta.report). */
  readonly deployed?: { readonly model: string; readonly version: string; readonly timeMs?: number };
}

/**
 * The optimization report as a document: the run's settings, the baseline and every candidate
 * (metric, latency, size, acceptance decision with its reasons, objective score), what was chosen
 * and what was deployed. Pure.
 *
 * @example
 * ```ts
 * const doc = buildOptimizationDoc({ report, source: { ref: "file: report.json" } }, Date.now());
 * ```
 */
export function buildOptimizationDoc(input: OptimizationDocInput, generatedMs: number): ReportDocument {
  const { report, source } = input;
  const metricName = report.metric === "mae" ? "MAE" : "accuracy";
  const dropName = report.metric === "mae" ? "MAE rise" : "accuracy drop";
  const batches = report.latency_settings.batch_sizes;
  const b1 = `batch_${batches[0] ?? 1}`;
  const models: Array<{ id: string; entry: OptimizationReport["baseline"] | CandidateEntry }> = [
    { id: "baseline", entry: report.baseline },
    ...report.candidates.map((c) => ({ id: c.id, entry: c })),
  ];
  const bars = (pick: (e: (typeof models)[number]["entry"]) => number | null | undefined): ChartPoint[] =>
    models.map((m, i) => ({ x: i, y: pick(m.entry) ?? null, label: m.id }));
  const accepted = report.candidates.filter((c) => c.accepted);
  const chosen = report.candidates.find((c) => c.id === report.chosen_id);
  const run: Section = {
    id: "run",
    heading: "The run",
    sources: [source],
    blocks: [
      {
        kind: "facts",
        facts: [
          { label: "Model", value: report.model },
          { label: "Data", value: `${report.data} (${report.rows} rows)` },
          { label: "Task and metric", value: `${report.task}, ${metricName}` },
          { label: "Cross-validation", value: `${report.folds} folds, seed ${report.seed}` },
          {
            label: "Input",
            value: `${report.input.name} [${report.input.shape.map((d) => (d < 0 ? "batch" : d)).join(", ")}]`,
          },
          { label: "CPU", value: `${report.cpu.description}; int8: ${report.cpu.int8}` },
          {
            label: "Latency measurement",
            value: `${report.latency_settings.threads} thread(s), ${report.latency_settings.warmups} warm-ups, ${report.latency_settings.rounds} rounds × ${report.latency_settings.runs_per_round} runs, batch sizes ${batches.join(", ")}; ${report.latency_settings.statistic}`,
          },
        ],
      },
    ],
  };
  const rules: Section = {
    id: "acceptance",
    heading: "Acceptance rules and objective",
    sources: [{ ...source, detail: "acceptance, objective" }],
    blocks: [
      {
        kind: "facts",
        facts: [
          {
            label: `Largest ${dropName}`,
            value: `${formatNumber(report.acceptance.accuracy_drop_limit)} (${report.acceptance.drop}${report.acceptance.require_upper_bound ? "; the one-sided 95% upper bound too" : ""})`,
          },
          {
            label: "Smallest latency improvement",
            value: `${formatNumber(report.acceptance.latency_improvement * 100)}%`,
          },
          {
            label: "Objective",
            value: `${formatNumber(report.objective.accuracy_weight)} × metric term (target ${formatNumber(report.objective.accuracy_target)}) + ${formatNumber(report.objective.latency_weight)} × latency term (target ${formatNumber(report.objective.latency_target_ms)} ms) + ${formatNumber(report.objective.resource_weight)} × size term; 0 when rejected`,
          },
        ],
      },
    ],
  };
  const p = (e: (typeof models)[number]["entry"], key: "p50" | "p99") => e.latency_ms[b1]?.[key];
  const table: Block = {
    kind: "table",
    columns: [
      "model",
      metricName,
      dropName,
      "upper bound",
      `p50 ms (${b1.replace("_", " ")})`,
      `p99 ms (${b1.replace("_", " ")})`,
      "speedup",
      "size (bytes)",
      "score",
      "decision",
    ],
    numeric: [false, true, true, true, true, true, true, true, true, false],
    rows: models.map(({ id, entry }) => {
      const c = "accepted" in entry ? entry : null;
      return [
        id,
        formatNumber(entry.accuracy),
        formatNumber(entry.accuracy_drop),
        c === null ? "—" : formatNumber(c.accuracy_drop_ci?.upper_one_sided),
        formatNumber(p(entry, "p50")),
        formatNumber(p(entry, "p99")),
        `${formatNumber(entry.speedup)}×`,
        String(entry.size_bytes),
        formatNumber(entry.score),
        c === null ? "baseline" : c.id === report.chosen_id ? "chosen" : c.accepted ? "accepted" : "rejected",
      ];
    }),
  };
  const candidates: Section = {
    id: "candidates",
    heading: "Baseline and candidates",
    sources: [{ ...source, detail: "baseline, candidates" }],
    blocks: [
      table,
      {
        kind: "chart",
        title: "Objective score per model (0: rejected)",
        x: "model",
        y: "score",
        style: "bar",
        series: [{ name: "score", points: bars((e) => e.score) }],
      },
      {
        kind: "chart",
        title: `${metricName} per model`,
        x: "model",
        y: metricName,
        style: "bar",
        series: [{ name: metricName, points: bars((e) => e.accuracy) }],
      },
      {
        kind: "chart",
        title: `Latency p50 per model, ${b1.replace("_", " ")} (ms)`,
        x: "model",
        y: "ms",
        style: "bar",
        series: [{ name: "p50", points: bars((e) => p(e, "p50")) }],
      },
      ...(report.skipped.length === 0
        ? []
        : [
            { kind: "paragraph", text: "Techniques that produced no candidate:" } as const,
            { kind: "list", items: report.skipped.map((s) => `${s.technique}: ${s.reason}`) } as const,
          ]),
    ],
    subsections: report.candidates.map((c) => candidateSection(c, source, dropName)),
  };
  const decision: Section = {
    id: "decision",
    heading: "Decision",
    sources: [{ ...source, detail: "chosen, chosen_id" }],
    blocks: [
      {
        kind: "facts",
        facts: [
          { label: "Accepted", value: `${accepted.length} of ${report.candidates.length} candidate(s)` },
          {
            label: "Chosen",
            value:
              chosen === undefined
                ? "nothing: no candidate passed the acceptance rules; the baseline stays"
                : `${chosen.id} (${chosen.label}), score ${formatNumber(chosen.score)}${report.chosen === null ? "" : `, written to ${report.chosen}`}`,
          },
          {
            label: "Deployed",
            value:
              input.deployed === undefined
                ? "not recorded here (tiktoktoe optimize --deploy registers the chosen candidate as a version whose meta.report names this report)"
                : `version ${input.deployed.version} of model ${input.deployed.model}${input.deployed.timeMs === undefined ? "" : `, registered ${timeText(input.deployed.timeMs)}`}`,
          },
        ],
      },
    ],
  };
  return {
    kind: "optimization-report",
    title: `Optimization report: ${report.model}`,
    summary: `${report.candidates.length} candidate(s) against the baseline on ${report.rows} rows; ${accepted.length} accepted; ${chosen === undefined ? "none chosen" : `${chosen.id} chosen`}.`,
    generated: new Date(generatedMs).toISOString(),
    sections: [run, rules, candidates, decision],
  };
}

function candidateSection(c: CandidateEntry, source: Source, dropName: string): Section {
  const ci = c.accuracy_drop_ci;
  return {
    id: `candidate-${c.id.replace(/[^A-Za-z0-9_-]/g, "-")}`,
    heading: `Candidate ${c.id}`,
    sources: [{ ...source, detail: `candidates[id=${c.id}]` }],
    blocks: [
      {
        kind: "facts",
        facts: [
          { label: "Technique", value: `${c.technique}: ${c.label}` },
          { label: "Decision", value: c.accepted ? "accepted" : "rejected" },
          {
            label: dropName,
            value:
              ci === null
                ? formatNumber(c.accuracy_drop)
                : `${formatNumber(c.accuracy_drop)} (${formatNumber(ci.confidence * 100)}% interval ${formatNumber(ci.lower)} to ${formatNumber(ci.upper)}; one-sided upper bound ${formatNumber(ci.upper_one_sided)})`,
          },
          { label: "Speedup", value: `${formatNumber(c.speedup)}×` },
          { label: "Size", value: `${c.size_bytes} bytes` },
          {
            label: "Score",
            value: `${formatNumber(c.score)} (terms: metric ${formatNumber(c.score_terms.accuracy)}, latency ${formatNumber(c.score_terms.latency)}, size ${formatNumber(c.score_terms.resource)})`,
          },
          {
            label: "Agreement with the baseline",
            value: `relative RMSE ${formatNumber(c.agreement.relative_rmse)}, max abs error ${formatNumber(c.agreement.max_abs_error)}${c.agreement.top1 === null ? "" : `, top-1 ${formatNumber(c.agreement.top1)}`}`,
          },
          ...(c.path === null ? [] : [{ label: "File", value: c.path }]),
        ],
      },
      ...(c.reasons.length > 0
        ? [
            { kind: "paragraph", text: "Rejected because:" } as const,
            { kind: "list", items: c.reasons } as const,
          ]
        : [{ kind: "paragraph", text: "Every acceptance rule passed." } as const]),
      ...(c.notes.length > 0 ? [{ kind: "list", items: c.notes.map((n) => `Note: ${n}`) } as const] : []),
    ],
  };
}
