/**
 * The delivery stage: the one place that retries. Notifiers make one attempt each; this stage calls
 * one again while its outcome says a retry can help, waiting an exponential backoff with full jitter
 * (AWS's "Exponential Backoff And Jitter": replicas and groups that failed together do not retry
 * together) and at least what the other side asked for in `Retry-After`, within a bound on attempts
 * and on elapsed time (Alertmanager bounds its retries by the group interval; so should the caller).
 * Every attempt is reported through `onAttempt`, for the attempt log and the metrics. It never throws.
 */
import { setTimeout as delay } from "node:timers/promises";
import { errorText, failure } from "./http.js";
import type { Notification } from "./notification.js";
import type { ChannelType, Notifier, SendOutcome } from "./notifier.js";
import { redact } from "./redact.js";

/**
 * One attempt, as recorded: which channel, the attempt's number (from 1), its outcome, when it
 * started (RFC 3339), how long it took, and how long the stage waits before the next one (`null`
 * when this attempt was the last).
 *
 * @example
 * ```ts
 * const record: AttemptRecord = {
 *   notifier: "slack-oncall", kind: "slack", attempt: 1, at: "2026-11-27T10:00:00.000Z", durationMs: 84,
 *   outcome: { ok: false, retry: true, retryAfterMs: 1000, reason: "rate_limited", status: 429, message: "…" },
 *   nextDelayMs: 1000,
 * };
 * ```
 */
export interface AttemptRecord {
  /** The channel's name. */
  readonly notifier: string;
  readonly kind: ChannelType;
  readonly groupKey: string;
  readonly attempt: number;
  readonly outcome: SendOutcome;
  readonly at: string;
  readonly durationMs: number;
  readonly nextDelayMs: number | null;
}

/**
 * Why the stage stopped without success: the outcome said retrying cannot help (`permanent`), the
 * attempts ran out (`max_attempts`), the next wait would pass the elapsed-time bound (`max_elapsed`),
 * or the caller's signal aborted (`aborted`).
 *
 * @example
 * ```ts
 * if (result.gaveUp === "max_elapsed") console.log("still failing after the retry window");
 * ```
 */
export type GiveUpReason = "permanent" | "max_attempts" | "max_elapsed" | "aborted";

/**
 * The end of a delivery: whether it succeeded, after how many attempts and how long, the last
 * attempt's outcome, and why it gave up when it did.
 *
 * @example
 * ```ts
 * const result: DeliveryResult = await deliver(slack, notification);
 * if (!result.ok) console.log(result.gaveUp, result.outcome);
 * ```
 */
export type DeliveryResult =
  | {
      readonly ok: true;
      readonly attempts: number;
      readonly elapsedMs: number;
      readonly outcome: SendOutcome;
    }
  | {
      readonly ok: false;
      readonly attempts: number;
      readonly elapsedMs: number;
      readonly outcome: SendOutcome;
      readonly gaveUp: GiveUpReason;
    };

/**
 * The retry policy and the hooks of {@link deliver}; every field has a default.
 *
 * @example
 * ```ts
 * const options: DeliveryOptions = {
 *   maxAttempts: 5, maxElapsedMs: 60_000,
 *   onAttempt: (record) => attemptLog.insert(record),
 *   signal: shutdown.signal,
 * };
 * ```
 */
