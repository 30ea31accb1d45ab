import { randomUUID } from "node:crypto";
import { type AnalysisLimits, canaryWeight, isFinal, type Rollout, type Stage } from "../../deploy/index.js";
import type { Logger } from "../../logging/index.js";
import type { ChangeBus, Store } from "../../store/index.js";
import type { VerificationRun } from "./verification.js";

/** Document collections (the store's `putDocument`): one state per model, rollouts, analyses, history. */
const STATE = "deploy-state";
const rolloutsOf = (model: string) => `deploy-rollouts/${model}`;
const analysesOf = (model: string) => `deploy-analyses/${model}`;
const historyOf = (model: string) => `deploy-history/${model}`;
/** The bus topic of deployment changes (a model's state or rollout was saved). */
export const DEPLOY_TOPIC = "deploy";

/** Who asked, for the history. */
export type Actor = string;

/** A model's deployment as stored. */
export interface StateDoc {
  readonly model: string;
  production: string | null;
  /** The production before the last promotion or move: an instant rollback target. */
  previous: string | null;
  stages: Record<string, Stage>;
  /** The running rollout's id. */
  rollout: string | null;
  /** With the event clock: the newest event time served (the rollout clock). */
  clockMs: number | null;
}

/** A rollout document: the state machine's record, its analysis limits and its verification. */
export interface RolloutDoc {
  rollout: Rollout;
  readonly limits: AnalysisLimits;
  /** The verification run before any traffic (absent on rollouts stored before verification). */
  readonly verification?: VerificationRun;
}

/** One analysis of a rollout's step, as stored and answered. */
export interface AnalysisRecordDoc {
  readonly rollout: string;
  readonly number: number;
  readonly atMs: number;
  readonly fromMs: number;
  readonly toMs: number;
  readonly phase: string;
  readonly weight: number;
  readonly outcome: "pass" | "fail" | "inconclusive";
  readonly metrics: ReadonlyArray<Record<string, unknown>>;
  readonly note: string;
}

/** One change of a model's deployment, as stored and answered. */
export interface HistoryDoc {
  readonly atMs: number;
  readonly by: string;
  readonly action: string;
  readonly version: string | null;
  readonly from: string | null;
  readonly to: string | null;
  readonly rollout: string | null;
  readonly reason: string;
}

/** Options of {@link RolloutState}. */
export interface RolloutStateOptions {
  readonly store: Pick<Store, "getDocument" | "putDocument" | "listDocuments">;
  /** The rollout clock: the monitor's (`event`: newest event time served; `wall`: `now`). */
  readonly clock: "wall" | "event";
  readonly now: () => number;
  /** The monitor's clock of a model: its newest aggregated event time (NaN before any). */
  readonly modelClock: (model: string) => number;
  /** Told of every saved state, for the other replicas (none: one process). */
  readonly bus?: Pick<ChangeBus, "publish"> | undefined;
  readonly log?: Logger | undefined;
}

/**
 * The deployment's documents in the store — each model's state, its rollouts, their analyses and the
 * history of every change — with the states and running rollouts held in memory, and one writer per
 * model at a time ({@link RolloutState.exclusive}).
 *
 * @example
 * ```ts
 * const deployment = new RolloutState({ store, clock: "wall", now: Date.now, modelClock: () => Number.NaN });
 * await deployment.exclusive("m", async () => deployment.saveState(await deployment.state("m")));
 * ```
 */
export class RolloutState {
  private readonly states = new Map<string, StateDoc>();
  private readonly active = new Map<string, RolloutDoc>();
  private readonly chains = new Map<string, Promise<unknown>>();
  private historySeq = 0;

  constructor(private readonly options: RolloutStateOptions) {}

  // ---- running rollouts -----------------------------------------------------------------------

  /** The model's running rollout, if one runs. */
  running(model: string): RolloutDoc | undefined {
    return this.active.get(model);
  }

  /** The models with a running rollout. */
  runningModels(): IterableIterator<string> {
    return this.active.keys();
  }

  /** Holds `doc` as the model's running rollout. */
  run(model: string, doc: RolloutDoc): void {
    this.active.set(model, doc);
  }

  /** The model's rollout runs no longer. */
  end(model: string): void {
    this.active.delete(model);
  }

  /**
   * Re-reads a model's deployment that another replica changed: its state, and its rollout (running,
   * or ended).
   */
  async reread(model: string): Promise<StateDoc> {
    const state = await this.loadState(model);
    const stored =
      state.rollout === null
        ? undefined
        : await this.options.store.getDocument(rolloutsOf(model), state.rollout);
    const doc = stored === undefined ? undefined : (JSON.parse(stored.body) as RolloutDoc);
    if (doc === undefined || isFinal(doc.rollout)) this.active.delete(model);
    else {
      const held = this.active.get(model);
      // The same object stays where it is in use (a request routing by it); its record is replaced.
      if (held !== undefined && held.rollout.id === doc.rollout.id) held.rollout = doc.rollout;
      else this.active.set(model, doc);
    }
    return state;
  }

  // ---- the documents --------------------------------------------------------------------------

  async state(model: string): Promise<StateDoc> {
    return this.states.get(model) ?? this.loadState(model);
  }

  async loadState(model: string): Promise<StateDoc> {
    const doc = await this.options.store.getDocument(STATE, model);
    const state: StateDoc =
      doc === undefined
        ? { model, production: null, previous: null, stages: {}, rollout: null, clockMs: null }
        : (JSON.parse(doc.body) as StateDoc);
    this.states.set(model, state);
    return state;
  }

