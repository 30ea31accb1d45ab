/** One feature's global importance: permutation drop, or mean |attribution| of a linear model. */
export interface ImportanceEntry {
  readonly feature: string;
  readonly mean: number;
  readonly std: number;
}

/** The reference's importance, computed when the reference was uploaded (or from its profile). */
export interface ReferenceImportance {
  readonly method: "permutation" | "linear";
  readonly scoring: string;
  readonly baseline: number | null;
  readonly rows: number;
  readonly importances: readonly ImportanceEntry[];
  /** Feature names, most important first. */
  readonly ranking: readonly string[];
}

/** Attribution drift of a window against the reference (SageMaker Clarify's check). */
export interface AttributionDriftAnswer {
  readonly ndcg: number | null;
  readonly spearman: number | null;
  readonly k: number;
  readonly threshold: number;
  /** `ranking` (nDCG below the threshold) and/or `importance` (a top-3 feature's importance halved or doubled). */
  readonly reasons: ReadonlyArray<"ranking" | "importance">;
  readonly drifted: boolean;
  readonly topChanges: ReadonlyArray<{
    readonly feature: string;
    readonly reference: number;
    readonly current: number;
    readonly referenceRank: number;
    readonly currentRank: number;
  }>;
  /** Top-3 features whose importance halved or doubled, whatever their rank did. */
  readonly importanceChanges: AttributionDriftAnswer["topChanges"];
}

/** The answer of `GET /v1/models/{model}/windows/{start}/importance`. */
export interface ImportanceAnswer {
  readonly model: string;
  readonly version: string;
  readonly start: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly method: "permutation" | "linear";
  /** A scikit-learn scoring name, or `mean_abs_attribution` for a linear model. */
  readonly scoring: string;
  /** The unshuffled sample's score (permutation); the expected margin E[f(X)] (linear). */
  readonly baseline: number | null;
  /** Rows the importances were measured on (at most 2,000). */
  readonly rows: number;
  /** Shuffles per feature (permutation); 0 for exact linear attributions. */
  readonly repeats: number;
  /** The window's labelled events (events, for a linear model): the cache key. */
  readonly count: number;
  /** Of those, rows left out because a feature or the label was missing. */
  readonly skipped: number;
  /** One entry per explained feature, in schema order. */
  readonly importances: readonly ImportanceEntry[];
  /** Feature names, most important first (ties keep schema order). */
  readonly ranking: readonly string[];
  readonly reference: ReferenceImportance | null;
  readonly attributionDrift: AttributionDriftAnswer | null;
  /** What was left out and why (categorical features of a linear model, a missing reference…). */
  readonly notes: readonly string[];
}

/** What one window's computation yields, and what the cache keeps of it. */
export type WindowResult = Pick<
  ImportanceAnswer,
  "method" | "scoring" | "baseline" | "rows" | "repeats" | "skipped" | "importances" | "notes"
>;

/** A window's bounds, as the explanations read it from the window list. */
export interface WindowBounds {
  readonly startMs: number;
  readonly endMs: number;
}
