/**
 * Keeping secrets out of what we say. A Slack webhook URL, a PagerDuty routing key, an SMTP password
 * or a bearer token is a credential: anyone who reads it can post as us. Outcomes, attempt records
 * and logs are stored and shown on the dashboard, so every string that leaves a notifier goes through
 * {@link redact} with the channel's own secrets, and endpoints are named by their origin only.
 */

/**
 * What a secret is replaced with.
 *
 * @example
 * ```ts
 * redact("key abc123", ["abc123"]) === `key ${redacted}`; // true
 * ```
 */
export const redacted = "[REDACTED]";

// Query parameters whose values are credentials by convention.
const secretParameters =
  /([?&](?:token|access_token|api_key|apikey|key|secret|password|pass|sig|signature|routing_key|auth)=)[^&#\s"']*/gi;
// `scheme://user:password@host`: the user part may be a token by itself (GitHub, GitLab style).
const urlUserinfo = /\b([a-z][a-z0-9+.-]*:\/\/)[^/\s@"'<>]+@/gi;
// Slack's webhook path is the credential: /services/T000/B000/XXXX (and /workflows/…, /triggers/…).
const slackHookPath = /(hooks\.slack(?:-gov)?\.com\/)[^\s"'<>]+/gi;
const bearer = /\b(Bearer\s+)[A-Za-z0-9._~+/=-]+/g;

/**
 * Removes secrets from a text: each of `secrets` (and its URL-encoded spelling) wherever it appears
 * — for a URL also its path and query, user info and long path segments, which servers echo alone —
 * and, whatever the list, the usual places credentials hide in URLs and headers — the user info of a
 * URL (`smtp://user:pass@host`), Slack webhook paths, `token=`/`key=`/`sig=`-style query parameters
 * and `Bearer` tokens. Secrets shorter than 4 characters are ignored (replacing every "a" would
 * destroy the text and protect nothing).
 *
 * @example
 * ```ts
 * redact("POST https://hooks.slack.com/services/T0/B0/xyz failed"); // "POST https://hooks.slack.com/[REDACTED] failed"
 * redact("smtp://alerts:hunter22@mail:587 refused"); // "smtp://[REDACTED]@mail:587 refused"
 * redact("routing key 0123456789abcdef rejected", ["0123456789abcdef"]); // "routing key [REDACTED] rejected"
 * ```
 */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  // Longest first, so a secret that contains another is replaced whole.
  const known = [...new Set(secrets.flatMap(variants).filter((secret) => secret.length >= 4))].sort(
    (a, b) => b.length - a.length,
  );
  for (const secret of known) {
    for (const spelling of new Set([secret, encodeURIComponent(secret), encodeURI(secret)]))
      out = out.split(spelling).join(redacted);
  }
  return out
    .replace(urlUserinfo, `$1${redacted}@`)
    .replace(slackHookPath, `$1${redacted}`)
    .replace(secretParameters, `$1${redacted}`)
    .replace(bearer, `$1${redacted}`);
}

/**
 * A secret and the parts of it that a server may echo on their own: for a URL, its path and query
 * (what an HTTP server logs and quotes back), its user info, and each long path segment (Slack's
 * token is the last segment of its webhook path).
 */
function variants(secret: string): string[] {
  let url: URL;
  try {
    url = new URL(secret);
  } catch {
    return [secret];
  }
  const parts = [secret, url.username, url.password, decodeURIComponent(url.password)];
  const pathAndQuery = `${url.pathname}${url.search}`;
  if (pathAndQuery !== "/") parts.push(pathAndQuery);
  if (url.search.length > 1) parts.push(url.search.slice(1));
  parts.push(...url.pathname.split("/").filter((segment) => segment.length >= 12));
  return parts;
}

/**
 * How a notifier names an endpoint in messages: scheme, host and port only, because a path or query
 * can be the credential (Slack's is). An unparseable URL is named `(invalid URL)`, never echoed.
 *
 * @example
 * ```ts
 * endpointName("https://hooks.slack.com/services/T0/B0/xyz"); // "https://hooks.slack.com"
 * ```
 */
export function endpointName(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "(invalid URL)";
  }
}
