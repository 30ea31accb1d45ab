/**
 * The `channels` configuration: a pure check of the object (every problem at once, each with its
 * path, none quoting a secret), separate from reading the secrets it points to (`secrets.ts`), so the
 * check runs in tests and at `--check` time without files or environment.
 */

import { type ChannelType, channelTypes } from "./notifier.js";

/**
 * Where a secret comes from: the value itself (fine for tests, discouraged in files), a file (a
 * mounted Docker/Kubernetes secret; a trailing newline is dropped) or an environment variable.
 *
 * @example
 * ```ts
 * const inline: SecretRef = "https://hooks.slack.com/services/T0/B0/xyz";
 * const mounted: SecretRef = { file: "/run/secrets/slack" };
 * const fromEnv: SecretRef = { env: "SLACK_URL" };
 * ```
 */
export type SecretRef = string | { readonly file: string } | { readonly env: string };

interface ChannelCommon {
  /** Per-attempt timeout in milliseconds (default 10,000). */
  readonly timeout_ms?: number;
  /**
   * Whether the dispatcher also notifies this channel when a group resolves. Defaults follow
   * Alertmanager: false for Slack and email, true for PagerDuty, webhooks and Alertmanager.
   */
  readonly send_resolved: boolean;
}

/**
 * A Slack incoming webhook.
 *
 * @example
 * ```ts
 * const slack: SlackChannel = { type: "slack", url: { env: "SLACK_URL" }, send_resolved: false };
 * ```
 */
export interface SlackChannel extends ChannelCommon {
  readonly type: "slack";
  readonly url: SecretRef;
  readonly max_alerts?: number;
}

/**
 * A PagerDuty service (Events API v2).
 *
 * @example
 * ```ts
 * const pager: PagerDutyChannel = { type: "pagerduty", routing_key: { file: "/run/secrets/pd" }, send_resolved: true };
 * ```
 */
export interface PagerDutyChannel extends ChannelCommon {
  readonly type: "pagerduty";
  readonly routing_key: SecretRef;
  /** Events endpoint; default https://events.pagerduty.com/v2/enqueue. */
  readonly url?: string;
  readonly source?: string;
}

/**
 * Email over SMTP.
 *
 * @example
 * ```ts
 * const mail: EmailChannel = {
 *   type: "email", smtp: { env: "SMTP_URL" }, from: "tiktoktoe@example.org", to: ["oncall@example.org"], send_resolved: false,
 * };
 * ```
 */
export interface EmailChannel extends ChannelCommon {
  readonly type: "email";
  /** `smtp://user:pass@host:port` or `smtps://…`. */
  readonly smtp: SecretRef;
  readonly from: string;
  readonly to: readonly string[];
}

/**
 * A generic webhook (Alertmanager's payload v4).
 *
 * @example
 * ```ts
 * const hook: WebhookChannel = { type: "webhook", url: "https://bridge.example.org/alerts", token: { env: "HOOK_TOKEN" }, send_resolved: true };
 * ```
 */
export interface WebhookChannel extends ChannelCommon {
  readonly type: "webhook";
  readonly url: SecretRef;
  readonly token?: SecretRef;
  readonly max_alerts?: number;
}

/**
 * A real Alertmanager that receives our alerts.
 *
 * @example
 * ```ts
 * const am: AlertmanagerChannel = { type: "alertmanager", url: "http://alertmanager:9093", send_resolved: true };
 * ```
 */
export interface AlertmanagerChannel extends ChannelCommon {
  readonly type: "alertmanager";
  readonly url: SecretRef;
}

/**
 * One configured channel, with its defaults filled in.
 *
 * @example
 * ```ts
 * function describe(channel: ChannelConfig) { return channel.type; }
 * ```
 */
export type ChannelConfig =
  | SlackChannel
  | PagerDutyChannel
  | EmailChannel
  | WebhookChannel
  | AlertmanagerChannel;

