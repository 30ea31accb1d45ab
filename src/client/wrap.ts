import type {
  PredictionInput,
  SessionFeeds,
  SessionLike,
  SessionOutputs,
  WrapOptions,
  WrappedRecord,
} from "./types.js";

/**
 * What the wrapper needs from the client: where records go, and where a throwing `toRecords` is counted.
 *
 * @example
 * ```ts
 * const sink: WrapSink = { log: (event) => monitor.logPrediction(event), failed: (error) => console.warn(error) };
 * ```
 */
export interface WrapSink {
  readonly log: (event: PredictionInput) => boolean;
  readonly failed: (error: unknown) => void;
}

/**
 * Returns a proxy of `session` whose `run` calls the original with the same `this` and arguments and
 * hands back the very same result (or exception, synchronous or not); once the result resolved it
 * measures the latency with `performance.now()` and logs the records `options.toRecords` makes of the
 * call. Everything else on the session passes through. Used by `MonitorClient.wrap`.
 *
 * @example
 * ```ts
 * const monitored = wrapSession(session, { toRecords: (f, o) => [{ features: {}, prediction: 1 }] }, sink);
 * await monitored.run(feeds);
 * ```
 */
export function wrapSession<S extends SessionLike>(
  session: S,
  options: WrapOptions<SessionFeeds<S>, SessionOutputs<S>>,
  sink: WrapSink,
): S {
  const toRecords = options?.toRecords;
  const makeId = options?.id ?? defaultId();
  const clock = monotonicClock();
  const observe = (feeds: unknown, outputs: unknown, started: number) => {
    try {
      const latencyMs = Math.max(0, clock() - started);
      if (typeof toRecords !== "function") throw new TypeError("wrap: options.toRecords must be a function");
      const made = toRecords(feeds as SessionFeeds<S>, outputs as SessionOutputs<S>, latencyMs);
      if (made === undefined || made === null) return;
      const records: readonly WrappedRecord[] = Array.isArray(made) ? made : [made as WrappedRecord];
      for (const record of records) {
        // A bad record is the client's to count (invalid input); only a throwing callback lands here.
        if (typeof record !== "object" || record === null) {
          sink.log(record as unknown as PredictionInput);
          continue;
        }
        sink.log({
          ...record,
          id: record.id ?? makeId(),
          latencyMs: record.latencyMs ?? latencyMs,
        });
      }
    } catch (error) {
      sink.failed(error);
    }
  };

  function run(this: unknown, ...args: unknown[]): unknown {
    const started = clock();
    // Called on the session itself, as `session.run(...)` would be: a native session checks its `this`.
    const result: unknown = Reflect.apply(session.run, session, args);
    if (isThenable(result))
      // `then` with no rejection handler passes the session's own error through unchanged.
      return result.then((outputs: unknown) => {
        observe(args[0], outputs, started);
        return outputs;
      });
    observe(args[0], result, started);
    return result;
  }

  // Methods other than run are bound to the session, so that classes with private fields (`#x`),
  // which reject a proxy as `this`, keep working; bound once per function, so identity is stable.
  const bound = new WeakMap<object, unknown>();
  return new Proxy(session, {
    get(target, property) {
      if (property === "run") return run;
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== "function" || property === "constructor") return value;
      let fn = bound.get(value);
      if (fn === undefined) {
        fn = (value as (...a: unknown[]) => unknown).bind(target);
        bound.set(value, fn);
      }
      return fn;
    },
  });
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    typeof (value as { then?: unknown }).then === "function"
  );
}

function monotonicClock(): () => number {
  const perf = (globalThis as { performance?: { now?: () => number } }).performance;
  return typeof perf?.now === "function" ? () => perf.now!() : Date.now;
}

function defaultId(): () => string {
  const crypto = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (typeof crypto?.randomUUID === "function") return () => crypto.randomUUID!();
  // Without Web Crypto: unique within this process, and very unlikely to collide across processes.
  let counter = 0;
  const prefix = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
  return () => `${prefix}-${(counter++).toString(36)}`;
}
