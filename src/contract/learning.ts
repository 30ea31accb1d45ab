import { z } from "zod";
import { named } from "./registry.js";

/** A duration as the configuration writes it: 30m, 1h, 1d, 2w, 1h30m (event time). */
const duration = (what: string) =>
  z
    .string()
    .regex(
      /^(\d+(\.\d+)?(w|d|h|m|s|ms))+$/,
      "must be a duration such as 30m, 1h, 1d or 2w (units ms, s, m, h, d, w)",
    )
    .describe(what);

const GateOptionsInput = z
  .strictObject({
    alpha: z.number().gt(0).lt(0.5).optional(),
    minImprovement: z.number().min(-1).max(1).optional(),
    minSamples: z.int().min(2).optional(),
    minGroupSamples: z.int().min(1).optional(),
    maxGapWidening: z.number().min(0).optional(),
    maxChurn: z.number().min(0).max(1).optional(),
    maxNegativeFlipRate: z.number().min(0).max(1).optional(),
    maxPsi: z.number().min(0).optional(),
    regressionTolerance: z.number().gt(0).optional(),
    confidence: z.number().gt(0).lt(1).optional(),
  })
  .describe("the promotion gate's options; left out: its defaults (docs/learning.md)");

const RolloutInput = z
  .strictObject({
    steps: z.array(z.number().gt(0).max(100)).min(1).max(20).optional(),
    analysisPeriod: duration("time between analyses (default 5m)").optional(),
    progressDeadline: duration("a step not passed in this time rolls back").optional(),
    failureLimit: z.int().min(0).max(100).optional(),
    inconclusiveLimit: z.int().min(0).max(100).optional(),
    limits: z
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
        maxPredictionDrift: z.number().min(0).optional(),
      })
      .optional(),
  })
  .describe("the canary rollout of a candidate that passed the gate (docs/deployment.md)");

/**
 * The body of `PUT /v1/models/{model}/learning`: the model's learning declaration. Every field but
 * `learner` has a default; unknown fields are refused.
 *
 * @example
 * ```ts
 * const body: LearningDeclaration = { learner: "mlp", every: "1w", history: "4w" };
 * ```
 */
export const LearningDeclaration = named(
  "LearningDeclaration",
  z.strictObject({
    enabled: z.boolean().optional().describe("false pauses the loop (default true)"),
    learner: z
      .enum(
        ["linear", "mlp"],
        'learner must be "linear" (src/learn\'s online model) or "mlp" (fine-tune the served ONNX MLP)',
      )
      .describe("linear: an online linear model learned by the loop; mlp: fine-tune production's ONNX MLP"),
    every: duration(
      "a batch of labelled events per this much event time, aligned on it (default 1d)",
    ).optional(),
    labelDelay: duration(
      "how long after an event its label is expected: a batch is read once the clock is this far past its end (default 1h)",
    ).optional(),
    history: duration(
      "mlp: also train on the labelled events this far before the new batch (default 0s: only the new batch)",
    ).optional(),
    minRows: z
      .int()
      .min(1)
      .max(1_000_000)
      .optional()
      .describe("a batch waits for this many labelled rows (default 50)"),
    maxRows: z
      .int()
      .min(1)
      .max(1_000_000)
      .optional()
      .describe("the most rows read per batch (default 100,000)"),
    warmUp: duration("the candidate's shadow warm-up, not judged (default 1h)").optional(),
    evaluation: duration("the gate's evaluation period after the warm-up (default 24h)").optional(),
    importanceWeights: z
      .boolean()
      .optional()
      .describe("weigh the training rows by density ratios to the new batch (default false)"),
    validation: z
      .strictObject({
        thresholds: z.record(z.string(), z.number()).optional().describe("src/learn validation thresholds"),
      })
      .optional(),
    gate: GateOptionsInput.optional(),
    fineTune: z
      .strictObject({
        epochs: z.int().min(1).max(10_000).optional(),
        learningRate: z.number().gt(0).optional(),
        batchSize: z.int().min(1).optional(),
        l1: z.number().min(0).optional(),
        l2: z.number().min(0).optional(),
        seed: z.int().optional(),
        validationFraction: z.number().min(0).lt(1).optional(),
      })
      .optional()
      .describe("mlp: options of fineTuneOnnxMlp"),
    linear: z
      .strictObject({
        optimizer: z.enum(["ftrl", "adagrad", "sgd"]).optional(),
        rate: z.number().gt(0).optional(),
      })
      .optional()
      .describe("linear: the online model's optimizer"),
    rollout: RolloutInput.optional(),
    acceptance: z
      .strictObject({ accuracyDropLimit: z.number().min(0).max(1).optional() })
      .optional()
      .describe("acceptance thresholds handed to the canary rollout"),
  }),
  "A model's continuous-learning declaration.",
);
export type LearningDeclaration = z.infer<typeof LearningDeclaration>;

const Step = z.object({
  step: z.enum([
    "validated",
    "quarantined",
    "updated",
    "shadow",
    "evaluated",
    "promoted",
    "rejected",
    "deployed",
    "rolled-back",
    "failed",
  ]),
  timeMs: z.number().describe("the model's clock (event time in replays) when the step was taken"),
  detail: z.string(),
});

/** One run of the learning loop: a batch of labelled events and what became of it. */
export const LearningRun = named(
  "LearningRun",
  z.object({
    id: z.string().describe("deterministic: the model and the batch's end"),
    model: z.string(),
    fromMs: z.number().nullable().describe("the batch's event-time start (null: from the first event)"),
    toMs: z.number().describe("the batch's event-time end, exclusive"),
    status: z.enum(["quarantined", "shadow", "canary", "deployed", "rejected", "rolled-back", "failed"]),
    rows: z.int(),
    trainingRows: z.int(),
    baseVersion: z.string().nullable(),
    candidate: z.string().nullable(),
    reasons: z.array(z.string()),
    steps: z.array(Step),
    validation: z.unknown(),
    weights: z.object({ ess: z.number(), essFraction: z.number() }).nullable(),
    training: z.record(z.string(), z.unknown()).nullable(),
    periods: z
      .object({
        warmUp: z.object({ start: z.number(), end: z.number() }),
        evaluation: z.object({ start: z.number(), end: z.number() }),
      })
      .nullable(),
    shadowRollout: z.string().nullable(),
    rollout: z.string().nullable(),
    gate: z.unknown().describe("the promotion gate's decision (src/learn/gate.ts), null before it"),
  }),
);
export type LearningRun = z.infer<typeof LearningRun>;

/** The answer of `GET /v1/models/{model}/learning`. */
export const LearningState = named(
  "LearningState",
  z.object({
    model: z.string(),
    declared: z.boolean(),
    config: LearningDeclaration.nullable(),
    checkpointMs: z.number().nullable().describe("the end of the last batch taken (event time)"),
    activeRun: z.string().nullable(),
    runs: z.int().describe("runs recorded"),
    last: LearningRun.nullable(),
  }),
);
export type LearningState = z.infer<typeof LearningState>;

/** The answer of `GET /v1/models/{model}/learning/runs`. */
export const LearningRunList = named("LearningRunList", z.object({ runs: z.array(LearningRun) }));
export type LearningRunList = z.infer<typeof LearningRunList>;
