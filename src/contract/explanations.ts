import { z } from "zod";
import { named } from "./registry.js";

const ImportanceEntry = z.object({ feature: z.string(), mean: z.number(), std: z.number() });

/** A window's feature importance (docs/explainability.md). */
export const Importance = named(
  "Importance",
  z.looseObject({
    model: z.string(),
    version: z.string(),
    start: z.string(),
    startMs: z.number(),
    endMs: z.number(),
    method: z.enum(["permutation", "linear"]),
    scoring: z.string(),
    baseline: z.number().nullable(),
    rows: z.int(),
    repeats: z.int(),
    count: z.int(),
    skipped: z.int(),
    importances: z.array(ImportanceEntry),
    ranking: z.array(z.string()),
    reference: z
      .looseObject({
        method: z.enum(["permutation", "linear"]),
        scoring: z.string(),
        baseline: z.number().nullable(),
        rows: z.int(),
        importances: z.array(ImportanceEntry),
        ranking: z.array(z.string()),
      })
      .nullable(),
    attributionDrift: z
      .looseObject({
        ndcg: z.number().nullable(),
        spearman: z.number().nullable(),
        k: z.number(),
        threshold: z.number(),
        reasons: z.array(z.enum(["ranking", "importance"])),
        drifted: z.boolean(),
        topChanges: z.array(
          z.object({
            feature: z.string(),
            reference: z.number(),
            current: z.number(),
            referenceRank: z.number(),
            currentRank: z.number(),
          }),
        ),
      })
      .nullable(),
    notes: z.array(z.string()).optional(),
  }),
);
export type Importance = z.infer<typeof Importance>;
