/**
 * One HTTP POST and what its answer means for retrying, shared by the Slack, PagerDuty, webhook and
 * Alertmanager channels: 2xx is success; 429 and 5xx are worth another try (429 after `Retry-After`);
 * any other answer is not; a timeout or a refused connection is.
 */
import type { SendFailure, SendOutcome } from "./notifier.js";
import { endpointName, redact } from "./redact.js";

/**
 * The `User-Agent` our notifiers send, so receivers can tell our requests apart.
 *
 * @example
 * ```ts
 * headers["user-agent"] = userAgent;
 * ```
 */
export const userAgent = "tiktoktoe-notify";

/**
 * The default time one attempt may take, connection to answer (Slack and PagerDuty answer in well
 * under a second; 10 s leaves room for a slow proxy without holding a retry slot for long).
 *
 * @example
 * ```ts
 * new SlackNotifier({ name: "oncall", url, timeoutMs: defaultTimeoutMs / 2 });
 * ```
 */
export const defaultTimeoutMs = 10_000;

/**
 * One POST to make.
 *
 * @example
 * ```ts
 * const request: PostRequest = {
 *   url: "https://events.pagerduty.com/v2/enqueue", body: JSON.stringify(event),
 *   timeoutMs: 10_000, signal, secrets: [routingKey],
 * };
 * ```
 */
export interface PostRequest {
  readonly url: string;
  readonly body: string;
  /** Extra headers; `content-type` defaults to `application/json`. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  /** The caller's signal: when it aborts, the attempt ends as `aborted` (not retried). */
  readonly signal: AbortSignal;
  /** Values that must never appear in a message (pass the URL itself when it is the credential). */
  readonly secrets: readonly string[];
}

/**
 * Posts once and maps the answer to a {@link SendOutcome}. Never throws. Credentials in the URL's
 * user info (`https://user:pass@host/…`, which `fetch` refuses) are sent as basic authentication.
 * Redirects are not followed: a webhook that redirects is misconfigured, and following a redirect
 * would hand the body (and our headers) to another address.
 *
 * @example
 * ```ts
 * const outcome = await post({ url, body: JSON.stringify(payload), timeoutMs: 10_000, signal, secrets: [url] });
 * ```
 */
export async function post(request: PostRequest): Promise<SendOutcome> {
  const secrets = [...request.secrets];
  let target: URL;
  try {
    target = new URL(request.url);
  } catch {
    return failure(false, "client_error", "the endpoint URL is not a valid URL");
  }
  const endpoint = endpointName(request.url);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "user-agent": userAgent,
    ...request.headers,
  };
  if (target.username !== "" || target.password !== "") {
    const user = decodeURIComponent(target.username);
    const password = decodeURIComponent(target.password);
    secrets.push(user, password);
    headers.authorization ??= `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
    target.username = "";
    target.password = "";
  }
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal = AbortSignal.any([request.signal, timeout]);
  try {
    const response = await fetch(target, {
      method: "POST",
      headers,
      body: request.body,
      redirect: "manual",
      signal,
    });
    // The body is read even on success so the connection goes back to the pool.
    const text = await response.text();
    if (response.status >= 200 && response.status < 300) return { ok: true, status: response.status };
    return outcomeForStatus(response.status, response.headers.get("retry-after"), text, endpoint, secrets);
  } catch (error) {
    if (request.signal.aborted) return failure(false, "aborted", `the attempt to ${endpoint} was cancelled`);
    if (timeout.aborted)
      return failure(true, "timeout", `${endpoint} did not answer within ${request.timeoutMs} ms`);
    return failure(true, "network", `could not reach ${endpoint}: ${redact(errorText(error), secrets)}`);
  }
}

/**
 * What an HTTP answer other than 2xx means: 429 is retried after `Retry-After` (when given), 5xx is
 * retried, anything else (400 invalid payload, 403, 404 unknown hook, 410 archived channel, a
 * redirect) is not. The message names the endpoint by origin and quotes the start of the body,
 * redacted.
 *
 * @example
 * ```ts
 * outcomeForStatus(429, "30", "rate limited", "https://hooks.slack.com", []);
 * // { ok: false, retry: true, retryAfterMs: 30000, reason: "rate_limited", status: 429, message: "…" }
 * ```
 */
export function outcomeForStatus(
  status: number,
  retryAfter: string | null,
  body: string,
  endpoint: string,
  secrets: readonly string[],
  now: number = Date.now(),
): SendFailure {
  const snippet = redact(body.replace(/\s+/g, " ").trim().slice(0, 300), secrets);
  const message = `${endpoint} answered ${status}${snippet === "" ? "" : `: ${snippet}`}`;
  if (status === 429) {
    const wait = parseRetryAfter(retryAfter, now);
    return wait === undefined
      ? { ok: false, retry: true, reason: "rate_limited", message, status }
      : { ok: false, retry: true, retryAfterMs: wait, reason: "rate_limited", message, status };
  }
  if (status >= 500) {
    // A 503 may carry Retry-After too (RFC 9110 §10.2.3); honour it the same way.
    const wait = parseRetryAfter(retryAfter, now);
    return wait === undefined
      ? { ok: false, retry: true, reason: "server_error", message, status }
      : { ok: false, retry: true, retryAfterMs: wait, reason: "server_error", message, status };
  }
  const redirect = status >= 300 && status < 400 ? " (redirects are not followed)" : "";
  return { ok: false, retry: false, reason: "client_error", message: `${message}${redirect}`, status };
}

/**
 * `Retry-After` in milliseconds: either delay-seconds (`120`) or an HTTP date (RFC 9110 §10.2.3);
 * a date in the past is 0; anything else is `undefined` (then the delivery stage's own backoff applies).
 *
 * @example
 * ```ts
 * parseRetryAfter("30", Date.now()); // 30000
 * parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", Date.parse("2015-10-21T07:27:00Z")); // 60000
 * parseRetryAfter("soon", Date.now()); // undefined
 * ```
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * Builds a failed outcome without optional fields set to `undefined` (exactOptionalPropertyTypes).
 *
 * @example
 * ```ts
 * failure(true, "network", "could not reach https://example.org: ECONNREFUSED");
 * ```
 */
export function failure(
  retry: boolean,
  reason: SendFailure["reason"],
  message: string,
  status?: number,
): SendFailure {
  return status === undefined
    ? { ok: false, retry, reason, message }
    : { ok: false, retry, reason, message, status };
}

/**
 * The most telling text of a thrown value: `fetch` wraps the socket error (`ECONNREFUSED 127.0.0.1:9`)
 * in its `cause`, which is what a reader needs.
 *
 * @example
 * ```ts
 * errorText(new TypeError("fetch failed", { cause: new Error("connect ECONNREFUSED 127.0.0.1:9") }));
 * // "fetch failed: connect ECONNREFUSED 127.0.0.1:9"
 * ```
 */
export function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${error.message}${cause}`;
}

/**
 * The outcome of a notifier's own bug (it threw while rendering): not retried, since the same input
 * would throw again, and redacted like any other message.
 *
 * @example
 * ```ts
 * try { body = render(notification); } catch (error) { return internalFailure(error, [url]); }
 * ```
 */
export function internalFailure(error: unknown, secrets: readonly string[]): SendFailure {
  return failure(false, "internal", `notifier failed: ${redact(errorText(error), secrets)}`);
}
