/**
 * The dashboard's view of the HTTP API. Types are declared here, not imported from the server: the
 * UI only ever talks HTTP (src/architecture.test.ts keeps it that way).
 */

export type Severity = "ok" | "warning" | "critical" | "emergency";
export type Health = Severity | "no_data";

export interface HealthReason {
  readonly source: string;
  readonly severity: Severity;
  readonly message: string;
}

export interface OverviewModel {
  readonly name: string;
  readonly task: string;
  readonly now: number;
  readonly windowMs: number;
  readonly health: { readonly status: Health; readonly reasons: HealthReason[] };
  readonly quality: { readonly metric: string; readonly threshold: number; readonly direction: string };
  readonly last: { readonly version: string; readonly startMs: number; readonly value: number | null } | null;
  readonly firing: number;
  readonly sparkline: {
    readonly version: string;
    readonly start: number[];
    readonly value: Array<number | null>;
  };
}

export interface Overview {
  readonly now: number;
  readonly models: OverviewModel[];
  readonly alerts: { readonly firing: number; readonly suppressed: number };
}

export interface VersionSeries {
  readonly version: string;
  readonly start: number[];
  readonly end: number[];
  readonly quality: Array<number | null>;
  readonly p50: Array<number | null>;
  readonly p95: Array<number | null>;
  readonly p99: Array<number | null>;
  readonly events: number[];
  readonly labels: number[];
  readonly coverage: Array<number | null>;
  readonly severity: number[];
  readonly windows: number[];
  readonly impactRatio: Record<string, Array<number | null>>;
}

export interface DriftMatrix {
  readonly version: string;
  readonly columns: string[];
  readonly start: number[];
  readonly cells: number[][];
}

export interface Series {
  readonly model: string;
  readonly task: string;
  readonly windowMs: number;
  readonly pointMs: number;
  readonly bucket: number;
  readonly quality: { readonly metric: string; readonly threshold: number; readonly direction: string };
  readonly latency: { readonly percentile: number; readonly thresholdMs: number };
  readonly versionList: string[];
  /** The quality metric on each version's reference data (versions without one are left out). */
  readonly referenceQuality?: ReadonlyArray<{
    readonly version: string;
    readonly metric: string;
    readonly value: number | null;
    readonly labelled: number;
  }>;
  /** The model's clock (event time in replays). */
  readonly now: number;
  readonly from: number | null;
  readonly to: number | null;
  readonly versions: VersionSeries[];
  readonly drift: DriftMatrix[];
}

export type Histogram =
  | {
      readonly kind: "numeric";
      readonly edges: number[];
      readonly reference: number[];
      readonly current: number[];
    }
  | {
      readonly kind: "categorical";
      readonly categories: string[];
      readonly reference: number[];
      readonly current: number[];
    };

export interface DriftColumn {
  readonly column: string;
  readonly type: string;
  readonly method: string;
  readonly statistic: number;
  readonly p_value: number | null;
  readonly p_adjusted?: number | null;
  readonly threshold: number;
  readonly severity: Severity;
  readonly drifted: boolean;
  readonly n_reference: number;
  readonly n_current: number;
  readonly effect_size?: number;
  readonly effect_size_method?: string;
  readonly effect_size_threshold?: number;
  readonly histogram: Histogram;
}

export interface DriftReport {
  readonly severity: Severity;
  readonly columns: DriftColumn[];
}

export interface Alert {
  readonly fingerprint: string;
  readonly status: "firing" | "resolved";
  readonly state: "active" | "suppressed";
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly startsAt: number;
  readonly endsAt: number | null;
  readonly silencedBy: string[];
  readonly inhibitedBy: string[];
  readonly receivers: string[];
  readonly ack: { readonly by: string; readonly comment: string; readonly at: number } | null;
}

export interface Silence {
  readonly id: string;
  readonly matchers: Array<{ name: string; value: string; isRegex: boolean; isEqual?: boolean }>;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly createdBy: string;
  readonly comment: string;
  readonly status: { readonly state: "active" | "pending" | "expired" };
}

