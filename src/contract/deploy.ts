import { z } from "zod";
import { named } from "./registry.js";

/** The most rows one predict request may carry, and the longest routing key (the schema and its fast check share them). */
const MAX_PREDICT_ROWS = 10_000;
const MAX_KEY_LENGTH = 256;

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
      inputs: z.array(row).min(1).max(MAX_PREDICT_ROWS).optional(),
      key: z
        .string()
        .min(1)
        .max(MAX_KEY_LENGTH)
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

/**
 * True when `value` is certainly a valid {@link PredictRequest}, decided without building anything
 * (the route's fast path; see Media.check). False means "let the schema decide": it is never true for
 * a value the schema refuses.
 *
 * @example
 * ```ts
 * isPredictRequest({ input: { temp: 0.3 } }); // true
 * isPredictRequest({ input: { temp: 0.3 }, inputs: [] }); // false (the schema explains why)
 * ```
 */
export function isPredictRequest(value: unknown): boolean {
  if (!isPlainObject(value)) return false;
  let rows = 0;
  for (const name in value) {
    const field = value[name];
    if (name === "input") {
      if (!isRow(field)) return false;
      rows++;
    } else if (name === "inputs") {
      if (!Array.isArray(field) || field.length < 1 || field.length > MAX_PREDICT_ROWS) return false;
      for (let i = 0; i < field.length; i++) if (!isRow(field[i])) return false;
      rows++;
    } else if (name === "key") {
      if (typeof field !== "string" || field.length < 1 || field.length > MAX_KEY_LENGTH) return false;
    } else if (name === "time") {
      if (typeof field !== "string" && !isFiniteNumber(field)) return false;
    } else return false;
  }
  return rows === 1;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    Object.getPrototypeOf(value) === Object.prototype
  );
}

function isFiniteNumber(value: unknown): boolean {
  return typeof value === "number" && Number.isFinite(value);
}

function isRow(value: unknown): boolean {
  if (!isPlainObject(value)) return false;
  for (const name in value) {
    // An own "__proto__" (JSON.parse makes one) is left to the schema.
    if (name === "__proto__") return false;
    const cell = value[name];
    if (cell !== null && typeof cell !== "string" && !isFiniteNumber(cell)) return false;
  }
  return true;
}

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

const featureRow = z
  .record(z.string(), z.number())
  .describe("one row: a finite number per feature of the schema (categorical ones as codes)");
const tolerance = z.number().min(0).max(1e9);

/** A golden pair: a row and what the candidate must answer for it. */
const GoldenRow = z.strictObject({
  input: featureRow,
  expected: z
    .strictObject({
      prediction: z
        .union([z.string().min(1), z.number()])
        .optional()
        .describe("the class (classifiers) or the value (regression)"),
      scores: z
        .record(z.string(), z.number())
        .optional()
        .describe("class scores by class name (classifiers); left-out classes are not checked"),
    })
    .refine((e) => e.prediction !== undefined || e.scores !== undefined, {
      message: "give the expected prediction, scores, or both",
    }),
});

/** An invariance check: a perturbation of one feature that must not change the answer. */
const InvarianceCheck = z
  .strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/)
      .describe("the test's name (letters, digits, '.', '_', '-')"),
    feature: z.string().min(1).describe("the feature perturbed"),
    add: z.number().optional().describe("add this to the feature"),
    values: z
      .array(z.number())
      .min(1)
      .max(100)
      .optional()
      .describe("set the feature to each of these values"),
    on: z
      .enum(["reference", "rows"])
      .optional()
      .describe("the rows perturbed: the reference (default without rows) or the declared rows"),
    rows: z.array(featureRow).min(1).max(1000).optional(),
    maxRows: z.int().min(1).max(100_000).optional().describe("reference rows used (default 1,000)"),
    tolerance: tolerance.optional().describe("regression: the largest change allowed (default 0)"),
    maxViolationRate: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe("the fraction of perturbed rows allowed to change (default 0)"),
  })
  .refine((c) => (c.add === undefined) !== (c.values === undefined), {
    message: "give either add (a shift) or values (settings), not both or neither",
    path: ["add"],
  })
  .refine((c) => c.on !== "rows" || c.rows !== undefined, {
    message: 'on: "rows" needs rows',
    path: ["rows"],
  });

