import { randomUUID } from "node:crypto";
import { parseDuration } from "../../config/index.js";
import {
  type Agreement,
  type AnalysisLimits,
  type AnalysisResult,
  type ArmObservations,
  analyzeRollout,
  applyRolloutEvent,
  canaryWeight,
  defaultAnalysisLimits,
  describeFailures,
  isFinal,
  isShadowing,
  type Rollout,
  type RolloutEvent,
  rolloutSpec,
  rolloutStages,
  startRollout,
} from "../../deploy/index.js";
import { TikTokToeError } from "../../errors/index.js";
import type { ModelRecord, Store } from "../../store/index.js";
import type { MonitorService } from "../monitor-service.js";
import { observeArms } from "./observations.js";
import {
  type Actor,
  type AnalysisRecordDoc,
  type RolloutDoc,
  type RolloutState,
  rolloutView,
  type StateDoc,
} from "./rollout-state.js";
import type { RolloutCounters } from "./step-counters.js";
import type { Verification } from "./verification.js";

/** The body of a rollout's start (POST /v1/models/{model}/rollouts). */
export interface StartRolloutBody {
  version: string;
  steps?: number[];
  shadow?: string;
  analysisPeriod?: string;
  progressDeadline?: string;
  failureLimit?: number;
  inconclusiveLimit?: number;
  limits?: Partial<AnalysisLimits>;
  source?: { kind: string; id: string };
  acceptance?: { accuracyDropLimit?: number };
  reason?: string;
}

/** Options of {@link Rollouts}. */
export interface RolloutsOptions {
  readonly store: Pick<Store, "getVersion" | "readModelBatches">;
  readonly service: Pick<MonitorService, "model" | "flushAnswered">;
  readonly now: () => number;
  readonly deployment: RolloutState;
  readonly counters: RolloutCounters;
  readonly verification: Pick<Verification, "run">;
  /** The request path (the Predictor): the candidate is loaded before any traffic; analyses wait for its runs. */
  readonly serving: {
    load(record: ModelRecord, version: string): Promise<void>;
    idle(): Promise<void>;
    retireIdle(state: StateDoc): void;
  };
}

/**
 * Rollouts: starts one (after the candidate's verification), applies its events — commands, the
 * scheduler's ticks and analyses, alerts, a restart — and analyses its steps, canary against production.
 * Every change is stored (rollout, stages, history) through {@link RolloutState}.
 *
 * @example
 * ```ts
 * const rollouts = new Rollouts({ store, service, now: Date.now, deployment, counters, verification, serving });
 * await rollouts.start("m", { version: "v2" }, "alice");
 * ```
 */
export class Rollouts {
  constructor(private readonly options: RolloutsOptions) {}