/**
 * What is wrong with a key: an unknown key, a wrong type or missing value, a bad value, or a secret
 * that could not be read (`secret`, from `resolveChannels`).
 *
 * @example
 * ```ts
 * const kind: ChannelProblemKind = "unknown_key";
 * ```
 */
export type ChannelProblemKind = "unknown_key" | "type" | "value" | "secret";

/**
 * One problem, shaped as the monitor configuration's (`config/problems.ts`) so the two can be
 * reported together: the path (`channels.slack-oncall.url`), what is wrong and what to do. A message
 * never contains a secret's value; file paths and variable names are not secrets and are named.
 *
 * @example
 * ```ts
 * const problem: ChannelProblem = {
 *   kind: "type", path: "channels.pager.routing_key", message: "is missing",
 *   hint: "give the PagerDuty integration key, e.g. { env: PAGERDUTY_KEY }",
 * };
 * ```
 */
export interface ChannelProblem {
  readonly kind: ChannelProblemKind;
  readonly path: string;
  readonly message: string;
  readonly hint: string;
}

/**
 * The result of {@link parseChannels}: the channels by name, or every problem.
 *
 * @example
 * ```ts
 * const result: ChannelsResult = parseChannels(config.channels);
 * if (!result.ok) for (const p of result.problems) console.error(`${p.path}: ${p.message}`);
 * ```
 */
export type ChannelsResult =
  | { readonly ok: true; readonly channels: Readonly<Record<string, ChannelConfig>> }
  | { readonly ok: false; readonly problems: readonly ChannelProblem[] };

/**
 * Options of {@link parseChannels}.
 *
 * @example
 * ```ts
 * parseChannels(raw, { path: "alerting.channels" });
 * ```
 */
export interface ParseChannelsOptions {
  /** Path of the object in the whole configuration, prefixed to every problem (default `channels`). */
  readonly path?: string;
}

/**
 * The pattern of a channel name: it is a metric label value and a path segment, so letters, digits,
 * `_` and `-`, 1–64 long, starting with a letter or digit.
 *
 * @example
 * ```ts
 * channelNamePattern.test("slack-oncall"); // true
 * ```
 */
export const channelNamePattern = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

const commonKeys = ["type", "timeout_ms", "send_resolved"] as const;
const keysByType: Record<ChannelType, readonly string[]> = {
  slack: [...commonKeys, "url", "max_alerts"],
  pagerduty: [...commonKeys, "routing_key", "url", "source"],
  email: [...commonKeys, "smtp", "from", "to"],
  webhook: [...commonKeys, "url", "token", "max_alerts"],
  alertmanager: [...commonKeys, "url"],
};
const sendResolvedDefault: Record<ChannelType, boolean> = {
  slack: false,
  pagerduty: true,
  email: false,
  webhook: true,
  alertmanager: true,
};
const maxTimeoutMs = 120_000;

/**
 * Checks a `channels` object and fills in defaults; pure. Reports every problem with its path:
 * a channel name that is not a plain name, an unknown `type` (listing the known ones), an unknown key
 * (listing the keys of that type), a missing or malformed secret reference, a URL that does not parse
 * or has the wrong scheme (http(s) for Slack, PagerDuty, webhooks and Alertmanager; smtp(s) for
 * email), an email address without `@`, an empty `to`, a timeout or `max_alerts` out of range. A
 * secret given inline is checked but never quoted.
 *
 * @example
 * ```ts
 * const result = parseChannels({
 *   "slack-oncall": { type: "slack", url: { file: "/run/secrets/slack" } },
 *   pager: { type: "pagerduty", routing_key: { env: "PD_KEY" } },
 * });
 * result.ok && result.channels["slack-oncall"]!.send_resolved; // false (Alertmanager's default for Slack)
 * ```
 */
