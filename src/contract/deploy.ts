import { z } from "zod";
import { named } from "./registry.js";

const value = z.union([z.number(), z.string(), z.null()]);
const row = z.record(z.string(), value).describe("one row: a value per feature name");
const time = z.union([z.string(), z.number()]).describe("event time: ISO 8601 with a zone, or epoch ms");

/**
 * The body of `POST /v1/models/{model}/predict`: one row (`input`) or a batch (`inputs`), by feature
 * name; every feature of the model's schema (role `feature`) and no other name but its sensitive
 * attributes, which are recorded for fairness and not fed to the model.
 *
 * @example
 * ```ts
 * const body: PredictRequest = { inputs: [{ temp: 0.3, hum: 0.8 }], key: "user-42" };
 * ```
 */
export const PredictRequest = named(
  "PredictRequest",
  z
    .strictObject({
      input: row.optional(),
      inputs: z.array(row).min(1).max(10_000).optional(),
      key: z
        .string()
        .min(1)
        .max(256)
        .optional()
        .describe("the sticky routing key (a user or session id); the x-tiktoktoe-key header wins"),
      time: time.optional(),
    })
    .refine((b) => (b.input === undefined) !== (b.inputs === undefined), {
      message: "give either input (one row) or inputs (a batch), not both or neither",
      path: ["inputs"],
    }),
  "Rows to predict.",
);
export type PredictRequest = z.infer<typeof PredictRequest>;

/** The answer of `POST /v1/models/{model}/predict`. */
export const PredictAnswer = named(
  "PredictAnswer",
  z.object({
    model: z.string(),
    version: z.string().describe("the version that answered"),
    predictions: z.array(
      z.object({
        id: z.string().describe("the event id: send the label with it to /labels"),
        prediction: z.union([z.number(), z.string()]),
        scores: z.record(z.string(), z.number()).nullable().describe("class scores by class"),
      }),
    ),
    latencyMs: z.number().describe("the model run's measured latency"),
  }),
);
export type PredictAnswer = z.infer<typeof PredictAnswer>;

/** The answer of `PUT /v1/models/{model}/versions/{version}/model`. */
export const ModelUploaded = named(
  "ModelUploaded",
  z.object({
    model: z.string(),
    version: z.string(),
    bytes: z.int(),
    inputs: z.array(
      z.object({
        name: z.string(),
        type: z.string().optional(),
        shape: z.array(z.union([z.number(), z.string()])),
      }),
    ),
    outputs: z.array(
      z.object({
        name: z.string(),
        type: z.string().optional(),
        shape: z.array(z.union([z.number(), z.string()])),
      }),
    ),
  }),
);
export type ModelUploaded = z.infer<typeof ModelUploaded>;

const stage = z.enum(["candidate", "shadow", "canary", "production", "archived"]);
const who = z
  .string()
  .min(1)
  .max(128)
  .optional()
  .describe('who asks (default: the token\'s fingerprint, or "anonymous")');
const reason = z.string().max(2000).optional().describe("why, for the history");

/** The body of `POST /v1/models/{model}/stages`. */
export const StageChange = named(
  "StageChange",
  z.strictObject({
    version: z.string().min(1),
    stage: z.enum(["candidate", "production", "archived"]).describe("shadow and canary are a rollout's"),
    reason,
    by: who,
  }),
);
export type StageChange = z.infer<typeof StageChange>;

const AnalysisLimitsInput = z
  .strictObject({
    alpha: z.number().gt(0).lt(0.5).optional(),
    minLabelled: z.int().min(1).optional(),
    minRequests: z.int().min(1).optional(),
    accuracyDrop: z.number().min(0).max(1).optional(),
    maeIncrease: z.number().min(0).optional(),
    errorRateIncrease: z.number().min(0).max(1).optional(),
    latencyRatio: z.number().min(1).optional(),
    latencySlackMs: z.number().min(0).optional(),
    minAgreement: z.number().min(0).max(1).optional(),
    maxPredictionDrift: z
      .number()
      .min(0)
      .optional()
      .describe("the prediction-drift effect that fails a significant difference (default 0.1)"),
  })
  .describe("analysis limits; left out: the defaults (docs/deployment.md)");

