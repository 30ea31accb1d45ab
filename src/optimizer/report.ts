import type { ProductionSection } from "./production.js";
import type { CandidateEntry, OptimizationReport } from "./report-types.js";

/**
 * The formats `optimize` writes.
 *
 * @example
 * ```ts
 * const format: OptimizationReportFormat = "markdown";
 * ```
 */
export type OptimizationReportFormat = "table" | "json" | "markdown";

/** Every {@link OptimizationReportFormat}, for option checking. */
export const optimizationReportFormats: readonly OptimizationReportFormat[] = ["table", "json", "markdown"];

/**
 * Renders the report: `json` is the contract (NaN and ±∞ written as null), `table` a terminal
 * summary, `markdown` the same for a pull request or a model card. Every format names the CPU's int8
 * features, the latency settings, the acceptance rules, each rejection's reasons and the choice.
 *
 * @example
 * ```ts
 * process.stdout.write(renderOptimizationReport(report, "table"));
 * ```
 */
export function renderOptimizationReport(
  report: OptimizationReport,
  format: OptimizationReportFormat,
): string {
  if (format === "json")
    return `${JSON.stringify(report, (_key, value) => (typeof value === "number" && !Number.isFinite(value) ? null : value), 2)}\n`;
  const md = format === "markdown";
  const lines: string[] = [];
  const metricName = report.metric === "mae" ? "MAE" : "accuracy";
  const dropName = report.metric === "mae" ? "MAE rise" : "drop";
  lines.push(md ? `# Optimization report: ${report.model}` : `Optimization report: ${report.model}`);
  lines.push("");
  if (report.production !== undefined) lines.push(...productionLines(report.production, md));
  const facts = [
    `data: ${report.data} (${report.rows} rows, ${report.task}, metric ${metricName}, ${report.folds}-fold cross-validation, seed ${report.seed})`,
    `input: "${report.input.name}" [${report.input.shape.map((d) => (d < 0 ? "batch" : d)).join(", ")}], output "${report.output}"`,
    `CPU: ${report.cpu.int8}`,
    `latency: onnxruntime-node, ${report.latency_settings.threads} intra-op thread${report.latency_settings.threads === 1 ? "" : "s"}, ${report.latency_settings.warmups} warm-ups, ${report.latency_settings.rounds} interleaved rounds × ${report.latency_settings.runs_per_round} runs per batch size (${report.latency_settings.batch_sizes.join(", ")}); ${report.latency_settings.statistic}`,
    `acceptance: ${dropName} ≤ ${report.acceptance.accuracy_drop_limit} (${report.acceptance.drop}${report.acceptance.require_upper_bound ? ", mean and one-sided 95% upper bound" : ", mean"}), latency improvement ≥ ${(report.acceptance.latency_improvement * 100).toFixed(0)}%`,
    `objective: ${report.objective.accuracy_weight}·min(1, ${report.metric === "mae" ? "MAE_base/MAE" : `accuracy/${report.objective.accuracy_target}`}) + ${report.objective.latency_weight}·min(1, ${report.objective.latency_target_ms} ms/p95) + ${report.objective.resource_weight}·(1 − size/size_base), 0 when rejected`,
  ];
  for (const f of facts) lines.push(md ? `- ${f}` : `  ${f}`);
  lines.push("");
  const batches = report.latency_settings.batch_sizes;
  const header = [
    "model",
    metricName,
    dropName,
    `95% CI`,
    ...batches.flatMap((b) => [`p50 b${b} ms`, `p99 b${b} ms`]),
    "speedup",
    "size",
    "score",
    "verdict",
  ];
  const b = report.baseline;
  const rows: string[][] = [
    [
      "baseline",
      fmt(b.accuracy),
      "0",
      "",
      ...batches.flatMap((n) => [fmt(b.latency_ms[`batch_${n}`]?.p50), fmt(b.latency_ms[`batch_${n}`]?.p99)]),
      "1.00×",
      bytes(b.size_bytes),
      fmt(b.score),
      "",
    ],
    ...report.candidates.map((c) => candidateRow(c, batches, report.chosen_id)),
  ];
  lines.push(...(md ? markdownTable(header, rows) : textTable(header, rows)));
  lines.push("");
  for (const c of report.candidates) {
    const heading = `${c.id}: ${c.label}${c.path === null ? "" : ` → ${c.path}`}`;
    lines.push(md ? `### ${heading}` : heading);
    const detail = [
      ...(c.accepted ? ["accepted"] : c.reasons.map((r) => `rejected: ${r}`)),
      ...c.notes.map((n) => `note: ${n}`),
      `agreement with the baseline: relative RMSE ${fmt(c.agreement.relative_rmse)}${c.agreement.top1 === null ? "" : `, top-1 ${fmt(c.agreement.top1)}`}`,
    ];
    for (const d of detail) lines.push(md ? `- ${d}` : `  - ${d}`);
    if (md) lines.push("");
  }
  if (report.skipped.length > 0) {
    lines.push(md ? "## Skipped" : "Skipped:");
    for (const s of report.skipped)
      lines.push(md ? `- ${s.technique}: ${s.reason}` : `  - ${s.technique}: ${s.reason}`);
    lines.push("");
  }
  lines.push(
    report.chosen === null
      ? `Chosen: none — no candidate passed the acceptance rules${report.candidates.length === 0 ? " (no candidates)" : ""}.`
      : `Chosen: ${report.chosen_id} (${report.chosen}).`,
  );
  return `${lines.join("\n")}\n`;
}

