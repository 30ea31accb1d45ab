import { TikTokToeError } from "../errors/index.js";
import type { Outcome } from "./analysis.js";
import type { Stage } from "./stages.js";

/**
 * A rollout's state machine (Argo Rollouts' canary strategy): an optional shadow phase, then canary
 * steps of growing weight, each ended by an analysis; pause, resume, abort, promote and rollback on
 * command; a failure limit, an inconclusive limit and a progress deadline. Pure: the time comes in
 * with each event.
 */

/** Where a rollout is. `promoted`, `rolled-back` and `aborted` are final. */
export type RolloutPhase = "shadow" | "canary" | "paused" | "promoted" | "rolled-back" | "aborted";

/**
 * How a rollout proceeds; {@link rolloutSpec} fills the defaults.
 *
 * @example
 * ```ts
 * const spec = rolloutSpec({ steps: [5, 25, 50, 100], shadowMs: 3_600_000 });
 * ```
 */
export interface RolloutSpec {
  /** Canary weights in percent, increasing, the last 100. */
  readonly steps: readonly number[];
  /** How long the shadow phase lasts before the first canary step (0: no shadow phase). */
  readonly shadowMs: number;
  /** Time between analyses (the monitor's clock: event time in replays, else the wall clock). */
  readonly analysisPeriodMs: number;
  /** Failed analyses tolerated before the rollback (Argo's failureLimit; 0: the first fails it). */
  readonly failureLimit: number;
  /** Consecutive inconclusive analyses of one step after which the rollout pauses for a person. */
  readonly inconclusiveLimit: number;
  /** A step (or the shadow phase) not passed within this time rolls back. */
  readonly progressDeadlineMs: number;
}

/**
 * Fills a rollout's defaults and checks it: weights in (0, 100] rising to 100, positive periods.
 *
 * @example
 * ```ts
 * rolloutSpec({ steps: [5, 25, 50, 100] }).analysisPeriodMs; // 300000 (5 minutes)
 * ```
 */
export function rolloutSpec(
  input: Partial<RolloutSpec> & { readonly steps: readonly number[] },
): RolloutSpec {
  const spec: RolloutSpec = {
    shadowMs: 0,
    analysisPeriodMs: 300_000,
    failureLimit: 0,
    inconclusiveLimit: 3,
    ...input,
    progressDeadlineMs: input.progressDeadlineMs ?? 10 * (input.analysisPeriodMs ?? 300_000),
  };
  const bad = (path: string, message: string) =>
    new TikTokToeError("REQUEST_INVALID", message, { path, hint: "e.g. steps 5,25,50,100" });
  if (spec.steps.length === 0) throw bad("steps", "steps must list at least one weight");
  let previous = 0;
  for (const [i, w] of spec.steps.entries()) {
    if (!Number.isFinite(w) || w <= previous || w > 100)
      throw bad(`steps.${i}`, "steps must be increasing weights in percent, above 0 and at most 100");
    previous = w;
  }
  if (previous !== 100) throw bad(`steps.${spec.steps.length - 1}`, "the last step must be 100");
  for (const key of ["analysisPeriodMs", "progressDeadlineMs"] as const)
    if (!(spec[key] > 0)) throw bad(key, `${key} must be positive`);
  if (!(spec.shadowMs >= 0)) throw bad("shadowMs", "shadowMs must be 0 or more");
  for (const key of ["failureLimit", "inconclusiveLimit"] as const)
    if (!Number.isInteger(spec[key]) || spec[key] < 0) throw bad(key, `${key} must be an integer ≥ 0`);
  return spec;
}

/**
 * A rollout as stored (one JSON document): everything the state machine and the router need.
 *
 * @example
 * ```ts
 * const r = startRollout({ id: "r1", model: "m", candidate: "v2", production: "v1", spec, nowMs: 0 });
 * r.phase; // "canary" (no shadow phase) with weight 5
 * ```
 */
export interface Rollout {
  readonly id: string;
  readonly model: string;
  readonly candidate: string;
  readonly production: string;
  readonly spec: RolloutSpec;
  readonly phase: RolloutPhase;
  /** The phase a paused rollout returns to. */
  readonly pausedFrom: "shadow" | "canary" | null;
  /** Index into `spec.steps` of the current canary step (-1 in the shadow phase). */
  readonly step: number;
  readonly startedMs: number;
  /** When the current step (or the shadow phase) began: analyses measure from here. */
  readonly stepStartedMs: number;
  /** When the last analysis ran (the scheduler runs the next one a period later). */
  readonly lastAnalysisMs: number;
  readonly failures: number;
  /** Consecutive inconclusive analyses of the current step. */
  readonly inconclusive: number;
  readonly analyses: number;
  /** Why it ended (or paused), for people. */
  readonly reason: string | null;
  readonly endedMs: number | null;
  /** What produced the candidate (an optimization or learning run), when the caller said. */
  readonly source: { readonly kind: string; readonly id: string } | null;
}

