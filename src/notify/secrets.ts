/**
 * Reading the secrets that channels point to (`{ file }`, `{ env }`), through an injectable
 * {@link SecretSource} so that tests need neither files nor environment, and building the notifiers.
 */
import { readFile } from "node:fs/promises";
import { TikTokToeError } from "../errors/index.js";
import { AlertmanagerNotifier } from "./alertmanager.js";
import {
  type ChannelConfig,
  type ChannelProblem,
  joinPath,
  type ParseChannelsOptions,
  parseChannels,
  type SecretRef,
  secretChecks,
} from "./channels.js";
import { EmailNotifier } from "./email.js";
import type { ChannelType, Notifier } from "./notifier.js";
import { PagerDutyNotifier } from "./pagerduty.js";
import { redact } from "./redact.js";
import { SlackNotifier } from "./slack.js";
import { WebhookNotifier } from "./webhook.js";

/**
 * Where `{ file }` and `{ env }` secrets are read from.
 *
 * @example
 * ```ts
 * const fake: SecretSource = {
 *   readFile: async (path) => ({ "/run/secrets/slack": "https://hooks.slack.com/services/T0/B0/xyz\n" })[path] ?? Promise.reject(new Error("ENOENT")),
 *   env: (name) => ({ PD_KEY: "0123456789abcdef0123456789abcdef" })[name],
 * };
 * ```
 */
export interface SecretSource {
  readFile(path: string): Promise<string>;
  env(name: string): string | undefined;
}

/**
 * The real files and the process environment.
 *
 * @example
 * ```ts
 * await resolveChannels(parsed.channels, processSecretSource);
 * ```
 */
export const processSecretSource: SecretSource = {
  readFile: (path) => readFile(path, "utf8"),
  env: (name) => process.env[name],
};

/**
 * A channel with its secrets read: every {@link SecretRef} replaced by its value.
 *
 * @example
 * ```ts
 * const resolved: ResolvedChannel = { type: "slack", url: "https://hooks.slack.com/services/T0/B0/xyz", send_resolved: false };
 * ```
 */
export type ResolvedChannel = {
  [T in ChannelConfig["type"]]: Resolved<Extract<ChannelConfig, { type: T }>>;
}[ChannelConfig["type"]];

type Resolved<C> = {
  [K in keyof C]: K extends "type" ? C[K] : Exclude<C[K], undefined> extends SecretRef ? string : C[K];
};

/**
 * The result of {@link resolveChannels}.
 *
 * @example
 * ```ts
 * const result: ResolvedChannelsResult = await resolveChannels(channels);
 * ```
 */
export type ResolvedChannelsResult =
  | { readonly ok: true; readonly channels: Readonly<Record<string, ResolvedChannel>> }
  | { readonly ok: false; readonly problems: readonly ChannelProblem[] };

/**
 * Reads every secret of every channel: a file's contents without the trailing newline, a variable's
 * value. Reports each one that cannot be read (missing file, unset or empty variable) or whose value
 * is malformed (a Slack URL that is not a URL), naming the file or variable but never the value.
 *
 * @example
 * ```ts
 * const parsed = parseChannels(raw);
 * if (parsed.ok) {
 *   const resolved = await resolveChannels(parsed.channels, { readFile: async () => "", env: (n) => process.env[n] });
 * }
 * ```
 */
export async function resolveChannels(
  channels: Readonly<Record<string, ChannelConfig>>,
  source: SecretSource = processSecretSource,
  options: ParseChannelsOptions = {},
): Promise<ResolvedChannelsResult> {
  const root = options.path ?? "channels";
  const problems: ChannelProblem[] = [];
  const resolved: Record<string, ResolvedChannel> = {};
  for (const [name, channel] of Object.entries(channels)) {
    const checks = secretChecks[channel.type];
    const out: Record<string, unknown> = { ...channel };
    for (const key of Object.keys(checks)) {
      const ref = (channel as unknown as Record<string, SecretRef | undefined>)[key];
      if (ref === undefined) continue;
      const path = joinPath(joinPath(root, name), key);
      const value = await readSecret(ref, source, path, problems);
      if (value === undefined) continue;
      const wrong = checks[key]!(value);
      if (wrong !== undefined)
        problems.push({
          kind: "secret",
          path,
          message: `the value ${describeRef(ref)} ${wrong}`,
          hint: "fix the secret's value (it is not shown here)",
        });
      else out[key] = value;
    }
    resolved[name] = out as ResolvedChannel;
  }
  return problems.length === 0 ? { ok: true, channels: resolved } : { ok: false, problems };
}