  /** Stores a model's state (its rollout was saved before) and tells the other replicas. */
  async saveState(state: StateDoc): Promise<void> {
    await this.options.store.putDocument({
      collection: STATE,
      key: state.model,
      timeMs: this.options.now(),
      body: JSON.stringify(state),
    });
    // A lost notice is caught up with by the bus's fall-back poll; the change itself is stored.
    await this.options.bus
      ?.publish(DEPLOY_TOPIC, { model: state.model })
      .catch((error: unknown) =>
        this.options.log?.warn("announcing a deployment change failed", { error, model: state.model }),
      );
  }

  async loadRollout(model: string, id: string): Promise<RolloutDoc | undefined> {
    const active = this.active.get(model);
    if (active !== undefined && active.rollout.id === id) return active;
    const doc = await this.options.store.getDocument(rolloutsOf(model), id);
    return doc === undefined ? undefined : (JSON.parse(doc.body) as RolloutDoc);
  }

  async saveRollout(doc: RolloutDoc): Promise<void> {
    await this.options.store.putDocument({
      collection: rolloutsOf(doc.rollout.model),
      key: doc.rollout.id,
      timeMs: doc.rollout.startedMs,
      body: JSON.stringify(doc),
    });
  }

  /** A model's rollouts, oldest first (at most 1,000). */
  async listRollouts(model: string): Promise<RolloutDoc[]> {
    const docs = await this.options.store.listDocuments(
      rolloutsOf(model),
      Number.NEGATIVE_INFINITY,
      Number.POSITIVE_INFINITY,
      1000,
    );
    return docs.map((d) => JSON.parse(d.body) as RolloutDoc);
  }

  async saveAnalysis(model: string, analysis: AnalysisRecordDoc): Promise<void> {
    await this.options.store.putDocument({
      collection: analysesOf(model),
      key: `${analysis.rollout}/${String(analysis.number).padStart(6, "0")}`,
      timeMs: this.options.now(),
      body: JSON.stringify(analysis),
    });
  }

  /** A rollout's analyses, oldest first. */
  async listAnalyses(model: string, id: string): Promise<AnalysisRecordDoc[]> {
    const docs = await this.options.store.listDocuments(
      analysesOf(model),
      Number.NEGATIVE_INFINITY,
      Number.POSITIVE_INFINITY,
      100_000,
    );
    return docs.map((d) => JSON.parse(d.body) as AnalysisRecordDoc).filter((a) => a.rollout === id);
  }

  /** Adds a change of the model's deployment to its history. */
  async record(
    model: string,
    by: Actor,
    action: string,
    fields: { version?: string; from?: string | null; to?: string | null; rollout?: string; reason: string },
  ): Promise<void> {
    const atMs = this.options.now();
    const entry: HistoryDoc = {
      atMs,
      by,
      action,
      version: fields.version ?? null,
      from: fields.from ?? null,
      to: fields.to ?? null,
      rollout: fields.rollout ?? null,
      reason: fields.reason,
    };
    await this.options.store.putDocument({
      collection: historyOf(model),
      key: `${String(atMs).padStart(16, "0")}-${String(this.historySeq++).padStart(8, "0")}-${randomUUID().slice(0, 8)}`,
      timeMs: atMs,
      body: JSON.stringify(entry),
    });
  }

  /** Every recorded change of a model's deployment, oldest first. */
  async listHistory(model: string): Promise<HistoryDoc[]> {
    const docs = await this.options.store.listDocuments(
      historyOf(model),
      Number.NEGATIVE_INFINITY,
      Number.POSITIVE_INFINITY,
      100_000,
    );
    return docs.map((d) => JSON.parse(d.body) as HistoryDoc);
  }

  // ---- time and order -------------------------------------------------------------------------

  /** The rollout clock of a model: the newest event time served (event clock), else the wall clock. */
  clock(model: string): number {
    if (this.options.clock === "wall") return this.options.now();
    const served = this.states.get(model)?.clockMs ?? Number.NEGATIVE_INFINITY;
    // What this model served, or the monitor's events of it, whichever is later; the wall clock only
    // before either exists. (The alerting clock falls back to the wall clock until an event has been
    // aggregated, and taken as a maximum that put a rollout started right after the first answer
    // years ahead of the replay's events: no analysis ever fell due.)
    const observed = this.options.modelClock(model);
    const now = Math.max(served, Number.isNaN(observed) ? Number.NEGATIVE_INFINITY : observed);
    return Number.isFinite(now) ? now : this.options.now();
  }

  /** Runs `work` after the model's previous state change has finished (one writer per model). */
  exclusive<T>(model: string, work: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(model) ?? Promise.resolve();
    const next = previous.then(work, work);
    this.chains.set(
      model,
      next.catch(() => undefined),
    );
    return next;
  }

  /** Resolves once every state change queued so far has finished. */
  async settled(): Promise<void> {
    await Promise.all([...this.chains.values()]);
  }
}

/** A rollout as the API answers it: its record, its current weight, limits and verification. */
export function rolloutView(doc: RolloutDoc) {
  return {
    ...doc.rollout,
    weight: canaryWeight(doc.rollout),
    limits: { ...doc.limits },
    verification: doc.verification ?? null,
  };
}
