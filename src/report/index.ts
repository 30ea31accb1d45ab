export { effectText, formatNumber, verdictText } from "./format.js";
export { escapeHtml, renderDriftHtml } from "./html.js";
export { renderDriftMarkdown } from "./markdown.js";
export { renderDriftTable } from "./table.js";

import type { DriftReport } from "../drift/index.js";
import { renderDriftHtml } from "./html.js";
import { renderDriftMarkdown } from "./markdown.js";
import { renderDriftTable } from "./table.js";

/** Output formats of a drift report. */
export type ReportFormat = "table" | "json" | "html" | "markdown";

/** The formats, as the CLI lists them. */
export const reportFormats: readonly ReportFormat[] = ["table", "json", "html", "markdown"];

/**
 * Renders a drift report in one of the formats. JSON keeps every number at full double precision.
 *
 * @example
 * ```ts
 * renderDriftReport(report, "json");
 * ```
 */
export function renderDriftReport(
  report: DriftReport,
  format: ReportFormat,
  options: { readonly color?: boolean } = {},
): string {
  switch (format) {
    case "json":
      return `${JSON.stringify(report, null, 2)}\n`;
    case "html":
      return renderDriftHtml(report);
    case "markdown":
      return renderDriftMarkdown(report);
    case "table":
      return renderDriftTable(report, options);
  }
}