export function parseChannels(input: unknown, options: ParseChannelsOptions = {}): ChannelsResult {
  const root = options.path ?? "channels";
  const problems: ChannelProblem[] = [];
  const channels: Record<string, ChannelConfig> = {};
  if (!isObject(input)) {
    problems.push({
      kind: "type",
      path: root,
      message: `must be an object of channels by name, got ${describeType(input)}`,
      hint: 'e.g. { "slack-oncall": { type: slack, url: { env: SLACK_URL } } }',
    });
    return { ok: false, problems };
  }
  for (const [name, raw] of Object.entries(input)) {
    const path = joinPath(root, name);
    if (!channelNamePattern.test(name))
      problems.push({
        kind: "value",
        path,
        message: "is not a valid channel name",
        hint: "use letters, digits, _ and - (at most 64), starting with a letter or digit",
      });
    const channel = parseChannel(raw, path, problems);
    if (channel !== undefined) channels[name] = channel;
  }
  return problems.length === 0 ? { ok: true, channels } : { ok: false, problems };
}

function parseChannel(raw: unknown, path: string, problems: ChannelProblem[]): ChannelConfig | undefined {
  if (!isObject(raw)) {
    problems.push({
      kind: "type",
      path,
      message: `must be an object, got ${describeType(raw)}`,
      hint: `give { type: ${channelTypes.join(" | ")}, … }`,
    });
    return undefined;
  }
  const type = raw.type;
  if (typeof type !== "string" || !(channelTypes as readonly string[]).includes(type)) {
    problems.push({
      kind: type === undefined ? "type" : "value",
      path: joinPath(path, "type"),
      message:
        type === undefined
          ? "is missing"
          : typeof type === "string"
            ? `${JSON.stringify(type)} is not a channel type`
            : `must be a string, got ${describeType(type)}`,
      hint: `one of ${channelTypes.join(", ")}`,
    });
    return undefined;
  }
  const kind = type as ChannelType;
  const allowed = keysByType[kind];
  for (const key of Object.keys(raw))
    if (!allowed.includes(key))
      problems.push({
        kind: "unknown_key",
        path: joinPath(path, key),
        message: `unknown key for a ${kind} channel`,
        hint: `the keys of a ${kind} channel are ${allowed.join(", ")}`,
      });

  const before = problems.length;
  const common = {
    send_resolved: optionalBoolean(raw, "send_resolved", path, problems) ?? sendResolvedDefault[kind],
    ...optional("timeout_ms", optionalInteger(raw, "timeout_ms", path, problems, 1, maxTimeoutMs)),
  };
  let channel: ChannelConfig | undefined;
  switch (kind) {
    case "slack": {
      const url = secretRef(raw, "url", path, problems, httpUrlCheck, "the incoming-webhook URL");
      const maxAlerts = optionalInteger(raw, "max_alerts", path, problems, 0, 46);
      if (url !== undefined) channel = { type: kind, url, ...common, ...optional("max_alerts", maxAlerts) };
      break;
    }
    case "pagerduty": {
      const key = secretRef(raw, "routing_key", path, problems, routingKeyCheck, "the integration key");
      const url = optionalString(raw, "url", path, problems, httpUrlCheck);
      const source = optionalString(raw, "source", path, problems, nonEmptyCheck);
      if (key !== undefined)
        channel = {
          type: kind,
          routing_key: key,
          ...common,
          ...optional("url", url),
          ...optional("source", source),
        };
      break;
    }
    case "email": {
      const smtp = secretRef(
        raw,
        "smtp",
        path,
        problems,
        smtpUrlCheck,
        "the SMTP URL smtp://user:pass@host:port",
      );
      const from = requiredString(
        raw,
        "from",
        path,
        problems,
        addressCheck,
        "the sender, e.g. tiktoktoe@example.org",
      );
      const to = addressList(raw, path, problems);
      if (smtp !== undefined && from !== undefined && to !== undefined)
        channel = { type: kind, smtp, from, to, ...common };
      break;
    }
    case "webhook": {
      const url = secretRef(raw, "url", path, problems, httpUrlCheck, "the URL to POST to");
      const token =
        raw.token === undefined ? undefined : secretRef(raw, "token", path, problems, nonEmptyCheck, "");
      const maxAlerts = optionalInteger(raw, "max_alerts", path, problems, 0, 1_000_000);
      if (url !== undefined)
        channel = {
          type: kind,
          url,
          ...common,
          ...optional("token", token),
          ...optional("max_alerts", maxAlerts),
        };
      break;
    }
    case "alertmanager": {
      const url = secretRef(
        raw,
        "url",
        path,
        problems,
        httpUrlCheck,
        "Alertmanager's base URL, e.g. http://alertmanager:9093",
      );
      if (url !== undefined) channel = { type: kind, url, ...common };
      break;
    }
  }
  return problems.length === before ? channel : undefined;
}