function candidateRow(c: CandidateEntry, batches: readonly number[], chosen: string | null): string[] {
  const ci = c.accuracy_drop_ci;
  return [
    c.id,
    fmt(c.accuracy),
    fmt(c.accuracy_drop),
    ci === null ? "n/a" : `[${fmt(ci.lower)}, ${fmt(ci.upper)}]`,
    ...batches.flatMap((n) => [fmt(c.latency_ms[`batch_${n}`]?.p50), fmt(c.latency_ms[`batch_${n}`]?.p99)]),
    `${c.speedup.toFixed(2)}×`,
    bytes(c.size_bytes),
    fmt(c.score),
    c.id === chosen ? "chosen" : c.accepted ? "accepted" : "rejected",
  ];
}

function fmt(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return "n/a";
  if (value === 0) return "0";
  const abs = Math.abs(value);
  return abs >= 100 ? value.toFixed(1) : abs >= 1 ? value.toFixed(3) : value.toPrecision(3);
}

function bytes(n: number): string {
  return n >= 1 << 20
    ? `${(n / (1 << 20)).toFixed(2)} MiB`
    : n >= 1024
      ? `${(n / 1024).toFixed(1)} KiB`
      : `${n} B`;
}

function textTable(header: readonly string[], rows: readonly string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)];
}

function markdownTable(header: readonly string[], rows: readonly string[][]): string[] {
  const esc = (c: string) => c.replace(/\|/g, "\\|");
  return [
    `| ${header.map(esc).join(" | ")} |`,
    `|${header.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`,
    ...rows.map((r) => `| ${r.map(esc).join(" | ")} |`),
  ];
}

/** The "Production vs objectives" section that opens a report on a served version. */
function productionLines(p: ProductionSection, md: boolean): string[] {
  const lines = [md ? "## Production vs objectives" : "Production vs objectives"];
  const metric = p.metric === "mae" ? "MAE" : "accuracy";
  const facts = [
    `${p.server}: model "${p.model}" version "${p.version}"`,
    p.quality === null
      ? `${metric}: no labelled window`
      : `${metric}: ${fmt(p.quality.value)} (window ${p.quality.window}, ${p.quality.labels} labels)`,
    p.latency_p99_ms === null
      ? "p99 latency: no latencies in the windows"
      : `p99 latency: ${fmt(p.latency_p99_ms.value)} ms (window ${p.latency_p99_ms.window}, ${p.latency_p99_ms.count} events)`,
    `validation rows: ${p.data.reference_rows} from the reference, ${p.data.labelled_rows} labelled events${p.data.skipped > 0 ? ` (${p.data.skipped} left out)` : ""}`,
  ];
  for (const f of facts) lines.push(md ? `- ${f}` : `  ${f}`);
  lines.push("");
  const header = ["objective", "target", "production", "met", "optimized for", "note"];
  const rows = p.objectives.map((o) => [
    o.name,
    o.target === null
      ? "n/a"
      : o.target === "minimize"
        ? "minimize"
        : o.name === "latency"
          ? `${o.target} ms`
          : String(o.target),
    o.production === null ? "n/a" : `${fmt(o.production)}${o.name === "latency" ? " ms" : ""}`,
    o.met === null ? "n/a" : o.met ? "yes" : "no",
    o.targeted ? "yes" : "no",
    o.note,
  ]);
  lines.push(...(md ? markdownTable(header, rows) : textTable(header, rows)));
  lines.push("", `The optimization is for: ${p.optimization_for.join(", ")}.`, "");
  return lines;
}
