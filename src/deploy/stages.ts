import { TikTokToeError } from "../errors/index.js";

/**
 * Where a version stands in a model's registry: `candidate` (registered, serves nothing), `shadow`
 * (gets a copy of the traffic, answers never returned), `canary` (a share of the traffic),
 * `production` (the rest), `archived` (served before; kept for an instant rollback).
 *
 * @example
 * ```ts
 * const stage: Stage = "canary";
 * ```
 */
export type Stage = "candidate" | "shadow" | "canary" | "production" | "archived";

/** The stages, in the order a version usually passes them. */
export const stages: readonly Stage[] = ["candidate", "shadow", "canary", "production", "archived"];

/**
 * The moves a version's stage may make. A rollback returns a shadow or canary to `candidate`; a
 * promotion makes it `production` and the previous production `archived`; an archived version may
 * serve again at once (rollback after promotion) or become a candidate.
 */
const allowed: Readonly<Record<Stage, readonly Stage[]>> = {
  candidate: ["shadow", "canary", "production", "archived"],
  shadow: ["canary", "production", "candidate", "archived"],
  canary: ["production", "candidate", "archived"],
  production: ["archived"],
  archived: ["production", "candidate"],
};

/**
 * Whether a version may move from one stage to another (staying is always allowed).
 *
 * @example
 * ```ts
 * canMoveStage("canary", "production"); // true
 * canMoveStage("production", "canary"); // false: a serving version leaves only by being archived
 * ```
 */
export function canMoveStage(from: Stage, to: Stage): boolean {
  return from === to || allowed[from].includes(to);
}

/**
 * Throws `DEPLOY_CONFLICT` naming the move when it is not allowed.
 *
 * @example
 * ```ts
 * assertStageMove("v2", "archived", "canary"); // throws: archived → canary is not a stage move
 * ```
 */
export function assertStageMove(version: string, from: Stage, to: Stage): void {
  if (!canMoveStage(from, to))
    throw new TikTokToeError("DEPLOY_CONFLICT", `version "${version}" cannot move from ${from} to ${to}`, {
      path: "stage",
      hint: `from ${from} a version may become: ${allowed[from].join(", ")}`,
    });
}
