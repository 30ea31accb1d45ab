import {
  ATTRIBUTION_DRIFT_THRESHOLD,
  attributionDrift as compareRankings,
  rankDescending,
} from "../../explain/index.js";
import type { AttributionDriftAnswer, ImportanceEntry, ReferenceImportance } from "./types.js";

/** Feature names by mean importance, largest first; ties keep schema order. */
export function rankingOf(importances: readonly ImportanceEntry[]): string[] {
  return Array.from(rankDescending(importances.map((f) => f.mean)), (j) => importances[j]!.feature);
}

/**
 * Attribution drift of the window against the reference, over the features both explain.
 *
 * @example
 * ```ts
 * driftOf(reference, answer.importances)?.drifted; // true when the ranking moved past the threshold
 * ```
 */
export function driftOf(
  reference: ReferenceImportance,
  current: readonly ImportanceEntry[],
): AttributionDriftAnswer | null {
  const byName = new Map(reference.importances.map((f) => [f.feature, f.mean]));
  const shared = current.filter((f) => byName.has(f.feature));
  if (shared.length === 0) return null;
  const drift = compareRankings(
    shared.map((f) => byName.get(f.feature)!),
    shared.map((f) => f.mean),
    { names: shared.map((f) => f.feature), threshold: ATTRIBUTION_DRIFT_THRESHOLD },
  );
  return {
    ndcg: drift.ndcg,
    spearman: drift.spearman,
    k: drift.k,
    threshold: ATTRIBUTION_DRIFT_THRESHOLD,
    reasons: drift.reasons,
    drifted: drift.drifted,
    topChanges: drift.topChanges.map((c) => ({
      feature: c.name,
      reference: c.reference,
      current: c.current,
      referenceRank: c.referenceRank,
      currentRank: c.currentRank,
    })),
    importanceChanges: drift.importanceChanges.map((c) => ({
      feature: c.name,
      reference: c.reference,
      current: c.current,
      referenceRank: c.referenceRank,
      currentRank: c.currentRank,
    })),
  };
}