/**
 * Checks a secret's value once known (inline, or read from its file or variable): `undefined` when
 * fine, else what is wrong — in words that never include the value.
 *
 * @example
 * ```ts
 * const check: ValueCheck = (value) => (value === "" ? "is empty" : undefined);
 * ```
 */
export type ValueCheck = (value: string) => string | undefined;

/**
 * The check each secret of each channel type gets, used for inline values here and again by
 * `resolveChannels` on values read from files and variables.
 *
 * @example
 * ```ts
 * secretChecks.slack.url!("not a url"); // "is not a valid URL"
 * ```
 */
export const secretChecks: Readonly<Record<ChannelType, Readonly<Record<string, ValueCheck>>>> = {
  slack: { url: (v) => httpUrlCheck(v) },
  pagerduty: { routing_key: (v) => routingKeyCheck(v) },
  email: { smtp: (v) => smtpUrlCheck(v) },
  webhook: { url: (v) => httpUrlCheck(v), token: (v) => nonEmptyCheck(v) },
  alertmanager: { url: (v) => httpUrlCheck(v) },
};

function httpUrlCheck(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "is not a valid URL";
  }
  return url.protocol === "http:" || url.protocol === "https:"
    ? undefined
    : `must be an http or https URL, not ${url.protocol}`;
}

function smtpUrlCheck(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "is not a valid URL";
  }
  if (url.protocol !== "smtp:" && url.protocol !== "smtps:")
    return `must be an smtp:// or smtps:// URL, not ${url.protocol}`;
  return url.hostname === "" ? "has no host" : undefined;
}

function routingKeyCheck(value: string): string | undefined {
  if (value.trim() === "") return "is empty";
  return /\s/.test(value) ? "contains white space" : undefined;
}

function nonEmptyCheck(value: string): string | undefined {
  return value.trim() === "" ? "is empty" : undefined;
}

function addressCheck(value: string): string | undefined {
  return /^[^\s@<>]+@[^\s@<>]+$/.test(value) || /<[^\s@<>]+@[^\s@<>]+>$/.test(value)
    ? undefined
    : "is not an email address";
}

function secretRef(
  raw: Record<string, unknown>,
  key: string,
  path: string,
  problems: ChannelProblem[],
  check: ValueCheck,
  what: string,
): SecretRef | undefined {
  const value = raw[key];
  const at = joinPath(path, key);
  const hint = `give ${what === "" ? "the value" : what} inline, as { file: /run/secrets/… } or as { env: VARIABLE }`;
  if (value === undefined) {
    problems.push({ kind: "type", path: at, message: "is missing", hint });
    return undefined;
  }
  if (typeof value === "string") {
    const wrong = value === "" ? "is empty" : check(value);
    if (wrong !== undefined) problems.push({ kind: "value", path: at, message: wrong, hint });
    return wrong === undefined ? value : undefined;
  }
  if (isObject(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === "file") {
      if (typeof value.file === "string" && value.file !== "") return { file: value.file };
      problems.push({ kind: "type", path: joinPath(at, "file"), message: "must be a non-empty path", hint });
      return undefined;
    }
    if (keys.length === 1 && keys[0] === "env") {
      if (typeof value.env === "string" && /^[A-Za-z_][A-Za-z0-9_]*$/.test(value.env))
        return { env: value.env };
      problems.push({
        kind: "value",
        path: joinPath(at, "env"),
        message: "must be an environment variable name",
        hint: "letters, digits and _, not starting with a digit, e.g. SLACK_URL",
      });
      return undefined;
    }
  }
  problems.push({
    kind: "type",
    path: at,
    message: `must be a string, { file } or { env }, got ${isObject(value) ? "an object with other keys" : describeType(value)}`,
    hint,
  });
  return undefined;
}

