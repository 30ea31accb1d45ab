import type { Rollout } from "../../deploy/index.js";

/** What this process counted of a step that the log does not hold: failed requests and agreement. */
export interface StepCounters {
  canaryRequests: number;
  canaryErrors: number;
  productionRequests: number;
  productionErrors: number;
  compared: number;
  agreed: number;
}

/**
 * The counters of running rollouts, per step and per whole rollout: the request path adds to them,
 * the analysis reads them. They are this replica's: they count what it served.
 *
 * @example
 * ```ts
 * const counters = new RolloutCounters();
 * counters.of(rollout).canaryRequests += 1;
 * ```
 */
export class RolloutCounters {
  private readonly counters = new Map<string, StepCounters>();

  /** The step's counters, or with `whole` the rollout's (every step's requests add to both). */
  of(rollout: Rollout, whole = false): StepCounters {
    const key = whole ? rollout.id : stepKey(rollout);
    let c = this.counters.get(key);
    if (c === undefined) {
      c = {
        canaryRequests: 0,
        canaryErrors: 0,
        productionRequests: 0,
        productionErrors: 0,
        compared: 0,
        agreed: 0,
      };
      this.counters.set(key, c);
    }
    return c;
  }

  /** Forgets the counters of `rollout`'s current step. */
  endStep(rollout: Rollout): void {
    this.counters.delete(stepKey(rollout));
  }

  /** Forgets the whole rollout's counters. */
  endRollout(rollout: Rollout): void {
    this.counters.delete(rollout.id);
  }
}

function stepKey(rollout: Rollout): string {
  return `${rollout.id}\u0000${rollout.step}\u0000${rollout.stepStartedMs}`;
}
