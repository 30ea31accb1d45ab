/**
 * The seed's weighted objective `{accuracy: {target: 0.95, weight: 0.4}, latency: {target: '50ms',
 * weight: 0.3}, resource_usage: {target: 'minimize', weight: 0.3}}` as a target-based score:
 *
 *   score = 0.4 · min(1, acc/0.95) + 0.3 · min(1, 50 ms/p95) + 0.3 · clamp(1 − R/R_base, 0, 1)
 *
 * with R the candidate's model size in bytes and R_base the baseline's. Unlike Intel Neural Compressor's
 * min-max normalisation across the trials seen so far, a candidate's score does not depend on the others.
 */

/**
 * Targets and weights.
 *
 * @example
 * ```ts
 * const o: Objective = { accuracyTarget: 0.95, accuracyWeight: 0.4, latencyTargetMs: 50, latencyWeight: 0.3, resourceWeight: 0.3 };
 * ```
 */
export interface Objective {
  readonly accuracyTarget: number;
  readonly accuracyWeight: number;
  /** The seed's '50ms', parsed by the configuration layer into milliseconds. */
  readonly latencyTargetMs: number;
  readonly latencyWeight: number;
  /** Weight of resource use, whose target is "minimize". */
  readonly resourceWeight: number;
}

/**
 * The seed's objective.
 *
 * @example
 * ```ts
 * DEFAULT_OBJECTIVE.latencyTargetMs; // 50
 * ```
 */
export const DEFAULT_OBJECTIVE: Objective = {
  accuracyTarget: 0.95,
  accuracyWeight: 0.4,
  latencyTargetMs: 50,
  latencyWeight: 0.3,
  resourceWeight: 0.3,
};

/**
 * A candidate's measurements for the objective.
 *
 * @example
 * ```ts
 * const m: ObjectiveInputs = { accuracy: 0.96, p95Ms: 40, resourceBytes: 2_500_000, baselineResourceBytes: 10_000_000 };
 * ```
 */
export interface ObjectiveInputs {
  readonly accuracy: number;
  readonly p95Ms: number;
  /** Resource use: the model's size in bytes (the artefact that is deployed). */
  readonly resourceBytes: number;
  readonly baselineResourceBytes: number;
}

/**
 * The score and its three terms (each in [0, 1] before weighting).
 *
 * @example
 * ```ts
 * const s: ObjectiveScore = { score: 0.85, accuracy: 1, latency: 1, resource: 0.5 };
 * ```
 */
export interface ObjectiveScore {
  readonly score: number;
  readonly accuracy: number;
  readonly latency: number;
  readonly resource: number;
}

/**
 * Scores a candidate: accuracy term min(1, acc/target), latency term min(1, target/p95) (1 when p95 is 0),
 * resource term clamp(1 − R/R_base, 0, 1) (0 for the baseline itself, 0.75 for a model a quarter of its
 * size), weighted and summed.
 *
 * @example
 * ```ts
 * objectiveScore({ accuracy: 0.95, p95Ms: 100, resourceBytes: 25, baselineResourceBytes: 100 });
 * // { score: 0.4 + 0.3·0.5 + 0.3·0.75 = 0.775, accuracy: 1, latency: 0.5, resource: 0.75 }
 * ```
 */
export function objectiveScore(
  inputs: ObjectiveInputs,
  objective: Objective = DEFAULT_OBJECTIVE,
): ObjectiveScore {
  const accuracy = Math.min(1, Math.max(0, inputs.accuracy / objective.accuracyTarget));
  const latency = inputs.p95Ms <= 0 ? 1 : Math.min(1, objective.latencyTargetMs / inputs.p95Ms);
  const ratio = inputs.resourceBytes / inputs.baselineResourceBytes;
  const resource = Number.isFinite(ratio) ? Math.min(1, Math.max(0, 1 - ratio)) : 0;
  const score =
    objective.accuracyWeight * accuracy +
    objective.latencyWeight * latency +
    objective.resourceWeight * resource;
  return { score, accuracy, latency, resource };
}

/**
 * A candidate to rank.
 *
 * @example
 * ```ts
 * const c: RankedCandidate = { id: "int8-entropy", accepted: true, inputs: { accuracy: 0.95, p95Ms: 30, resourceBytes: 1, baselineResourceBytes: 4 } };
 * ```
 */
export interface RankedCandidate {
  readonly id: string;
  readonly accepted: boolean;
  readonly inputs: ObjectiveInputs;
}

/**
 * Ranks candidates: the acceptance rules are hard gates (a rejected candidate scores 0 and comes after
 * every accepted one); accepted ones by descending score, ties by lower p95, then by id.
 *
 * @example
 * ```ts
 * rankCandidates([a, b, c]).map((r) => r.id); // best first
 * ```
 */
export function rankCandidates(
  candidates: readonly RankedCandidate[],
  objective: Objective = DEFAULT_OBJECTIVE,
): Array<RankedCandidate & { readonly score: number; readonly terms: ObjectiveScore }> {
  return candidates
    .map((c) => {
      const terms = objectiveScore(c.inputs, objective);
      return { ...c, score: c.accepted ? terms.score : 0, terms };
    })
    .sort(
      (a, b) =>
        Number(b.accepted) - Number(a.accepted) ||
        b.score - a.score ||
        a.inputs.p95Ms - b.inputs.p95Ms ||
        (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
}
