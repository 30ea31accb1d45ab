import { analysisDue, isFinal, type Rollout } from "../../deploy/index.js";
import type { Logger } from "../../logging/index.js";
import type { ChangeBus, JobLocks } from "../../store/index.js";
import type { MonitorService, ServiceChange } from "../monitor-service.js";
import { DEPLOY_TOPIC, type RolloutState, type StateDoc } from "./rollout-state.js";
import type { Rollouts } from "./rollouts.js";

/** The job lock of the wall-clock scheduler: one replica runs the analyses and deadlines. */
export const ROLLOUT_SCHEDULER_JOB = "rollout-scheduler";

/** Options of {@link RolloutScheduler}. */
export interface RolloutSchedulerOptions {
  readonly service: Pick<MonitorService, "listModels" | "onChange">;
  /** The rollout clock: `wall` runs a timer; `event` leaves the ticks to the requests (and `tick`). */
  readonly clock: "wall" | "event";
  /** How often the wall-clock scheduler looks for due analyses and deadlines (ms). Default 1,000. */
  readonly tickMs?: number | undefined;
  /** The replicas' change notices: the others' changes are re-read from the store. None: one process. */
  readonly bus?: Pick<ChangeBus, "subscribe" | "onGap"> | undefined;
  /** The replicas' job locks: only the holder of {@link ROLLOUT_SCHEDULER_JOB} schedules. */
  readonly locks?: JobLocks | undefined;
  readonly log?: Logger | undefined;
  readonly deployment: RolloutState;
  readonly rollouts: Pick<Rollouts, "apply" | "analyse">;
  /** Closes the sessions of versions that serve no longer, once another replica's change is read. */
  readonly serving: { retireIdle(state: StateDoc): void };
}

/**
 * What moves a rollout without a command: the restart step at start-up, the wall-clock timer (progress
 * deadlines and due analyses, on the replica holding {@link ROLLOUT_SCHEDULER_JOB}), a critical alert
 * naming the canary, and the other replicas' changes announced on the bus.
 *
 * @example
 * ```ts
 * const scheduler = new RolloutScheduler({ service, clock: "wall", deployment, rollouts, serving });
 * await scheduler.start();
 * scheduler.stop();
 * ```
 */
export class RolloutScheduler {
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private stopBus: (() => void) | undefined;

  constructor(private readonly options: RolloutSchedulerOptions) {}

  /**
   * Loads every model's deployment and resumes running rollouts: each gets a `restart` event (resume
   * at the same step, or roll back past its progress deadline), recorded in the history. Then follows
   * alerts, and with the wall clock starts the timer.
   */
  async start(): Promise<void> {
    const { options } = this;
    const deployment = options.deployment;
    // Subscribed before the first read: a change made meanwhile is read twice, never missed.
    const stopFollowing = options.bus?.subscribe(DEPLOY_TOPIC, (body, fromSelf) =>
      fromSelf ? undefined : this.follow((body as { model: string }).model),
    );
    const stopCatchingUp = options.bus?.onGap(async () => {
      for (const model of options.service.listModels()) await this.follow(model.name);
    });
    this.stopBus = () => {
      stopFollowing?.();
      stopCatchingUp?.();
    };
    // Among replicas, the one that schedules resumes (the others find the rollout running).
    const scheduler = options.locks === undefined || (await options.locks.tryAcquire(ROLLOUT_SCHEDULER_JOB));
    for (const model of options.service.listModels()) {
      const state = await deployment.loadState(model.name);
      if (state.rollout === null) continue;
      const doc = await deployment.loadRollout(model.name, state.rollout);
      if (doc === undefined || isFinal(doc.rollout)) continue;
      deployment.run(model.name, doc);
      if (scheduler) await options.rollouts.apply(model.name, { type: "restart" }, "server", "restarted");
    }
    this.unsubscribe = options.service.onChange((change) => this.onChange(change));
    if (options.clock === "wall") {
      this.timer = setInterval(() => {
        this.scheduled().catch((error: unknown) =>
          options.log?.error("the rollout scheduler failed", { error }),
        );
      }, options.tickMs ?? 1000);
      this.timer.unref();
    }
  }

