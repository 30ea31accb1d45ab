export { ChangeFeed } from "./changes.js";
export { windowGauges } from "./gauges.js";
export { type AttributionOf, HealthReports, type HealthReportsOptions } from "./health-reports.js";
export { Overview, type OverviewOptions } from "./overview.js";
export { concerns, reportCollection } from "./shape.js";
export type { HealthReport, OverviewModel, SeriesAnswer, ServiceChange, WindowSummary } from "./types.js";
export { WindowReads, type WindowReadsOptions } from "./window-reads.js";
