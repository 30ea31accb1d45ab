import { z } from "zod";
import { Alert } from "./alerts.js";
import { named } from "./registry.js";

/**
 * The answer of `GET /v1/resources` (docs/resources.md): the machine's windows oldest first, the
 * newest snapshot, the rule thresholds and the resource alerts firing. The windows' and samples'
 * inner entries depend on the collectors present and are left open here.
 */
export const ResourcesReport = named(
  "ResourcesReport",
  z.looseObject({
    now: z.number(),
    instance: z.string(),
    intervalMs: z.number(),
    windowMs: z.number(),
    from: z.number().nullable(),
    to: z.number().nullable(),
    bucket: z.number(),
    windows: z.array(
      z.looseObject({ startMs: z.number(), endMs: z.number(), snapshots: z.number(), open: z.boolean() }),
    ),
    latest: z
      .looseObject({
        timeMs: z.number(),
        collectors: z.array(z.looseObject({ collector: z.string(), status: z.string() })),
        samples: z.array(z.looseObject({})),
      })
      .nullable(),
    thresholds: z.record(
      z.string(),
      z.looseObject({
        alertname: z.string(),
        direction: z.enum(["above", "below"]),
        warning: z.number().nullable(),
        critical: z.number().nullable(),
      }),
    ),
    gpu: z.string(),
    alerts: z.array(Alert),
  }),
);
export type ResourcesReport = z.infer<typeof ResourcesReport>;