async function readSecret(
  ref: SecretRef,
  source: SecretSource,
  path: string,
  problems: ChannelProblem[],
): Promise<string | undefined> {
  if (typeof ref === "string") return ref;
  if ("file" in ref) {
    try {
      // Secret files are written by editors and `echo`, which end them with a newline.
      const value = (await source.readFile(ref.file)).replace(/\r?\n$/, "");
      if (value !== "") return value;
      problems.push({
        kind: "secret",
        path,
        message: `the file ${ref.file} is empty`,
        hint: "write the secret into it",
      });
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      problems.push({
        kind: "secret",
        path,
        message: `cannot read the file ${ref.file}${typeof code === "string" ? ` (${code})` : ""}`,
        hint: "check that the file exists and is readable by the server",
      });
    }
    return undefined;
  }
  const value = source.env(ref.env);
  if (value !== undefined && value !== "") return value;
  problems.push({
    kind: "secret",
    path,
    message: `the environment variable ${ref.env} is ${value === undefined ? "not set" : "empty"}`,
    hint: `set ${ref.env} in the server's environment`,
  });
  return undefined;
}

function describeRef(ref: SecretRef): string {
  if (typeof ref === "string") return "given inline";
  return "file" in ref ? `in ${ref.file}` : `of ${ref.env}`;
}

/**
 * The notifier of one resolved channel.
 *
 * @example
 * ```ts
 * const notifier = createNotifier("slack-oncall", { type: "slack", url, send_resolved: false });
 * notifier.kind; // "slack"
 * ```
 */
export function createNotifier(name: string, channel: ResolvedChannel): Notifier {
  const timeout = channel.timeout_ms === undefined ? {} : { timeoutMs: channel.timeout_ms };
  switch (channel.type) {
    case "slack":
      return new SlackNotifier({
        name,
        url: channel.url,
        ...timeout,
        ...(channel.max_alerts === undefined ? {} : { maxAlerts: channel.max_alerts }),
      });
    case "pagerduty":
      return new PagerDutyNotifier({
        name,
        routingKey: channel.routing_key,
        ...timeout,
        ...(channel.url === undefined ? {} : { url: channel.url }),
        ...(channel.source === undefined ? {} : { source: channel.source }),
      });
    case "email":
      return new EmailNotifier({ name, smtp: channel.smtp, from: channel.from, to: channel.to, ...timeout });
    case "webhook":
      return new WebhookNotifier({
        name,
        url: channel.url,
        ...timeout,
        ...(channel.token === undefined ? {} : { token: channel.token }),
        ...(channel.max_alerts === undefined ? {} : { maxAlerts: channel.max_alerts }),
      });
    case "alertmanager":
      return new AlertmanagerNotifier({ name, url: channel.url, ...timeout });
  }
}

/**
 * Parses a `channels` object, reads its secrets and builds one notifier per channel — what the
 * server does at startup. Throws `CONFIG_INVALID` listing every problem (`path: message`) when
 * anything is wrong; never with a secret in it.
 *
 * @example
 * ```ts
 * const notifiers = await loadNotifiers(config.channels);
 * notifiers.get("slack-oncall")?.kind; // "slack"
 * ```
 */
export async function loadNotifiers(
  input: unknown,
  source: SecretSource = processSecretSource,
  options: ParseChannelsOptions = {},
): Promise<Map<string, Notifier>> {
  const parsed = parseChannels(input, options);
  const resolved = parsed.ok ? await resolveChannels(parsed.channels, source, options) : parsed;
  if (!resolved.ok) {
    const lines = resolved.problems.map((problem) => `${problem.path}: ${problem.message}`);
    throw new TikTokToeError(
      "CONFIG_INVALID",
      `${resolved.problems.length} problem(s) in the alert channels:\n${lines.join("\n")}`,
      { problems: resolved.problems, hint: resolved.problems[0]!.hint },
    );
  }
  return new Map(
    Object.entries(resolved.channels).map(([name, channel]) => [name, createNotifier(name, channel)]),
  );
}

/**
 * Redacts a text with every secret of the given resolved channels (for logging a whole
 * configuration's errors at once).
 *
 * @example
 * ```ts
 * console.error(redactChannels(String(error), resolved.channels));
 * ```
 */
export function redactChannels(text: string, channels: Readonly<Record<string, ResolvedChannel>>): string {
  const secrets = Object.values(channels).flatMap((channel) =>
    Object.keys(secretChecks[channel.type as ChannelType]).flatMap((key) => {
      const value = (channel as unknown as Record<string, unknown>)[key];
      return typeof value === "string" ? [value] : [];
    }),
  );
  return redact(text, secrets);
}