  /** Starts a rollout of `version` against the production version. */
  async start(model: string, body: StartRolloutBody, by: Actor) {
    const record = this.options.service.model(model);
    const deployment = this.options.deployment;
    // The rollout clock includes the answers given so far (on the event clock, their event times).
    await this.options.service.flushAnswered(model);
    return deployment.exclusive(model, async () => {
      const state = await deployment.state(model);
      if (deployment.running(model) !== undefined)
        throw new TikTokToeError("DEPLOY_CONFLICT", `a rollout of "${model}" is running`, {
          hint: "wait for it, or abort it first",
        });
      if (state.production === null)
        throw new TikTokToeError(
          "NOT_SERVING",
          `model "${model}" has no production version to compare with`,
          {
            hint: "make a version production first (POST /v1/models/{model}/stages)",
          },
        );
      if ((await this.options.store.getVersion(model, body.version)) === undefined)
        throw new TikTokToeError("STORE_NOT_FOUND", `model "${model}" has no version "${body.version}"`, {
          path: "version",
        });
      const from = state.stages[body.version] ?? "candidate";
      if (from !== "candidate" && from !== "archived")
        throw new TikTokToeError("DEPLOY_CONFLICT", `version "${body.version}" is ${from}, not a candidate`, {
          path: "version",
        });
      const spec = rolloutSpec({
        steps: body.steps ?? [5, 25, 50, 100],
        ...(body.shadow === undefined ? {} : { shadowMs: duration(body.shadow, "shadow") }),
        ...(body.analysisPeriod === undefined
          ? {}
          : { analysisPeriodMs: duration(body.analysisPeriod, "analysisPeriod") }),
        ...(body.progressDeadline === undefined
          ? {}
          : { progressDeadlineMs: duration(body.progressDeadline, "progressDeadline") }),
        ...(body.failureLimit === undefined ? {} : { failureLimit: body.failureLimit }),
        ...(body.inconclusiveLimit === undefined ? {} : { inconclusiveLimit: body.inconclusiveLimit }),
      });
      const limits: AnalysisLimits = {
        ...defaultAnalysisLimits,
        ...(body.acceptance?.accuracyDropLimit === undefined
          ? {}
          : { accuracyDrop: body.acceptance.accuracyDropLimit }),
        ...body.limits,
      };
      const rollout = startRollout({
        id: `${new Date(this.options.now()).toISOString().replace(/[:.]/g, "-")}-${randomUUID().slice(0, 8)}`,
        model,
        candidate: body.version,
        production: state.production,
        spec,
        nowMs: deployment.clock(model),
        source: body.source ?? null,
      });
      // Verification before any traffic: a failed test refuses the rollout, recorded as one aborted
      // before its first request (weight 0, no analysis) so GET rollouts shows why.
      const verification = await this.options.verification.run(record, body.version, state.production, {
        by,
        trigger: "rollout",
        rollout: rollout.id,
        source: body.source ?? null,
      });
      if (verification.outcome === "fail") {
        const failures = describeFailures(verification.tests);
        const refused = applyRolloutEvent(
          rollout,
          { type: "abort", reason: `verification failed: ${failures}` },
          deployment.clock(model),
        ).rollout;
        await deployment.saveRollout({ rollout: refused, limits, verification });
        await deployment.record(model, by, "rollout-refused", {
          version: body.version,
          rollout: rollout.id,
          reason: `verification failed: ${failures}`,
        });
        throw new TikTokToeError(
          "VERIFICATION_FAILED",
          `version "${body.version}" failed verification: ${failures}`,
          {
            path: "version",
            problems: verification.tests.filter((t) => t.outcome === "fail"),
            hint: `every test's figures: GET /v1/models/${model}/verifications; nothing was routed to it`,
          },
        );
      }
      // The candidate must load and fit in serving before it gets any traffic.
      await this.options.serving.load(record, body.version);
      const doc: RolloutDoc = { rollout, limits, verification };
      deployment.run(model, doc);
      state.rollout = rollout.id;
      state.stages[body.version] = rolloutStages(rollout).candidate;
      await deployment.saveRollout(doc);
      await deployment.saveState(state);
      await deployment.record(model, by, "rollout-start", {
        version: body.version,
        from,
        to: state.stages[body.version]!,
        rollout: rollout.id,
        reason:
          body.reason ??
          `steps ${spec.steps.join(", ")}${spec.shadowMs > 0 ? `, shadow ${body.shadow}` : ""}`,
      });
      return rolloutView(doc);
    });
  }

  /** Pause, resume, abort or promote the running rollout. */
  async command(
    model: string,
    command: "pause" | "resume" | "abort" | "promote",
    reason: string | undefined,
    by: Actor,
  ) {
    this.options.service.model(model);
    const deployment = this.options.deployment;
    return deployment.exclusive(model, async () => {
      if (deployment.running(model) === undefined)
        throw new TikTokToeError("DEPLOY_CONFLICT", `no rollout of "${model}" is running`, {
          hint: `start one: POST /v1/models/${model}/rollouts`,
        });
      const event: RolloutEvent =
        command === "resume"
          ? { type: "resume" }
          : { type: command, ...(reason === undefined ? {} : { reason: `${reason} (${by})` }) };
      const { limits, verification } = deployment.running(model)!;
      const rollout = await this.apply(model, event, by, reason ?? command);
      return rolloutView({ rollout, limits, ...(verification === undefined ? {} : { verification }) });
    });
  }

