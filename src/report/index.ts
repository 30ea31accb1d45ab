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

// Documents (issue #17): model cards, optimization, learning-update and health reports — one content
// model, rendered to Markdown and to self-contained HTML.
export {
  allSections,
  type Block,
  type ChartPoint,
  type ChartSeries,
  type DocumentFormat,
  type DocumentKind,
  documentFormats,
  documentMediaTypes,
  type Fact,
  type ReportDocument,
  rangeText,
  type Section,
  type Source,
  timeText,
} from "./document.js";
export { fairnessBlocks } from "./fairness-blocks.js";
export { buildHealthDoc, gatherHealth, type HealthDocInput, type HealthSource } from "./health-doc.js";
export { buildLearningDoc, type LearningUpdate } from "./learning-doc.js";
export {
  buildModelCard,
  type CardSource,
  gatherModelCard,
  type ModelCardInput,
  productionWindow,
  type QualitySpec,
  type VersionEvent,
  versionEventsFromDeployment,
} from "./model-card.js";
export { buildOptimizationDoc, type OptimizationDocInput } from "./optimization-doc.js";
export { renderDocumentHtml } from "./render-html.js";
export { renderDocumentMarkdown } from "./render-markdown.js";

import type { DocumentFormat, ReportDocument } from "./document.js";
import { renderDocumentHtml } from "./render-html.js";
import { renderDocumentMarkdown } from "./render-markdown.js";

/**
 * Renders a document in one of its formats.
 *
 * @example
 * ```ts
 * renderDocument(card, "html");
 * ```
 */
export function renderDocument(document: ReportDocument, format: DocumentFormat): string {
  return format === "html" ? renderDocumentHtml(document) : renderDocumentMarkdown(document);
}