  /** Stops the timer and stops following alerts and the other replicas. */
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.unsubscribe?.();
    this.stopBus?.();
  }

  /**
   * Checks a model's rollout: the progress deadline, then a due analysis. `scheduled`: the timer's
   * round, which checks it still holds the scheduler's lock before it decides.
   */
  tickModel(model: string, scheduled = false): Promise<void> {
    const { deployment, rollouts } = this.options;
    return deployment.exclusive(model, async () => {
      const doc = deployment.running(model);
      if (doc === undefined) return;
      const locks = this.options.locks;
      if (scheduled && locks !== undefined && !(await locks.holds(ROLLOUT_SCHEDULER_JOB))) return;
      const now = deployment.clock(model);
      if (pastDeadline(doc.rollout, now)) {
        await rollouts.apply(model, { type: "tick" }, "scheduler", "progress deadline");
        return;
      }
      if (!analysisDue(doc.rollout, now)) return;
      const result = await rollouts.analyse(model, doc, now);
      await rollouts.apply(
        model,
        { type: "analysis", outcome: result.outcome },
        "scheduler",
        `analysis ${result.outcome}`,
      );
    });
  }

  /**
   * Runs every due analysis now (tests and `--clock event` replays call it; the timer does otherwise),
   * after the changes already queued — a rollback a critical alert asked for — have finished: such a
   * rollback ends the rollout in memory before it writes its documents and history, so the model is no
   * longer among the running ones to wait for.
   */
  async tick(): Promise<void> {
    await this.options.deployment.settled();
    for (const model of [...this.options.deployment.runningModels()]) await this.tickModel(model);
  }

  /** One round of the wall-clock scheduler, on the replica that holds its lock. */
  private async scheduled(): Promise<void> {
    const locks = this.options.locks;
    if (locks !== undefined && !(await locks.tryAcquire(ROLLOUT_SCHEDULER_JOB))) return;
    for (const model of this.options.deployment.runningModels())
      this.tickModel(model, true).catch((error: unknown) =>
        this.options.log?.error("a rollout analysis failed", { error, model }),
      );
  }

  /**
   * Re-reads a model's deployment that another replica changed: its state, and its rollout (running,
   * or ended). Step counters stay this replica's: they count what it served.
   */
  private follow(model: string): Promise<void> {
    const deployment = this.options.deployment;
    return deployment
      .exclusive(model, async () => {
        const state = await deployment.reread(model);
        this.options.serving.retireIdle(state);
      })
      .catch((error: unknown) =>
        this.options.log?.error("following another replica's deployment change failed", { error, model }),
      );
  }

  /** A critical alert naming the running rollout's candidate rolls it back. */
  private onChange(change: ServiceChange): void {
    if (change.type !== "alert" || change.status !== "firing" || change.labels.severity !== "critical")
      return;
    const model = change.labels.model;
    if (model === undefined) return;
    const { deployment, rollouts } = this.options;
    const doc = deployment.running(model);
    if (doc === undefined || change.labels.version !== doc.rollout.candidate) return;
    const alertname = change.labels.alertname ?? "alert";
    deployment
      .exclusive(model, async () => {
        if (deployment.running(model) === doc)
          await rollouts.apply(
            model,
            { type: "alert", alertname },
            "alerting",
            `critical alert ${alertname}`,
          );
      })
      .catch((error: unknown) =>
        this.options.log?.error("rolling back on an alert failed", { error, model }),
      );
  }
}

/** Whether a shadow or canary step ran past its progress deadline at `now` (the rollout clock). */
export function pastDeadline(rollout: Rollout, now: number): boolean {
  return (
    (rollout.phase === "shadow" || rollout.phase === "canary") &&
    now - rollout.stepStartedMs > rollout.spec.progressDeadlineMs
  );
}
