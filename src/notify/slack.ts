/**
 * Slack incoming webhooks: one message per notification, `text` (the fallback Slack shows in
 * notifications and screen readers) plus Block Kit `blocks`, within Slack's limits. The webhook URL is
 * the credential, so it is never quoted. Slack answers 200 `ok`; 429 with `Retry-After` (seconds);
 * 400 `invalid_payload`, 403 `action_prohibited`, 404 `channel_not_found`, 410 `channel_is_archived`
 * (none worth retrying); 5xx (retried).
 */
import { defaultTimeoutMs, internalFailure, post } from "./http.js";
import {
  alertLine,
  firingAlerts,
  groupAnnotation,
  groupLabel,
  hasKnownEnd,
  type Notification,
  type NotificationAlert,
  notificationLink,
  notificationSeverity,
  notificationTitle,
  resolvedAlerts,
} from "./notification.js";
import type { Notifier, SendOutcome } from "./notifier.js";
import { escapeMrkdwn, isHttpUrl, readableTime, slackLink, truncate } from "./text.js";

/**
 * Slack's documented limits that a message must respect (a 400 `invalid_blocks` otherwise): at most
 * 50 blocks, a section's text ≤ 3,000 characters, ≤ 10 fields of ≤ 2,000 each, a header ≤ 150,
 * ≤ 10 context elements; the message `text` is cut by Slack at about 40,000.
 *
 * @example
 * ```ts
 * message.blocks.length <= slackLimits.blocks; // true for every message we build
 * ```
 */
export const slackLimits = {
  text: 40_000,
  blocks: 50,
  sectionText: 3_000,
  fields: 10,
  fieldText: 2_000,
  headerText: 150,
  contextElements: 10,
} as const;

/**
 * A Block Kit text object.
 *
 * @example
 * ```ts
 * const text: SlackText = { type: "mrkdwn", text: "*bike* is degraded" };
 * ```
 */
export type SlackText =
  | { readonly type: "plain_text"; readonly text: string; readonly emoji?: boolean }
  | { readonly type: "mrkdwn"; readonly text: string };

/**
 * The Block Kit blocks our messages use.
 *
 * @example
 * ```ts
 * const block: SlackBlock = { type: "header", text: { type: "plain_text", text: "[FIRING:1] critical bike" } };
 * ```
 */
export type SlackBlock =
  | { readonly type: "header"; readonly text: Extract<SlackText, { type: "plain_text" }> }
  | { readonly type: "section"; readonly text?: SlackText; readonly fields?: readonly SlackText[] }
  | { readonly type: "context"; readonly elements: readonly SlackText[] }
  | { readonly type: "divider" };

/**
 * The JSON body posted to the webhook.
 *
 * @example
 * ```ts
 * const message: SlackMessage = buildSlackMessage(notification);
 * JSON.stringify(message); // {"text":"[FIRING:2] critical bike …","blocks":[…]}
 * ```
 */
export interface SlackMessage {
  readonly text: string;
  readonly blocks: readonly SlackBlock[];
}

/**
 * Options of {@link buildSlackMessage}.
 *
 * @example
 * ```ts
 * buildSlackMessage(notification, { maxAlerts: 5 });
 * ```
 */
export interface SlackMessageOptions {
  /** Alerts shown as their own section; the rest are counted in a note. Default 20, at most 46. */
  readonly maxAlerts?: number;
}

const defaultMaxAlerts = 20;
// header + summary section + the "more alerts" context leave 47 of Slack's 50 blocks; one more spare.
const maxAlertSections = slackLimits.blocks - 4;

/**
 * Renders a notification as a Slack message: a header with the title (`[FIRING:2] critical bike …`,
 * or `[RESOLVED] …`), a section with a link to the dashboard and fields for severity, model, value and
 * threshold, one section per alert up to `maxAlerts` (with a note counting the alerts left out), and
 * `text` as the plain fallback listing every alert. Every piece is cut to Slack's limits, on line
 * boundaries where possible, with the cut said in the text. Annotations are escaped, so they cannot
 * inject links or mentions.
 *
 * @example
 * ```ts
 * const message = buildSlackMessage(notification);
 * message.blocks[0]; // { type: "header", text: { type: "plain_text", text: "[FIRING:2] critical bike …", emoji: true } }
 * ```
 */
export function buildSlackMessage(
  notification: Notification,
  options: SlackMessageOptions = {},
): SlackMessage {
  const maxAlerts = Math.max(0, Math.min(options.maxAlerts ?? defaultMaxAlerts, maxAlertSections));
  const title = notificationTitle(notification);
  const resolved = notification.status === "resolved";
  const blocks: SlackBlock[] = [
    {
      type: "header",
      text: { type: "plain_text", text: truncate(title, slackLimits.headerText), emoji: true },
    },
    summarySection(notification),
  ];
  // Firing alerts first: they are what the reader must act on.
  const ordered = [...firingAlerts(notification), ...resolvedAlerts(notification)];
  const shown = ordered.slice(0, maxAlerts);
  for (const alert of shown) blocks.push(alertSection(alert, notification));
  if (shown.length < ordered.length) {
    blocks.push({
      type: "context",
      elements: [
        {
          type: "mrkdwn",
          text: `_${ordered.length - shown.length} more alert(s) not shown (${ordered.length} in all); see the dashboard._`,
        },
      ],
    });
  }
  const lines = ordered.map(
    (alert) => `• ${alert.status === "resolved" && !resolved ? "(resolved) " : ""}${alertLine(alert)}`,
  );
  const text = truncate(
    escapeMrkdwn([title, ...lines].join("\n")),
    slackLimits.text,
    "\n… (message cut at Slack's 40,000-character limit)",
  );
  return { text, blocks };
}