/** The body of `POST /v1/models/{model}/rollouts`. */
export const RolloutRequest = named(
  "RolloutRequest",
  z.strictObject({
    version: z.string().min(1),
    steps: z
      .array(z.number())
      .min(1)
      .max(20)
      .optional()
      .describe("canary weights in percent (default 5, 25, 50, 100)"),
    shadow: z.string().optional().describe("a shadow phase first: 1h, 30m (default none)"),
    analysisPeriod: z.string().optional().describe("time between analyses (default 5m)"),
    progressDeadline: z
      .string()
      .optional()
      .describe("a step not passed in this time rolls back (default 10 periods)"),
    failureLimit: z.int().min(0).max(100).optional(),
    inconclusiveLimit: z.int().min(0).max(100).optional(),
    limits: AnalysisLimitsInput.optional(),
    source: z
      .strictObject({ kind: z.string().min(1).max(64), id: z.string().min(1).max(256) })
      .optional()
      .describe("what produced the candidate: an optimization or learning run"),
    acceptance: z
      .strictObject({ accuracyDropLimit: z.number().min(0).max(1).optional() })
      .optional()
      .describe("the producing run's acceptance thresholds, used as analysis limits"),
    reason,
    by: who,
  }),
);
export type RolloutRequest = z.infer<typeof RolloutRequest>;

/** The body of rollout commands (pause, resume, abort, promote, rollback). */
export const RolloutCommand = named("RolloutCommand", z.strictObject({ reason, by: who }));
export type RolloutCommand = z.infer<typeof RolloutCommand>;

/** A rollout as stored. */
export const RolloutRecord = named(
  "RolloutRecord",
  z.object({
    id: z.string(),
    model: z.string(),
    candidate: z.string(),
    production: z.string(),
    phase: z.enum(["shadow", "canary", "paused", "promoted", "rolled-back", "aborted"]),
    pausedFrom: z.enum(["shadow", "canary"]).nullable(),
    step: z.int(),
    weight: z.number().describe("the canary's traffic share now, percent"),
    spec: z.object({
      steps: z.array(z.number()),
      shadowMs: z.number(),
      analysisPeriodMs: z.number(),
      failureLimit: z.int(),
      inconclusiveLimit: z.int(),
      progressDeadlineMs: z.number(),
    }),
    limits: z.record(z.string(), z.number()),
    startedMs: z.number(),
    stepStartedMs: z.number(),
    lastAnalysisMs: z.number(),
    failures: z.int(),
    inconclusive: z.int(),
    analyses: z.int(),
    reason: z.string().nullable(),
    endedMs: z.number().nullable(),
    source: z.object({ kind: z.string(), id: z.string() }).nullable(),
  }),
);
export type RolloutRecord = z.infer<typeof RolloutRecord>;

/** The answer of `GET /v1/models/{model}/rollouts`. */
export const RolloutList = named("RolloutList", z.object({ rollouts: z.array(RolloutRecord) }));

/** A model's deployment: who serves, every version's stage, the running rollout. */
export const DeploymentState = named(
  "DeploymentState",
  z.object({
    model: z.string(),
    production: z.string().nullable(),
    previous: z.string().nullable().describe("the production before the last promotion: instant rollback"),
    stages: z.record(z.string(), stage),
    rollout: RolloutRecord.nullable(),
    serving: z.boolean().describe("false on a server started with --monitor-only"),
  }),
);
export type DeploymentState = z.infer<typeof DeploymentState>;

/** One analysis of a rollout step. */
export const AnalysisRecord = named(
  "AnalysisRecord",
  z.object({
    rollout: z.string(),
    number: z.int(),
    atMs: z.number(),
    fromMs: z.number(),
    toMs: z.number(),
    phase: z.string(),
    weight: z.number(),
    outcome: z.enum(["pass", "fail", "inconclusive"]),
    metrics: z.array(
      z.object({
        metric: z.string(),
        outcome: z.enum(["pass", "fail", "inconclusive"]),
        canary: z.number().nullable(),
        production: z.number().nullable(),
        nCanary: z.int(),
        nProduction: z.int(),
        pValue: z.number().nullable(),
        limit: z.number().nullable(),
        reason: z.string(),
      }),
    ),
    note: z.string(),
  }),
);
export type AnalysisRecord = z.infer<typeof AnalysisRecord>;

/** The answer of `GET /v1/models/{model}/rollouts/{id}/analyses`. */
export const AnalysisList = named("AnalysisList", z.object({ analyses: z.array(AnalysisRecord) }));

/** One recorded change of a model's deployment. */
export const DeploymentChange = named(
  "DeploymentChange",
  z.object({
    atMs: z.number(),
    by: z.string(),
    action: z.string(),
    version: z.string().nullable(),
    from: z.string().nullable(),
    to: z.string().nullable(),
    rollout: z.string().nullable(),
    reason: z.string(),
  }),
);
export type DeploymentChange = z.infer<typeof DeploymentChange>;

/** The answer of `GET /v1/models/{model}/deployment/history`. */
export const DeploymentHistory = named("DeploymentHistory", z.object({ history: z.array(DeploymentChange) }));