/**
 * A new rollout: in the shadow phase when the spec has one, else at the first canary step.
 *
 * @example
 * ```ts
 * startRollout({ id: "r1", model: "m", candidate: "v2", production: "v1", spec: rolloutSpec({ steps: [100] }), nowMs: 0 });
 * ```
 */
export function startRollout(input: {
  readonly id: string;
  readonly model: string;
  readonly candidate: string;
  readonly production: string;
  readonly spec: RolloutSpec;
  readonly nowMs: number;
  readonly source?: { readonly kind: string; readonly id: string } | null;
}): Rollout {
  if (input.candidate === input.production)
    throw new TikTokToeError("DEPLOY_CONFLICT", `version "${input.candidate}" is already in production`, {
      path: "version",
    });
  const shadow = input.spec.shadowMs > 0;
  return {
    id: input.id,
    model: input.model,
    candidate: input.candidate,
    production: input.production,
    spec: input.spec,
    phase: shadow ? "shadow" : "canary",
    pausedFrom: null,
    step: shadow ? -1 : 0,
    startedMs: input.nowMs,
    stepStartedMs: input.nowMs,
    lastAnalysisMs: input.nowMs,
    failures: 0,
    inconclusive: 0,
    analyses: 0,
    reason: null,
    endedMs: null,
    source: input.source ?? null,
  };
}

/**
 * What can happen to a rollout. `analysis` carries an analysis's outcome; `tick` checks the progress
 * deadline; `restart` is a server that starts with this rollout in its store; `alert` is a firing
 * critical alert that names the candidate.
 */
export type RolloutEvent =
  | { readonly type: "analysis"; readonly outcome: Outcome }
  | { readonly type: "pause"; readonly reason?: string }
  | { readonly type: "resume" }
  | { readonly type: "promote"; readonly reason?: string }
  | { readonly type: "abort"; readonly reason?: string }
  | { readonly type: "rollback"; readonly reason: string }
  | { readonly type: "alert"; readonly alertname: string }
  | { readonly type: "tick" }
  | { readonly type: "restart" };

/**
 * Whether a rollout is over (promoted, rolled back or aborted).
 *
 * @example
 * ```ts
 * isFinal(rollout); // false while it serves traffic
 * ```
 */
export function isFinal(rollout: Rollout): boolean {
  return rollout.phase === "promoted" || rollout.phase === "rolled-back" || rollout.phase === "aborted";
}

/**
 * The canary's traffic share now, percent: the current step's weight, kept while paused (Argo keeps
 * the weight of a paused canary); 0 in the shadow phase and once it is over.
 *
 * @example
 * ```ts
 * canaryWeight(rollout); // 25
 * ```
 */
export function canaryWeight(rollout: Rollout): number {
  const canary =
    rollout.phase === "canary" || (rollout.phase === "paused" && rollout.pausedFrom === "canary");
  return canary ? (rollout.spec.steps[rollout.step] ?? 0) : 0;
}

/**
 * Whether the candidate gets a copy of production's traffic (the shadow phase, or paused in it).
 *
 * @example
 * ```ts
 * isShadowing(rollout); // true during the shadow phase
 * ```
 */
export function isShadowing(rollout: Rollout): boolean {
  return rollout.phase === "shadow" || (rollout.phase === "paused" && rollout.pausedFrom === "shadow");
}

/**
 * The stage each of the two versions holds in a rollout's phase.
 *
 * @example
 * ```ts
 * rolloutStages(promoted); // { candidate: "production", production: "archived" }
 * ```
 */
export function rolloutStages(rollout: Rollout): { candidate: Stage; production: Stage } {
  switch (rollout.phase) {
    case "promoted":
      return { candidate: "production", production: "archived" };
    case "rolled-back":
    case "aborted":
      return { candidate: "candidate", production: "production" };
    default:
      return { candidate: isShadowing(rollout) ? "shadow" : "canary", production: "production" };
  }
}

/**
 * Applies an event. A final rollout ignores everything (the answer says so through `changed`);
 * commands that make no sense in the phase (resume when not paused) are `DEPLOY_CONFLICT`.
 * A restart never promotes: it resumes the current step with its analysis period started over, or
 * rolls back when the progress deadline passed while the server was down.
 *
 * @example
 * ```ts
 * const { rollout, changed } = applyRolloutEvent(r, { type: "analysis", outcome: "pass" }, now);
 * ```
 */
