import type { ArmObservations, Rollout } from "../../deploy/index.js";
import type { ModelRecord, Store } from "../../store/index.js";

/** The id suffix of a shadow's recorded answer (its label is the served event's, joined by the analysis). */
export const SHADOW_SUFFIX = ":shadow";

/**
 * What each arm of a rollout did in [fromMs, toMs), read from the monitor's log: the events served
 * by each version (a shadow's told apart by its id suffix), their latencies, predictions and scores,
 * and the labels joined to them (a shadow's answer is judged by the label of the request it copied).
 * The analysis (src/deploy/analysis.ts) compares the two. Requests and errors are counted by the
 * service as it serves, not here.
 *
 * @example
 * ```ts
 * const { canary, production } = await observeArms(store, record, rollout, stepStartedMs, now);
 * ```
 */
export async function observeArms(
  store: Pick<Store, "readModelBatches">,
  record: ModelRecord,
  rollout: Pick<Rollout, "candidate" | "production">,
  fromMs: number,
  toMs: number,
): Promise<{ canary: ArmObservations; production: ArmObservations }> {
  const arm = () => ({
    latenciesMs: [] as number[],
    predictions: [] as string[],
    scores: record.task === "binary" ? ([] as number[]) : null,
    correct: record.task === "regression" ? null : { labelled: 0, correct: 0 },
    absoluteErrors: record.task === "regression" ? ([] as number[]) : null,
  });
  const canary = arm();
  const production = arm();
  const shadowPredictions = new Map<string, string | number>();
  const inRange = (t: number) => t >= fromMs && t < toMs;
  const label = (
    into: ReturnType<typeof arm>,
    prediction: string | number | null | undefined,
    value: string | number,
  ) => {
    if (prediction === null || prediction === undefined) return;
    if (into.correct !== null) {
      into.correct.labelled++;
      if (String(prediction) === String(value)) into.correct.correct++;
    } else into.absoluteErrors?.push(Math.abs(Number(prediction) - Number(value)));
  };
  const labels: Array<{ id: string; value: string | number; version: string; prediction: unknown }> = [];
  let after = 0;
  for (;;) {
    const batches = await store.readModelBatches(record.name, fromMs, Number.POSITIVE_INFINITY, after, 256);
    if (batches.length === 0) break;
    for (const batch of batches) {
      after = batch.sequence ?? after;
      const text = Buffer.from(batch.payload).toString("utf8");
      for (const line of text.split("\n")) {
        if (line.length === 0) continue;
        const value = JSON.parse(line) as Record<string, unknown>;
        if (batch.kind === "events") {
          const time = typeof value.time === "number" ? value.time : Date.parse(String(value.time));
          if (!inRange(time)) continue;
          const id = String(value.id);
          const version = value.version;
          const into =
            version === rollout.candidate
              ? canary
              : version === rollout.production && !id.endsWith(SHADOW_SUFFIX)
                ? production
                : null;
          if (into === null) continue;
          if (typeof value.latency_ms === "number") into.latenciesMs.push(value.latency_ms);
          const prediction = value.prediction as string | number | null;
          if (prediction !== null) into.predictions.push(String(prediction));
          const scores = value.scores as number[] | null;
          if (into.scores !== null && Array.isArray(scores) && scores.length === 2)
            into.scores.push(scores[1]!);
          if (id.endsWith(SHADOW_SUFFIX) && prediction !== null)
            shadowPredictions.set(id.slice(0, -SHADOW_SUFFIX.length), prediction);
        } else {
          const l = value.label as { id: string; value: string | number };
          const e = value.event as { version: string; time: number; join: { prediction: unknown } };
          if (!inRange(e.time)) continue;
          labels.push({ id: l.id, value: l.value, version: e.version, prediction: e.join.prediction });
        }
      }
    }
  }
  for (const l of labels) {
    if (l.version === rollout.candidate) label(canary, l.prediction as string | number, l.value);
    else if (l.version === rollout.production) label(production, l.prediction as string | number, l.value);
    const shadow = shadowPredictions.get(l.id);
    if (shadow !== undefined) label(canary, shadow, l.value);
  }
  // A binary model's scores feed the drift test only when every prediction had them.
  const finish = (a: ReturnType<typeof arm>): ArmObservations => ({
    requests: 0,
    errors: 0,
    ...a,
    scores: a.scores !== null && a.scores.length === a.predictions.length ? a.scores : null,
  });
  return { canary: finish(canary), production: finish(production) };
}
