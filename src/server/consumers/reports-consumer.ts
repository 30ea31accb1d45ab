import type { Store } from "../../store/index.js";
import { type ChangeFeed, type HealthReports, reportCollection } from "../read-models/index.js";
import type { ModelRegistry, ModelRuntime } from "../registry/index.js";

/** Options of {@link ReportsConsumer}. */
export interface ReportsConsumerOptions {
  readonly store: Store;
  readonly registry: ModelRegistry;
  readonly reports: HealthReports;
  readonly changes: ChangeFeed;
}

/**
 * Writes each model's health report when a reporting period ends on its clock. Its checkpoint is the
 * newest stored report (a document per period, keyed by the period): a crash before the write
 * leaves the period unreported, and the next flush after the restart writes it.
 *
 * @example
 * ```ts
 * for (const runtime of registry.all()) await reports.reportIfDue(runtime);
 * ```
 */
export class ReportsConsumer {
  /** End of the last reporting period reported, per model (loaded from the store on first use). */
  private readonly lastReportEnd = new Map<string, number>();

  constructor(private readonly options: ReportsConsumerOptions) {}

  /**
   * Stores the report of the last completed reporting period (`reporting.frequency`, aligned on the
   * model's clock) if it is not stored yet. A replay that jumps ahead reports only the newest period:
   * reports are for reading, and hundreds of back-filled ones would only bury it.
   */
  async reportIfDue(runtime: ModelRuntime): Promise<void> {
    const clockNow = this.options.registry.clockNow(runtime);
    if (!Number.isFinite(clockNow)) return;
    const frequency = runtime.settings.reporting.frequency;
    const periodEnd = Math.floor(clockNow / frequency) * frequency;
    const collection = reportCollection(runtime.record.name);
    const model = runtime.record.name;
    let lastReportEnd = this.lastReportEnd.get(model);
    if (lastReportEnd === undefined) {
      const latest = await this.options.store.listDocuments(
        collection,
        periodEnd - frequency,
        Number.POSITIVE_INFINITY,
        1,
      );
      lastReportEnd = latest.length > 0 ? latest[0]!.timeMs : Number.NEGATIVE_INFINITY;
      this.lastReportEnd.set(model, lastReportEnd);
    }
    if (lastReportEnd >= periodEnd) return;
    const report = await this.options.reports.healthReportNow(
      runtime.record.name,
      periodEnd - frequency,
      periodEnd,
    );
    // Before the model's first window there is nothing to report on (a later silence is reported).
    if (report.versions.length === 0 && lastReportEnd === Number.NEGATIVE_INFINITY) {
      const earlier = await this.options.store.getWindows(
        runtime.record.name,
        Number.NEGATIVE_INFINITY,
        periodEnd,
      );
      if (earlier.length === 0) {
        this.lastReportEnd.set(model, periodEnd);
        return;
      }
    }
    await this.options.store.putDocument({
      collection,
      key: report.id,
      timeMs: periodEnd,
      body: JSON.stringify(report),
    });
    this.lastReportEnd.set(model, periodEnd);
    this.options.changes.announce({
      type: "report",
      model: runtime.record.name,
      id: report.id,
      status: report.status,
    });
  }
}