export function applyRolloutEvent(
  rollout: Rollout,
  event: RolloutEvent,
  nowMs: number,
): { rollout: Rollout; changed: boolean; note: string } {
  if (isFinal(rollout)) {
    if (
      event.type === "analysis" ||
      event.type === "tick" ||
      event.type === "restart" ||
      event.type === "alert"
    )
      return { rollout, changed: false, note: `the rollout is ${rollout.phase}` };
    throw new TikTokToeError("DEPLOY_CONFLICT", `the rollout is already ${rollout.phase}`, {
      hint: "start a new rollout",
    });
  }
  const end = (phase: "promoted" | "rolled-back" | "aborted", reason: string) => ({
    rollout: { ...rollout, phase, pausedFrom: null, reason, endedMs: nowMs },
    changed: true,
    note: reason,
  });
  const nextStep = (step: number, note: string) => ({
    rollout: {
      ...rollout,
      phase: "canary" as const,
      step,
      stepStartedMs: nowMs,
      lastAnalysisMs: nowMs,
      inconclusive: 0,
      analyses: rollout.analyses + 1,
    },
    changed: true,
    note,
  });
  switch (event.type) {
    case "analysis": {
      if (rollout.phase === "paused") return { rollout, changed: false, note: "paused: analysis ignored" };
      const counted = { ...rollout, analyses: rollout.analyses + 1, lastAnalysisMs: nowMs };
      if (event.outcome === "fail") {
        const failures = rollout.failures + 1;
        if (failures > rollout.spec.failureLimit)
          return end(
            "rolled-back",
            `analysis failed ${failures} time(s), limit ${rollout.spec.failureLimit}`,
          );
        return { rollout: { ...counted, failures }, changed: true, note: `analysis failed (${failures})` };
      }
      if (event.outcome === "inconclusive") {
        const inconclusive = rollout.inconclusive + 1;
        if (inconclusive >= rollout.spec.inconclusiveLimit)
          return {
            rollout: {
              ...counted,
              inconclusive,
              phase: "paused",
              pausedFrom: rollout.phase as "shadow" | "canary",
              reason: `${inconclusive} inconclusive analyses in a row: a person must resume, promote or abort`,
            },
            changed: true,
            note: "paused after inconclusive analyses",
          };
        return { rollout: { ...counted, inconclusive }, changed: true, note: "analysis inconclusive" };
      }
      if (rollout.phase === "shadow") {
        if (nowMs - rollout.stepStartedMs < rollout.spec.shadowMs)
          return { rollout: { ...counted, inconclusive: 0 }, changed: true, note: "shadow analysis passed" };
        return nextStep(0, `shadow phase passed: canary at ${rollout.spec.steps[0]}%`);
      }
      if (rollout.step + 1 >= rollout.spec.steps.length)
        return end("promoted", `the last step (${rollout.spec.steps[rollout.step]}%) passed its analysis`);
      return nextStep(
        rollout.step + 1,
        `step ${rollout.spec.steps[rollout.step]}% passed: canary at ${rollout.spec.steps[rollout.step + 1]}%`,
      );
    }
    case "pause":
      if (rollout.phase === "paused") return { rollout, changed: false, note: "already paused" };
      return {
        rollout: {
          ...rollout,
          phase: "paused",
          pausedFrom: rollout.phase as "shadow" | "canary",
          reason: event.reason ?? "paused",
        },
        changed: true,
        note: event.reason ?? "paused",
      };
    case "resume": {
      if (rollout.phase !== "paused")
        throw new TikTokToeError("DEPLOY_CONFLICT", `the rollout is ${rollout.phase}, not paused`);
      // The step's clock restarts: time spent paused does not count against the progress deadline.
      return {
        rollout: {
          ...rollout,
          phase: rollout.pausedFrom ?? "canary",
          pausedFrom: null,
          inconclusive: 0,
          reason: null,
          stepStartedMs: nowMs,
          lastAnalysisMs: nowMs,
        },
        changed: true,
        note: "resumed",
      };
    }
    case "promote":
      return end("promoted", event.reason ?? "promoted by command");
    case "abort":
      return end("aborted", event.reason ?? "aborted by command");
    case "rollback":
      return end("rolled-back", event.reason);
    case "alert":
      return end("rolled-back", `critical alert ${event.alertname} fired for the canary`);
    case "tick":
      if (rollout.phase !== "paused" && nowMs - rollout.stepStartedMs > rollout.spec.progressDeadlineMs)
        return end("rolled-back", `no progress within the deadline of ${rollout.spec.progressDeadlineMs} ms`);
      return { rollout, changed: false, note: "" };
    case "restart":
      if (rollout.phase !== "paused" && nowMs - rollout.stepStartedMs > rollout.spec.progressDeadlineMs)
        return end("rolled-back", "the server restarted after the step's progress deadline");
      return {
        rollout: { ...rollout, lastAnalysisMs: nowMs },
        changed: true,
        note: "resumed after a restart at the same step; its next analysis is a full period away",
      };
  }
}

/**
 * Whether an analysis is due: a period after the last one, for a rollout that is running.
 *
 * @example
 * ```ts
 * if (analysisDue(rollout, now)) runAnalysis();
 * ```
 */
export function analysisDue(rollout: Rollout, nowMs: number): boolean {
  return (
    (rollout.phase === "shadow" || rollout.phase === "canary") &&
    nowMs - rollout.lastAnalysisMs >= rollout.spec.analysisPeriodMs
  );
}
