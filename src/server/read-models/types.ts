import type { Severity } from "../../drift/index.js";
import type { FairnessReport } from "../../fairness/index.js";
import type { CbpeResult } from "../../metrics/index.js";
import type { ModelHealth } from "../../monitor/health.js";
import type { LatencySummary, WindowVerdict } from "../../monitor/index.js";
import type { ModelSeries } from "../../monitor/series.js";
import type { ReferenceQualityAnswer } from "../reference-quality.js";

/** A window as listed by the API. */
export interface WindowSummary {
  readonly model: string;
  readonly version: string;
  readonly start: string;
  readonly end: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly [key: string]: unknown;
}

/** A change the dashboard's live stream announces (see server/live.ts). */
export type ServiceChange =
  | {
      readonly type: "window";
      readonly model: string;
      readonly version: string;
      readonly startMs: number;
      readonly final: boolean;
    }
  | { readonly type: "report"; readonly model: string; readonly id: string; readonly status: string }
  | {
      readonly type: "alert";
      readonly fingerprint: string;
      readonly status: "firing" | "resolved";
      readonly state: string;
      readonly labels: Readonly<Record<string, string>>;
    };

/** The model page's data: series and heat maps over a range, with the thresholds to draw. */
export interface SeriesAnswer extends ModelSeries {
  readonly model: string;
  readonly task: string;
  readonly windowMs: number;
  readonly quality: { readonly metric: string; readonly threshold: number; readonly direction: string };
  readonly latency: { readonly percentile: number; readonly thresholdMs: number };
  readonly versionList: string[];
  /**
   * The quality metric on each answered version's reference (computed at the reference upload from
   * its prediction and target columns): the chart's baseline. Versions without one are left out.
   */
  readonly referenceQuality: ReferenceQualityAnswer[];
  /** The model's clock (event time in replays), which relative ranges count back from. */
  readonly now: number;
  readonly from: number | null;
  readonly to: number | null;
}

/** A model's health over a reporting period (stored at each `reporting.frequency`). */
export interface HealthReport {
  /** The period's start, ISO 8601: unique per model. */
  readonly id: string;
  readonly model: string;
  readonly task: string;
  readonly from: number;
  readonly to: number;
  /** The length of the windows the period draws on (`monitor.window`), which may exceed the period. */
  readonly windowMs?: number;
  readonly generatedMs: number;
  readonly status: ModelHealth["status"];
  readonly reasons: ModelHealth["reasons"];
  readonly versions: Array<{
    readonly version: string;
    readonly windows: number;
    readonly events: number;
    readonly labels: number;
    readonly quality: { metric: string; value: number | null; threshold: number; direction: string };
    readonly estimated: CbpeResult | null;
    readonly latency: LatencySummary;
    readonly drift: { worst: Severity | null; columns: Array<{ column: string; windows: number }> };
    readonly fairness: FairnessReport | null;
    readonly verdicts: WindowVerdict[];
    readonly chart: {
      start: number[];
      quality: Array<number | null>;
      p99: Array<number | null>;
      events: number[];
    };
  }>;
  readonly alerts: Array<{ alertname: string; severity: string; summary: string }>;
}

/** One model on the overview page. */
export interface OverviewModel {
  readonly name: string;
  readonly task: string;
  readonly now: number;
  readonly windowMs: number;
  readonly health: ModelHealth;
  readonly quality: { readonly metric: string; readonly threshold: number; readonly direction: string };
  /** The newest window with a quality value. */
  readonly last: { readonly version: string; readonly startMs: number; readonly value: number | null } | null;
  readonly firing: number;
  /** Quality of the newest version's last windows, oldest first. */
  readonly sparkline: {
    readonly version: string;
    readonly start: number[];
    readonly value: Array<number | null>;
  };
}