  /**
   * Applies an event to the running rollout and stores what changed (rollout, stages, history). Runs
   * inside the model's {@link RolloutState.exclusive} chain.
   */
  async apply(model: string, event: RolloutEvent, by: Actor, why: string): Promise<Rollout> {
    const deployment = this.options.deployment;
    const doc = deployment.running(model);
    if (doc === undefined) throw new TikTokToeError("DEPLOY_CONFLICT", `no rollout of "${model}" is running`);
    const before = doc.rollout;
    const { rollout, changed, note } = applyRolloutEvent(before, event, deployment.clock(model));
    if (!changed) return before;
    doc.rollout = rollout;
    const state = await deployment.state(model);
    const stagesBefore = rolloutStages(before);
    const stagesAfter = rolloutStages(rollout);
    state.stages[rollout.candidate] = stagesAfter.candidate;
    state.stages[rollout.production] = stagesAfter.production;
    if (rollout.phase === "promoted") {
      state.production = rollout.candidate;
      state.previous = rollout.production;
    }
    if (isFinal(rollout)) {
      state.rollout = rollout.id;
      deployment.end(model);
      this.options.counters.endRollout(rollout);
    }
    if (rollout.step !== before.step || rollout.phase !== before.phase) this.options.counters.endStep(before);
    await deployment.saveRollout(doc);
    await deployment.saveState(state);
    if (isFinal(rollout)) this.options.serving.retireIdle(state);
    const moved = stagesBefore.candidate !== stagesAfter.candidate;
    const weightChanged = canaryWeight(before) !== canaryWeight(rollout);
    if (moved || weightChanged || rollout.phase !== before.phase || event.type !== "analysis")
      await deployment.record(model, by, `rollout-${event.type}`, {
        version: rollout.candidate,
        from: moved ? stagesBefore.candidate : null,
        to: moved ? stagesAfter.candidate : null,
        rollout: rollout.id,
        reason: note || why,
      });
    return rollout;
  }

  /** Analyses the step so far: canary against production from the step's start to now. */
  async analyse(model: string, doc: RolloutDoc, now: number): Promise<AnalysisResult> {
    const rollout = doc.rollout;
    const record = this.options.service.model(model);
    const arms = await this.observe(record, rollout, rollout.stepStartedMs, now);
    let counters = this.options.counters.of(rollout);
    // At 100 % production serves nothing in the step: its arm is what it served since the rollout
    // began (the earlier steps), the nearest control there is.
    if (canaryWeight(rollout) >= 100) {
      arms.production = (await this.observe(record, rollout, rollout.startedMs, now)).production;
      const whole = this.options.counters.of(rollout, true);
      counters = {
        ...counters,
        productionRequests: whole.productionRequests,
        productionErrors: whole.productionErrors,
      };
    }
    const agreement: Agreement = { compared: counters.compared, agreed: counters.agreed };
    const result = analyzeRollout({
      task: record.task,
      canary: { ...arms.canary, requests: counters.canaryRequests, errors: counters.canaryErrors },
      production: {
        ...arms.production,
        requests: counters.productionRequests,
        errors: counters.productionErrors,
      },
      agreement: agreement.compared > 0 ? agreement : null,
      limits: doc.limits,
    });
    const analysis: AnalysisRecordDoc = {
      rollout: rollout.id,
      number: rollout.analyses + 1,
      atMs: now,
      fromMs: rollout.stepStartedMs,
      toMs: now,
      phase: rollout.phase,
      weight: canaryWeight(rollout),
      outcome: result.outcome,
      metrics: result.metrics.map((m) => ({
        ...m,
        limit: Number.isFinite(m.limit) ? m.limit : null,
        canary: m.canary !== null && Number.isFinite(m.canary) ? m.canary : null,
        production: m.production !== null && Number.isFinite(m.production) ? m.production : null,
        pValue: m.pValue !== null && Number.isFinite(m.pValue) ? m.pValue : null,
      })),
      note: isShadowing(rollout) ? "shadow: the candidate answered copies of production's requests" : "",
    };
    await this.options.deployment.saveAnalysis(model, analysis);
    return result;
  }

  /**
   * What each arm did in [fromMs, toMs), from the monitor's log (see observeArms), once the period's
   * answers are in it: recorded after the answer, and shadow answers of requests still in the background.
   */
  private async observe(
    record: ModelRecord,
    rollout: Rollout,
    fromMs: number,
    toMs: number,
  ): Promise<{ canary: ArmObservations; production: ArmObservations }> {
    await this.options.serving.idle();
    await this.options.service.flushAnswered(record.name);
    return observeArms(this.options.store, record, rollout, fromMs, toMs);
  }
}

function duration(text: string, path: string): number {
  const parsed = parseDuration(text);
  if (!parsed.ok || parsed.ms <= 0)
    throw new TikTokToeError(
      "REQUEST_INVALID",
      `${path}: ${parsed.ok ? "must be positive" : parsed.message}`,
      {
        path,
        hint: "e.g. 30s, 5m, 1h",
      },
    );
  return parsed.ms;
}
