import type { DriftReport } from "../drift/index.js";
import { effectText, excludedLines, formatNumber, verdictText } from "./format.js";

/**
 * A drift report as a Markdown document (for pull requests and wikis).
 *
 * @example
 * ```ts
 * writeFileSync("drift.md", renderDriftMarkdown(report));
 * ```
 */
export function renderDriftMarkdown(report: DriftReport): string {
  const escapeCell = (text: string) => text.replace(/[|\\`*_]/g, (c) => `\\${c}`);
  const lines = [
    "# Drift report",
    "",
    `**Dataset severity: ${report.severity}** — ${report.drifted_columns} drifted column(s), ` +
      `${formatNumber(report.share * 100)}% of the features; dataset drift: ${report.dataset_drift ? "yes" : "no"}.`,
    "",
    report.tests > 0
      ? `${report.tests} feature tests at α = ${report.alpha} with ${report.correction} correction (threshold ${formatNumber(report.families.feature.threshold)}).`
      : `Method: ${report.method}.`,
    ...(excludedLines(report).length > 0
      ? [
          "",
          "Not tested (left out of the correction too):",
          ...excludedLines(report).map((l) => `- ${escapeCell(l)}`),
        ]
      : []),
    ...(report.reference && report.current
      ? [
          "",
          `Reference: \`${report.reference.source}\` (${report.reference.rows} rows) · current: \`${report.current.source}\` (${report.current.rows} rows)`,
        ]
      : []),
    "",
    "| column | type | dimension | method | statistic | test / distance | effect size | severity |",
    "|---|---|---|---|---:|---|---|---|",
    ...report.columns.map(
      (c) =>
        `| ${escapeCell(c.column)} | ${c.type} | ${c.dimension} | ${c.method}${c.effect_size_method ? ` + ${c.effect_size_method}` : ""} | ` +
        `${formatNumber(c.statistic)} | ${verdictText(c)} | ${effectText(c)} | ${c.severity === "ok" ? "ok" : `**${c.severity}**`} |`,
    ),
    "",
  ];
  return lines.join("\n");
}