function requiredString(
  raw: Record<string, unknown>,
  key: string,
  path: string,
  problems: ChannelProblem[],
  check: ValueCheck,
  hint: string,
): string | undefined {
  const value = raw[key];
  const at = joinPath(path, key);
  if (typeof value !== "string") {
    problems.push({
      kind: "type",
      path: at,
      message: value === undefined ? "is missing" : `must be a string, got ${describeType(value)}`,
      hint: `give ${hint}`,
    });
    return undefined;
  }
  const wrong = check(value);
  if (wrong !== undefined)
    problems.push({
      kind: "value",
      path: at,
      message: `${JSON.stringify(value)} ${wrong}`,
      hint: `give ${hint}`,
    });
  return wrong === undefined ? value : undefined;
}

function optionalString(
  raw: Record<string, unknown>,
  key: string,
  path: string,
  problems: ChannelProblem[],
  check: ValueCheck,
): string | undefined {
  if (raw[key] === undefined) return undefined;
  return requiredString(raw, key, path, problems, check, `a ${key}, or leave it out for the default`);
}

function optionalInteger(
  raw: Record<string, unknown>,
  key: string,
  path: string,
  problems: ChannelProblem[],
  min: number,
  max: number,
): number | undefined {
  const value = raw[key];
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    problems.push({
      kind: typeof value === "number" ? "value" : "type",
      path: joinPath(path, key),
      message: `must be an integer from ${min} to ${max}, got ${typeof value === "number" ? value : describeType(value)}`,
      hint: `give a whole number in range, or leave ${key} out for the default`,
    });
    return undefined;
  }
  return value;
}

function optionalBoolean(
  raw: Record<string, unknown>,
  key: string,
  path: string,
  problems: ChannelProblem[],
): boolean | undefined {
  const value = raw[key];
  if (value === undefined || typeof value === "boolean") return value;
  problems.push({
    kind: "type",
    path: joinPath(path, key),
    message: `must be true or false, got ${describeType(value)}`,
    hint: `leave ${key} out for the channel type's default`,
  });
  return undefined;
}

function addressList(
  raw: Record<string, unknown>,
  path: string,
  problems: ChannelProblem[],
): string[] | undefined {
  const value = raw.to;
  const at = joinPath(path, "to");
  const hint = "give a list of recipients, e.g. [oncall@example.org]";
  if (!Array.isArray(value) || value.length === 0) {
    problems.push({
      kind: "type",
      path: at,
      message:
        value === undefined
          ? "is missing"
          : Array.isArray(value)
            ? "is empty"
            : `must be a list, got ${describeType(value)}`,
      hint,
    });
    return undefined;
  }
  let good = true;
  value.forEach((item: unknown, index) => {
    const wrong =
      typeof item !== "string" ? `must be a string, got ${describeType(item)}` : addressCheck(item);
    if (wrong !== undefined) {
      good = false;
      problems.push({
        kind: typeof item === "string" ? "value" : "type",
        path: `${at}[${index}]`,
        message: typeof item === "string" ? `${JSON.stringify(item)} ${wrong}` : wrong,
        hint,
      });
    }
  });
  return good ? (value as string[]) : undefined;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describeType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/**
 * A dotted path with keys that are not plain names in brackets, as the monitor configuration
 * writes them (`channels.slack-oncall.url`, `channels["on call"]`).
 *
 * @example
 * ```ts
 * joinPath("channels", "slack-oncall"); // "channels.slack-oncall"
 * joinPath("channels", "on call"); // 'channels["on call"]'
 * ```
 */
export function joinPath(base: string, key: string): string {
  const plain = /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key);
  if (base === "") return plain ? key : `[${JSON.stringify(key)}]`;
  return plain ? `${base}.${key}` : `${base}[${JSON.stringify(key)}]`;
}
