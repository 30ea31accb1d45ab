import type { MonitorService } from "../monitor-service.js";

/**
 * Registers the ingest tests' binary model "m" (numeric x, categorical c, sensitive s; classes no/yes)
 * and its versions.
 *
 * @example
 * ```ts
 * await registerBinaryModel(service, ["1", "2"]);
 * ```
 */
export async function registerBinaryModel(service: MonitorService, versions: readonly string[] = ["1"]) {
  await service.registerModel({
    name: "m",
    task: "binary",
    classes: ["no", "yes"],
    features: [
      { name: "x", type: "numeric" },
      { name: "c", type: "categorical" },
      { name: "s", type: "categorical", role: "sensitive" },
    ],
  });
  for (const version of versions) await service.registerVersion("m", { version });
}

/**
 * One NDJSON event line of model "m": version 1 predicting "yes" unless `fields` say otherwise.
 *
 * @example
 * ```ts
 * eventLine({ id: "a", time: 0, features: { x: 1, c: "red", s: "f" } });
 * ```
 */
export const eventLine = (fields: Record<string, unknown>) =>
  JSON.stringify({ version: "1", prediction: "yes", ...fields });