function summarySection(notification: Notification): SlackBlock {
  const link = notificationLink(notification);
  const resolved = notification.status === "resolved";
  const lines = [
    resolved
      ? ":white_check_mark: *Resolved*: every alert of this group has ended."
      : `:rotating_light: *${firingAlerts(notification).length} firing*${
          resolvedAlerts(notification).length > 0 ? `, ${resolvedAlerts(notification).length} resolved` : ""
        }`,
    isHttpUrl(link) ? slackLink(link, "Open the dashboard") : undefined,
    runbook(groupAnnotation(notification, "runbook_url")),
  ].filter((line) => line !== undefined);
  const fields: SlackText[] = [];
  const add = (name: string, value: string | undefined) => {
    if (value !== undefined && value !== "")
      fields.push({
        type: "mrkdwn",
        text: truncate(`*${name}*\n${escapeMrkdwn(value)}`, slackLimits.fieldText),
      });
  };
  add("Severity", notificationSeverity(notification));
  add("Model", groupLabel(notification, "model"));
  add("Value", groupAnnotation(notification, "value"));
  add("Threshold", groupAnnotation(notification, "threshold"));
  const text: SlackText = { type: "mrkdwn", text: truncate(lines.join("\n"), slackLimits.sectionText) };
  return fields.length > 0
    ? { type: "section", text, fields: fields.slice(0, slackLimits.fields) }
    : { type: "section", text };
}

function alertSection(alert: NotificationAlert, notification: Notification): SlackBlock {
  const name = escapeMrkdwn(alert.labels.alertname ?? "alert");
  const head =
    alert.status === "firing"
      ? `:red_circle: *${name}* firing since ${readableTime(alert.startsAt)}`
      : `:large_green_circle: *${name}* resolved${hasKnownEnd(alert.endsAt) ? ` at ${readableTime(alert.endsAt)}` : ""}`;
  const summary = alert.annotations.summary ?? alert.annotations.description;
  const { value, threshold } = alert.annotations;
  const measured =
    value === undefined && threshold === undefined
      ? undefined
      : [
          value === undefined ? undefined : `value \`${escapeMrkdwn(value)}\``,
          threshold === undefined ? undefined : `threshold \`${escapeMrkdwn(threshold)}\``,
        ]
          .filter((part) => part !== undefined)
          .join(" vs ");
  // Only the labels that tell this alert apart from the others of the group.
  const distinct = Object.keys(alert.labels)
    .filter((label) => label !== "alertname" && notification.commonLabels[label] !== alert.labels[label])
    .sort()
    .map((label) => `\`${escapeMrkdwn(`${label}=${alert.labels[label]}`)}\``);
  const lines = [
    head,
    summary === undefined ? undefined : escapeMrkdwn(summary),
    measured,
    distinct.length > 0 ? distinct.join(" ") : undefined,
    isHttpUrl(alert.generatorURL) ? slackLink(alert.generatorURL, "Source") : undefined,
  ].filter((line) => line !== undefined);
  return {
    type: "section",
    text: { type: "mrkdwn", text: truncate(lines.join("\n"), slackLimits.sectionText, "\n… (cut)") },
  };
}

function runbook(url: string | undefined): string | undefined {
  return isHttpUrl(url) ? slackLink(url, "Runbook") : undefined;
}

/**
 * Settings of a {@link SlackNotifier}.
 *
 * @example
 * ```ts
 * const config: SlackNotifierConfig = { name: "slack-oncall", url: "https://hooks.slack.com/services/T0/B0/xyz" };
 * ```
 */
export interface SlackNotifierConfig {
  readonly name: string;
  /** The incoming-webhook URL: a secret. */
  readonly url: string;
  /** Per-attempt timeout (default 10 s). */
  readonly timeoutMs?: number;
  /** Alerts shown as sections (default 20). */
  readonly maxAlerts?: number;
}

/**
 * Posts notifications to a Slack incoming webhook, one attempt per call.
 *
 * @example
 * ```ts
 * const slack = new SlackNotifier({ name: "slack-oncall", url: process.env.SLACK_URL! });
 * const outcome = await slack.send(notification, AbortSignal.timeout(30_000));
 * ```
 */
export class SlackNotifier implements Notifier {
  readonly kind = "slack";
  readonly name: string;
  readonly #config: SlackNotifierConfig;

  constructor(config: SlackNotifierConfig) {
    this.name = config.name;
    this.#config = config;
  }

  /** Posts the message once; see the module comment for how Slack's answers map to outcomes. */
  async send(notification: Notification, signal: AbortSignal): Promise<SendOutcome> {
    const { url, timeoutMs = defaultTimeoutMs, maxAlerts } = this.#config;
    let body: string;
    try {
      body = JSON.stringify(buildSlackMessage(notification, maxAlerts === undefined ? {} : { maxAlerts }));
    } catch (error) {
      return internalFailure(error, [url]);
    }
    return post({ url, body, timeoutMs, signal, secrets: [url] });
  }
}