/** An API error as the server words it (code, message, where, what to do). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

async function answer<T>(response: Response): Promise<T> {
  if (response.status === 401) {
    // The session ended: log in again and come back here.
    location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
    throw new ApiError(401, "UNAUTHORIZED", "the session has ended");
  }
  const body = (await response.json()) as T;
  if (!response.ok) {
    const error = body as { code?: string; message?: string; hint?: string };
    throw new ApiError(
      response.status,
      error.code ?? "HTTP",
      error.message ?? response.statusText,
      error.hint,
    );
  }
  return body;
}

/** GET a JSON resource of the API. */
export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  return answer<T>(
    await fetch(path, {
      headers: { accept: "application/json" },
      credentials: "same-origin",
      ...(signal ? { signal } : {}),
    }),
  );
}

/** POST (or DELETE) JSON; the header marks the request as the dashboard's own (the CSRF check). */
export async function sendJson<T>(method: "POST" | "DELETE", path: string, body?: unknown): Promise<T> {
  return answer<T>(
    await fetch(path, {
      method,
      credentials: "same-origin",
      headers: { "content-type": "application/json", accept: "application/json", "x-tiktoktoe-csrf": "1" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
  );
}

export interface Interval {
  readonly lower: number;
  readonly upper: number;
}

export interface RateEstimate {
  readonly value: number | null;
  readonly numerator: number;
  readonly denominator: number;
  readonly interval: Interval | null;
  readonly note: string | null;
}

export interface Comparison {
  readonly value: number | null;
  readonly groups: readonly [string, string] | null;
  readonly interval: Interval | null;
  readonly note: string | null;
}

export interface AttributeFairness {
  readonly attribute: string;
  readonly missing: number;
  readonly groups: Array<{
    readonly group: string;
    readonly count: number;
    readonly labelled: number;
    readonly selectionRate: RateEstimate;
    readonly truePositiveRate: RateEstimate;
    readonly falsePositiveRate: RateEstimate;
  }>;
  readonly demographicParityDifference: Comparison;
  readonly equalizedOddsDifference: Comparison;
  readonly privilegedGroup: string | null;
  readonly impactRatios: Array<{
    readonly group: string;
    readonly value: number | null;
    readonly interval: Interval | null;
    readonly violation: boolean | null;
    readonly significant: boolean | null;
  }>;
  readonly fourFifthsRule: "pass" | "violation" | "insufficient-data";
}

export interface FairnessReport {
  readonly confidence: number;
  readonly impactRatioThreshold: number;
  readonly attributes: AttributeFairness[];
}

export interface Estimate {
  readonly estimate: number;
  readonly lower: number;
  readonly upper: number;
}

export interface HealthReport {
  readonly id: string;
  readonly model: string;
  readonly task: string;
  readonly from: number;
  readonly to: number;
  /** The windows' length (reports stored before it was recorded lack it). */
  readonly windowMs?: number;
  readonly generatedMs: number;
  readonly status: Health;
  readonly reasons: HealthReason[];
  readonly versions: Array<{
    readonly version: string;
    readonly windows: number;
    readonly events: number;
    readonly labels: number;
    readonly quality: { metric: string; value: number | null; threshold: number; direction: string };
    readonly estimated: { rows: number; accuracy: Estimate | null } | null;
    readonly latency: { p50: number | null; p95: number | null; p99: number | null };
    readonly drift: { worst: Severity | null; columns: Array<{ column: string; windows: number }> };
    readonly fairness: FairnessReport | null;
    readonly verdicts?: Array<{ rule: string; status: string; severity: Severity }>;
    readonly chart: {
      start: number[];
      quality: Array<number | null>;
      p99: Array<number | null>;
      events: number[];
    };
  }>;
  readonly alerts: Array<{ alertname: string; severity: string; summary: string }>;
}

export interface ReportSummary {
  readonly id: string;
  readonly from: number;
  readonly to: number;
  readonly status: Health;
  readonly reasons: HealthReason[];
  /** The windows the period drew on (null: none). */
  readonly windows?: { readonly from: number; readonly to: number; readonly count: number } | null;
}

export interface ModelRecord {
  readonly name: string;
  readonly task: string;
  readonly features: Array<{ name: string; type: string; role: string }>;
}
