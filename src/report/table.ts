import type { DriftReport, Severity } from "../drift/index.js";
import { effectText, excludedLines, formatNumber, verdictText } from "./format.js";

const COLORS: Record<Severity, string> = { ok: "32", warning: "33", critical: "31", emergency: "1;37;41" };

/**
 * A drift report as an aligned text table for a terminal, worst columns first.
 *
 * @example
 * ```ts
 * process.stdout.write(renderDriftTable(report, { color: process.stdout.isTTY }));
 * ```
 */
export function renderDriftTable(report: DriftReport, options: { readonly color?: boolean } = {}): string {
  const paint = (severity: Severity, text: string) =>
    options.color ? `\u001b[${COLORS[severity]}m${text}\u001b[0m` : text;
  const rank: Record<Severity, number> = { emergency: 3, critical: 2, warning: 1, ok: 0 };
  const columns = [...report.columns].sort(
    (a, b) =>
      rank[b.severity] - rank[a.severity] || (b.effect_size ?? b.statistic) - (a.effect_size ?? a.statistic),
  );
  const header = [
    "column",
    "type",
    "dimension",
    "method",
    "statistic",
    "test / distance",
    "effect size",
    "severity",
  ];
  const rows = columns.map((c) => [
    c.column,
    c.type,
    c.dimension,
    c.method + (c.effect_size_method === undefined ? "" : `+${c.effect_size_method}`),
    formatNumber(c.statistic),
    verdictText(c),
    effectText(c),
    c.severity,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  const body = rows.map((r, i) => {
    const text = line(r);
    const severity = columns[i]!.severity;
    return severity === "ok" ? text : text.replace(new RegExp(`${severity}$`), paint(severity, severity));
  });
  const features = report.columns.filter((c) => c.dimension === "feature").length;
  const summary = [
    `Dataset severity: ${paint(report.severity, report.severity.toUpperCase())}` +
      ` — ${report.drifted_columns} drifted column(s); ${formatNumber(report.share * 100)}% of ${features} features.`,
    report.tests > 0
      ? `Tests: ${report.tests} feature tests at α = ${report.alpha}, ${report.correction} → threshold ${formatNumber(report.families.feature.threshold)}.`
      : `Method: ${report.method} (distances; no significance test).`,
    ...excludedLines(report).map((line) => `Not tested: ${line}.`),
    ...(report.reference && report.current
      ? [
          `Reference: ${report.reference.source} (${report.reference.rows} rows); current: ${report.current.source} (${report.current.rows} rows).`,
        ]
      : []),
  ];
  return `${[line(header), line(widths.map((w) => "-".repeat(w))), ...body].join("\n")}\n\n${summary.join("\n")}\n`;
}
