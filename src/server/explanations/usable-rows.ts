import { TikTokToeError } from "../../errors/index.js";
import type { ModelRecord } from "../../store/index.js";

/** Fewest usable rows an importance is computed on: fewer gives rankings that are mostly noise. */
export const EXPLAIN_MIN_ROWS = 30;

/** The error of a window with fewer than {@link EXPLAIN_MIN_ROWS} usable rows. */
export function tooFew(model: string, version: string, startMs: number, count: number, labelled: boolean) {
  const what = labelled ? "labelled events" : "events";
  return new TikTokToeError(
    "NOT_FOUND",
    `the window of version "${version}" at ${new Date(startMs).toISOString()} has ${count} usable ${what}; importance needs at least ${EXPLAIN_MIN_ROWS}`,
    {
      path: "start",
      hint: labelled
        ? `send the events' labels with POST /v1/models/${model}/labels, or pick a window with more of them`
        : "pick a window with more events",
    },
  );
}

/**
 * A label (or a reference target) as the number the scorer compares with: a binary classifier's
 * positive class (the second declared) is 1, the other 0; a multiclass label is its class index; a
 * regression target its value. NaN for anything else (a label that is not a declared class).
 */
export function truthFunction(record: ModelRecord): (value: number | string | null) => number {
  if (record.task === "regression")
    return (value) => (value === null || value === "" ? Number.NaN : Number(value));
  const classes = record.classes ?? [];
  if (record.task === "binary")
    return (value) =>
      value === null
        ? Number.NaN
        : String(value) === classes[1]
          ? 1
          : String(value) === classes[0]
            ? 0
            : Number.NaN;
  return (value) => {
    const i = value === null ? -1 : classes.indexOf(String(value));
    return i < 0 ? Number.NaN : i;
  };
}

/**
 * A feature value as the ONNX model takes it (docs/configuration.md: categorical values as numeric
 * codes, as for the reference's predictions); NaN when missing. Text that is no number cannot be fed.
 */
export function codeOf(value: number | string | null | undefined, feature: string): number {
  if (value === null || value === undefined) return Number.NaN;
  if (typeof value === "number") return value;
  const code = value.trim() === "" ? Number.NaN : Number(value);
  if (Number.isNaN(code))
    throw new TikTokToeError(
      "REQUEST_INVALID",
      `feature "${feature}" must hold numeric codes to feed the ONNX model, not "${value}"`,
      { path: feature, hint: "encode the categories as numbers in the events and the reference" },
    );
  return code;
}

/** At most `size` ids drawn without replacement (Floyd's algorithm), kept in their order. */
export function sampleIds(ids: readonly string[], size: number, random: () => number): Set<string> {
  if (ids.length <= size) return new Set(ids);
  const chosen = new Set<number>();
  for (let j = ids.length - size; j < ids.length; j++) {
    const t = Math.min(Math.floor(random() * (j + 1)), j);
    chosen.add(chosen.has(t) ? j : t);
  }
  return new Set([...chosen].sort((a, b) => a - b).map((i) => ids[i]!));
}