export interface DeliveryOptions {
  /** Attempts in all, the first included (default 10). */
  readonly maxAttempts?: number;
  /**
   * Time from the first attempt after which no further attempt starts (default 5 minutes,
   * Alertmanager's default group interval: past it the next notification of the group is due).
   */
  readonly maxElapsedMs?: number;
  /** Backoff cap before jitter for the first retry (default 1 s); doubles each retry. */
  readonly initialDelayMs?: number;
  /** Upper bound of the backoff before jitter (default 60 s). */
  readonly maxDelayMs?: number;
  /** Growth of the backoff per retry (default 2). */
  readonly multiplier?: number;
  /** Called after every attempt, before any wait. Exceptions it throws are ignored. */
  readonly onAttempt?: (record: AttemptRecord) => void;
  /** Ends the delivery (and an attempt in flight) early, e.g. at shutdown. */
  readonly signal?: AbortSignal;
  /** Uniform random numbers in [0, 1), for the jitter (default `Math.random`). */
  readonly random?: () => number;
  /** Waits `ms`; rejects or returns early when `signal` aborts (default: a timer). */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Milliseconds since the epoch (default `Date.now`). */
  readonly now?: () => number;
}

/**
 * The defaults of {@link DeliveryOptions}.
 *
 * @example
 * ```ts
 * deliver(notifier, notification, { ...deliveryDefaults, maxAttempts: 3 });
 * ```
 */
export const deliveryDefaults = {
  maxAttempts: 10,
  maxElapsedMs: 5 * 60_000,
  initialDelayMs: 1_000,
  maxDelayMs: 60_000,
  multiplier: 2,
} as const;

/**
 * The wait before retry number `retry` (1 for the first retry): full jitter, uniform in
 * [0, min(maxDelay, initial × multiplier^(retry−1))), and never less than `retryAfterMs`.
 *
 * @example
 * ```ts
 * backoffDelay(3, undefined, () => 0.5); // 2000: half of the 4 s cap of the third retry
 * backoffDelay(1, 30_000, () => 0.5); // 30000: Retry-After wins
 * ```
 */
export function backoffDelay(
  retry: number,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
  policy: Pick<DeliveryOptions, "initialDelayMs" | "maxDelayMs" | "multiplier"> = {},
): number {
  const initial = policy.initialDelayMs ?? deliveryDefaults.initialDelayMs;
  const cap = policy.maxDelayMs ?? deliveryDefaults.maxDelayMs;
  const multiplier = policy.multiplier ?? deliveryDefaults.multiplier;
  const ceiling = Math.min(cap, initial * multiplier ** Math.max(0, retry - 1));
  const jittered = Math.floor(Math.min(Math.max(random(), 0), 1) * ceiling);
  return Math.max(jittered, retryAfterMs ?? 0);
}

/** What follows an attempt: nothing (it succeeded), a retry after a wait, or giving up with a reason. */
export type DeliveryStep =
  | { readonly kind: "done" }
  | { readonly kind: "retry"; readonly waitMs: number }
  | { readonly kind: "give-up"; readonly reason: GiveUpReason };

/**
 * The one retry rule of every delivery — `deliver` (the CLI's `alerts test`) and the server's durable
 * outbox alike: retry while the outcome allows (`retry: true`), after {@link backoffDelay} (never
 * sooner than Retry-After), until `maxAttempts` or until the next attempt would start after
 * `maxElapsedMs`. Pure: the caller waits, or schedules the next attempt in its store.
 *
 * @example
 * ```ts
 * const step = nextDeliveryStep(attempts, outcome, Date.now() - firstAttemptMs, { maxAttempts: 12 });
 * if (step.kind === "retry") schedule(step.waitMs);
 * ```
 */
export function nextDeliveryStep(
  attempt: number,
  outcome: SendOutcome,
  elapsedMs: number,
  policy: Pick<
    DeliveryOptions,
    "maxAttempts" | "maxElapsedMs" | "initialDelayMs" | "maxDelayMs" | "multiplier"
  > = {},
  random: () => number = Math.random,
): DeliveryStep {
  if (outcome.ok) return { kind: "done" };
  if (outcome.reason === "aborted") return { kind: "give-up", reason: "aborted" };
  if (!outcome.retry) return { kind: "give-up", reason: "permanent" };
  if (attempt >= Math.max(1, policy.maxAttempts ?? deliveryDefaults.maxAttempts))
    return { kind: "give-up", reason: "max_attempts" };
  const waitMs = backoffDelay(attempt, outcome.retryAfterMs, random, policy);
  if (elapsedMs + waitMs > (policy.maxElapsedMs ?? deliveryDefaults.maxElapsedMs))
    return { kind: "give-up", reason: "max_elapsed" };
  return { kind: "retry", waitMs };
}

