import { z } from "zod";
import { named } from "./registry.js";

/** Model and version names: 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * A column of a model's schema.
 *
 * @example
 * ```ts
 * const column: FeatureSpec = { name: "temp", type: "numeric", role: "feature" };
 * ```
 */
export const FeatureSpec = named(
  "FeatureSpec",
  z.object({
    name: z.string().min(1).max(256),
    type: z.enum(["numeric", "categorical"]),
    role: z.enum(["feature", "sensitive"]).describe("sensitive attributes feed fairness, not drift"),
    drift: z.literal(false).optional().describe("false: kept and shown, not drift-tested"),
  }),
);
export type FeatureSpec = z.infer<typeof FeatureSpec>;

/**
 * The body of `POST /v1/models`. The server checks the rest (reserved and duplicate names, classes per task)
 * and reports every problem with its path.
 *
 * @example
 * ```ts
 * const body: ModelDefinition = { name: "bike", task: "regression", features: [{ name: "temp", type: "numeric" }] };
 * ```
 */
export const ModelDefinition = named(
  "ModelDefinition",
  z.strictObject({
    name: z
      .string()
      .regex(NAME, "a name of 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit"),
    task: z.enum(["binary", "multiclass", "regression"], 'one of "binary", "multiclass", "regression"'),
    features: z
      .array(
        z
          .strictObject({
            name: z.string().min(1, "a non-empty string").max(256, "at most 256 characters"),
            type: z.enum(["numeric", "categorical"], 'one of "numeric", "categorical"'),
            role: z.enum(["feature", "sensitive"], 'one of "feature", "sensitive"').optional(),
            drift: z.boolean().optional(),
          })
          .refine((f) => !(f.drift === true && f.role === "sensitive"), {
            path: ["drift"],
            message: "sensitive attributes are never drift-tested: leave drift out",
          }),
        "a non-empty array of columns",
      )
      .min(1, "a non-empty array of columns"),
    classes: z
      .array(z.union([z.string(), z.number()]), "an array of class labels")
      .optional()
      .describe("class labels in score order: two for binary (negative, positive), none for regression"),
  }),
  "A model to register.",
);
export type ModelDefinition = z.infer<typeof ModelDefinition>;

/**
 * A registered model.
 *
 * @example
 * ```ts
 * const model: ModelRecord = { name: "bike", task: "regression", features: [], createdMs: 0 };
 * ```
 */
export const ModelRecord = named(
  "ModelRecord",
  z.object({
    name: z.string(),
    task: z.enum(["binary", "multiclass", "regression"]),
    features: z.array(FeatureSpec),
    classes: z.array(z.string()).optional(),
    createdMs: z.number(),
  }),
);
export type ModelRecord = z.infer<typeof ModelRecord>;

/** The answer of `GET /v1/models`. */
export const ModelList = named("ModelList", z.object({ models: z.array(ModelRecord) }));
export type ModelList = z.infer<typeof ModelList>;

/**
 * The body of `POST /v1/models/{model}/versions`.
 *
 * @example
 * ```ts
 * const body: VersionRegistration = { version: "2", meta: { owner: "ml" } };
 * ```
 */
export const VersionRegistration = named(
  "VersionRegistration",
  z.object({
    version: z.string().regex(NAME, "version must be a name of 1–64 letters, digits, '.', '_' or '-'"),
    meta: z.record(z.string(), z.unknown()).optional().describe("free-form facts (owner, training data)"),
    // Any value passes here so that the server answers ONNX_INVALID (not REQUEST_INVALID) for a
    // non-string too, as for bad base64: one code for every unusable model upload.
    onnx: z
      .unknown()
      .meta({
        type: "string",
        contentEncoding: "base64",
        description: "the .onnx file, base64; checked to load before anything is stored (else ONNX_INVALID)",
      })
      .optional(),
  }),
  "A version to register.",
);
export type VersionRegistration = z.infer<typeof VersionRegistration>;

/** The answer of `POST /v1/models/{model}/versions`. */
export const VersionCreated = named("VersionCreated", z.object({ version: z.string() }));
export type VersionCreated = z.infer<typeof VersionCreated>;

/**
 * A registered version.
 *
 * @example
 * ```ts
 * const version: VersionRecord = { model: "bike", version: "1", createdMs: 0, meta: {} };
 * ```
 */
export const VersionRecord = named(
  "VersionRecord",
  z.object({
    model: z.string(),
    version: z.string(),
    createdMs: z.number(),
    meta: z.record(z.string(), z.unknown()),
    referenceQuality: z
      .object({ version: z.string(), metric: z.string(), value: z.number().nullable(), labelled: z.number() })
      .nullable()
      .optional()
      .describe("the quality metric on the version's reference; null without a labelled reference"),
  }),
);
export type VersionRecord = z.infer<typeof VersionRecord>;

/** The answer of `GET /v1/models/{model}/versions`. */
export const VersionList = named("VersionList", z.object({ versions: z.array(VersionRecord) }));
export type VersionList = z.infer<typeof VersionList>;

/** The answer of `PUT …/reference`: what the stored profile holds. */
export const ReferenceStored = named(
  "ReferenceStored",
  z.object({
    rows: z.int(),
    columns: z.array(z.string()),
    prediction: z.enum(["upload", "onnx"]).nullable().describe("where the reference's predictions came from"),
    target: z.boolean(),
    scores: z.enum(["calibrated", "recalibrated (isotonic)"]).nullable(),
    note: z.string().optional(),
  }),
);
export type ReferenceStored = z.infer<typeof ReferenceStored>;
