import { type IngestContext, TIME_RANGE_MS } from "../../monitor/index.js";
import { loadNativeEventScan, type NativeEventScan } from "../../parallel/index.js";

/**
 * The native validating scanner of NDJSON event batches (native/ndjson.c) against an ingest context:
 * the number of events when the body is certainly one that `parseEventBatch` accepts with that
 * context, or -1 when the scanner is not sure (the parser must then decide, and say why). It never
 * answers a count for a body the parser rejects: the API role publishes what it vouched for, and the
 * worker re-parses it with the parser (docs/scale-out.md).
 */
export type EventScanner = (body: Uint8Array, context: IngestContext) => number;

/** What a compiled model was compiled from: reused while the context still says the same. */
interface Compiled {
  readonly columns: IngestContext["columns"];
  readonly classes: IngestContext["classes"];
  readonly task: IngestContext["task"];
  readonly versions: readonly string[];
  /** The addon's model, or null when the scanner must stay out of this model's batches. */
  readonly model: unknown;
}

/**
 * The scanner of this platform's native addon, or null without one (not built, or
 * `TIKTOKTOE_NATIVE=0`): the API role then parses every batch in JavaScript.
 *
 * @example
 * ```ts
 * const scan = eventScanner();
 * const events = scan?.(body, context) ?? -1; // -1: parseEventBatch decides
 * ```
 */
export function eventScanner(native: NativeEventScan | null = loadNativeEventScan()): EventScanner | null {
  if (native === null) return null;
  // Keyed by the context's version set: the registry keeps one per model (its runtime's), and the
  // columns map per model record (ingestContext), so a model compiles once per change of its versions.
  const compiled = new WeakMap<object, Compiled>();
  return (body, context) => {
    const set = context.versions;
    if (!(set instanceof Set) || body.length === 0) return -1;
    let entry = compiled.get(set);
    if (
      entry === undefined ||
      entry.columns !== context.columns ||
      entry.classes !== context.classes ||
      entry.task !== context.task ||
      !sameVersions(entry.versions, set)
    ) {
      entry = compile(native, context, set);
      compiled.set(set, entry);
    }
    if (entry.model === null) return -1;
    return native.scan(
      entry.model,
      body,
      TIME_RANGE_MS.min,
      TIME_RANGE_MS.max,
      context.oldestAcceptedMs,
      context.newestAcceptedMs,
    );
  };
}

function sameVersions(compiled: readonly string[], set: ReadonlySet<string>): boolean {
  if (compiled.length !== set.size) return false;
  let i = 0;
  for (const version of set) if (version !== compiled[i++]) return false;
  return true;
}

// A lone surrogate becomes U+FFFD in the addon's UTF-8 copy, which a body could then match while
// JavaScript's string comparison does not: such names are left out (or the model is, for classes).
const LONE_SURROGATE = /\p{Cs}/u;

function compile(native: NativeEventScan, context: IngestContext, set: ReadonlySet<string>): Compiled {
  const versions = [...set];
  const base = { columns: context.columns, classes: context.classes, task: context.task, versions };
  const classes = context.classes ?? null;
  if (classes?.some((c) => LONE_SURROGATE.test(c))) return { ...base, model: null };
  const names: string[] = [];
  const kinds: number[] = [];
  for (const [name, type] of context.columns) {
    // JSON.parse makes "__proto__" an own key, but readFeatures' write of a categorical value to it
    // would go to the prototype setter: the parser's business alone.
    if (name === "__proto__" || LONE_SURROGATE.test(name)) continue;
    names.push(name);
    kinds.push(type === "numeric" ? 0 : 1);
  }
  return {
    ...base,
    model: native.model(
      context.task !== "regression",
      names,
      Uint8Array.from(kinds),
      versions.filter((v) => !LONE_SURROGATE.test(v)),
      classes,
    ),
  };
}
