import { z } from "zod";
import { named } from "./registry.js";

/** The answer of `GET /healthz`. */
export const Liveness = named("Liveness", z.object({ status: z.literal("ok") }));

/** The answer of `GET /readyz` while ready. */
export const Ready = named("Ready", z.object({ status: z.literal("ready") }));

/** The answer of `GET /readyz` while the store refuses writes (503). */
export const NotReady = named(
  "NotReady",
  z.object({
    status: z.literal("not ready"),
    reason: z.string().describe("the store failure's code, e.g. STORE_UNAVAILABLE"),
    message: z.string(),
    since: z.string().describe("ISO 8601"),
  }),
);
export type NotReady = z.infer<typeof NotReady>;

/** The answer of `GET /openapi.json`: an OpenAPI 3.1 document. */
export const OpenApiDocument = named(
  "OpenApiDocument",
  z.looseObject({ openapi: z.string(), info: z.looseObject({}), paths: z.looseObject({}) }),
);