/**
 * Delivers one notification through one notifier: attempts, and retries while the outcome allows
 * (`retry: true`: 429, 5xx, timeouts, broken connections, SMTP 4xx), waiting {@link backoffDelay};
 * stops on success, on a permanent failure (other 4xx, SMTP 5xx), after `maxAttempts`, when the next
 * attempt would start after `maxElapsedMs`, or when `signal` aborts. Reports every attempt to
 * `onAttempt`. Never throws: a notifier that throws (a bug) counts as a permanent `internal` failure.
 *
 * @example
 * ```ts
 * const result = await deliver(slack, notification, {
 *   onAttempt: ({ notifier, attempt, outcome, durationMs }) => metrics.observe(notifier, outcome, durationMs),
 * });
 * result.ok; // true once Slack answered 200
 * ```
 */
export async function deliver(
  notifier: Notifier,
  notification: Notification,
  options: DeliveryOptions = {},
): Promise<DeliveryResult> {
  const maxAttempts = Math.max(1, options.maxAttempts ?? deliveryDefaults.maxAttempts);
  const maxElapsedMs = options.maxElapsedMs ?? deliveryDefaults.maxElapsedMs;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? defaultSleep;
  const signal = options.signal ?? new AbortController().signal;
  const started = now();

  for (let attempt = 1; ; attempt++) {
    const at = now();
    const outcome = await attemptOnce(notifier, notification, signal);
    const durationMs = Math.max(0, now() - at);
    const elapsed = () => Math.max(0, now() - started);

    const step = signal.aborted
      ? ({ kind: "give-up", reason: "aborted" } as const)
      : nextDeliveryStep(attempt, outcome, elapsed(), { ...options, maxAttempts, maxElapsedMs }, random);
    const gaveUp: GiveUpReason | undefined = step.kind === "give-up" ? step.reason : undefined;
    const wait: number | null = step.kind === "retry" ? step.waitMs : null;
    report(options.onAttempt, {
      notifier: notifier.name,
      kind: notifier.kind,
      groupKey: notification.groupKey,
      attempt,
      outcome,
      at: new Date(at).toISOString(),
      durationMs,
      nextDelayMs: wait,
    });
    if (outcome.ok) return { ok: true, attempts: attempt, elapsedMs: elapsed(), outcome };
    if (gaveUp !== undefined) return { ok: false, attempts: attempt, elapsedMs: elapsed(), outcome, gaveUp };

    try {
      await sleep(wait!, signal);
    } catch {
      // The only way the sleep fails is the signal aborting it; handled just below.
    }
    if (signal.aborted)
      return { ok: false, attempts: attempt, elapsedMs: elapsed(), outcome, gaveUp: "aborted" };
  }
}

async function attemptOnce(
  notifier: Notifier,
  notification: Notification,
  signal: AbortSignal,
): Promise<SendOutcome> {
  if (signal.aborted) return failure(false, "aborted", "the delivery was cancelled before the attempt");
  try {
    return await notifier.send(notification, signal);
  } catch (error) {
    // Notifiers must not throw; one that does has a bug, and the same input would throw again.
    return failure(false, "internal", `notifier ${notifier.name} threw: ${redact(errorText(error))}`);
  }
}

function report(onAttempt: DeliveryOptions["onAttempt"], record: AttemptRecord): void {
  if (onAttempt === undefined) return;
  try {
    onAttempt(record);
  } catch {
    // Recording is best effort: a failing attempt log must not stop, or double, a page going out.
  }
}

function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  return delay(ms, undefined, { signal });
}