/**
 * The body of `PUT /v1/models/{model}/verification`: the tests a candidate version must pass before
 * a rollout gives it any traffic (docs/deployment.md).
 *
 * @example
 * ```ts
 * const body: VerificationDeclaration = {
 *   tests: { golden: { rows: [{ input: { x: 1 }, expected: { prediction: "1" } }] } },
 *   metrics: { latency: { budgetMs: 5 }, agreement: { minAgreement: 0.95 } },
 * };
 * ```
 */
export const VerificationDeclaration = named(
  "VerificationDeclaration",
  z.strictObject({
    tests: z
      .strictObject({
        schema: z
          .boolean()
          .optional()
          .describe("compare inputs and outputs with production's (default true)"),
        golden: z
          .strictObject({
            rows: z.array(GoldenRow).min(1).max(1000),
            absTolerance: tolerance.optional().describe("default 1e-4"),
            relTolerance: tolerance.optional().describe("default 1e-3"),
          })
          .optional(),
        invariance: z.array(InvarianceCheck).max(50).optional(),
      })
      .optional(),
    metrics: z
      .strictObject({
        latency: z
          .strictObject({
            budgetMs: z.number().gt(0).max(3_600_000).describe("the largest p99 of single-row runs"),
            runs: z.int().min(10).max(10_000).optional().describe("timed runs (default 200)"),
          })
          .optional(),
        agreement: z
          .strictObject({
            minAgreement: z
              .number()
              .min(0)
              .max(1)
              .optional()
              .describe("classifiers: the least fraction of equal classes (default 0.9)"),
            maxMeanAbsDiff: tolerance
              .optional()
              .describe(
                "regression: the largest mean absolute difference (default 5 % of production's mean |value|)",
              ),
            maxRows: z.int().min(1).max(100_000).optional().describe("reference rows used (default 10,000)"),
          })
          .optional(),
      })
      .optional(),
    reason,
    by: who,
  }),
  "The verification tests of a model's candidates.",
);
export type VerificationDeclaration = z.infer<typeof VerificationDeclaration>;

/** The answer of `GET`/`PUT /v1/models/{model}/verification`. */
export const VerificationDeclared = named(
  "VerificationDeclared",
  z.object({
    model: z.string(),
    declared: z.boolean().describe("false: none declared, the defaults apply (schema and agreement)"),
    declaration: z.record(z.string(), z.unknown()).describe("the declaration as stored"),
    atMs: z.number().nullable(),
    by: z.string().nullable(),
  }),
);
export type VerificationDeclared = z.infer<typeof VerificationDeclared>;

/** One verification test's result (also a `problem` of VERIFICATION_FAILED). */
export const VerificationTest = named(
  "VerificationTest",
  z.object({
    name: z.string(),
    kind: z.enum(["schema", "golden", "invariance", "latency", "agreement"]),
    outcome: z.enum(["pass", "fail", "skipped"]),
    value: z.number().nullable(),
    limit: z.number().nullable(),
    n: z.number().nullable(),
    figures: z.record(z.string(), z.number().nullable()),
    reason: z.string(),
  }),
);
export type VerificationTest = z.infer<typeof VerificationTest>;

/** A verification run of a version: every test's result. */
export const VerificationRecord = named(
  "VerificationRecord",
  z.object({
    id: z.string(),
    model: z.string(),
    version: z.string(),
    production: z.string().nullable().describe("the version it was compared with"),
    atMs: z.number(),
    by: z.string(),
    trigger: z.enum(["command", "rollout"]),
    rollout: z.string().nullable().describe("the rollout it was run for"),
    declared: z.boolean().describe("false: the defaults ran (no declaration)"),
    reference: z.string().nullable().describe("whose reference rows were used"),
    outcome: z.enum(["pass", "fail"]),
    tests: z.array(VerificationTest),
  }),
);
export type VerificationRecord = z.infer<typeof VerificationRecord>;

/** The answer of `GET /v1/models/{model}/verifications`. */
export const VerificationList = named(
  "VerificationList",
  z.object({ verifications: z.array(VerificationRecord) }),
);
export type VerificationList = z.infer<typeof VerificationList>;

/** The body of `POST /v1/models/{model}/versions/{version}/verify`. */
export const VerifyRequest = named("VerifyRequest", z.strictObject({ by: who }));
export type VerifyRequest = z.infer<typeof VerifyRequest>;

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
    verification: VerificationRecord.nullable()
      .optional()
      .describe("the verification run before any traffic (absent on rollouts older than it)"),
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
