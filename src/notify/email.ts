/**
 * Email over SMTP with nodemailer: one pooled transport per channel, configured by one secret
 * connection URL (`smtp://user:pass@host:587`, `smtps://…:465`, with nodemailer's query options such
 * as `?requireTLS=true`). SMTP replies map to retries as RFC 5321 intends: 4xx is transient
 * (retried), 5xx is permanent (not retried); a connection that fails or times out is retried.
 */
import { createTransport } from "nodemailer";
import { errorText, failure, internalFailure } from "./http.js";
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
import type { Notifier, SendFailure, SendOutcome } from "./notifier.js";
import { redact } from "./redact.js";
import { escapeHtml, isHttpUrl, readableTime, truncate } from "./text.js";

/**
 * An email as rendered: subject, plain text and HTML.
 *
 * @example
 * ```ts
 * const { subject, text, html }: EmailMessage = buildEmail(notification);
 * ```
 */
export interface EmailMessage {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

// RFC 5322 allows 998 characters a line; mail clients show far fewer, and a subject folded over
// many lines is unreadable, so it is cut well before.
const maxSubject = 250;

/**
 * Renders a notification as an email: the subject in Alertmanager's style (`[FIRING:2] critical bike
 * ModelQualityLow`), and the same content as plain text and as HTML — severity, model, value against
 * threshold, a link to the dashboard (and the runbook), then the firing and the resolved alerts with
 * their summaries, start times, distinguishing labels and sources. Every value is escaped in the HTML,
 * and only http(s) URLs become links.
 *
 * @example
 * ```ts
 * buildEmail(notification).subject; // "[FIRING:2] critical bike ModelQualityLow"
 * ```
 */
export function buildEmail(notification: Notification): EmailMessage {
  const subject = truncate(notificationTitle(notification), maxSubject);
  const facts = [
    ["Severity", notificationSeverity(notification)],
    ["Model", groupLabel(notification, "model")],
    ["Value", groupAnnotation(notification, "value")],
    ["Threshold", groupAnnotation(notification, "threshold")],
  ].filter((fact): fact is [string, string] => fact[1] !== undefined);
  const links = [
    ["Dashboard", notificationLink(notification)],
    ["Runbook", groupAnnotation(notification, "runbook_url")],
  ].filter((link): link is [string, string] => isHttpUrl(link[1]));
  const sections = [
    ["Firing", firingAlerts(notification)],
    ["Resolved", resolvedAlerts(notification)],
  ] as const;

  const text = [
    subject,
    "",
    ...(notification.status === "resolved" ? ["Every alert of this group is resolved.", ""] : []),
    ...facts.map(([name, value]) => `${name}: ${value}`),
    ...links.map(([name, url]) => `${name}: ${url}`),
    ...sections.flatMap(([name, alerts]) =>
      alerts.length === 0
        ? []
        : ["", `${name} (${alerts.length}):`, ...alerts.flatMap((alert) => textAlert(alert, notification))],
    ),
    "",
    `Group: ${notification.groupKey}`,
    "",
  ].join("\n");

  const color = notification.status === "firing" ? "#b42318" : "#067647";
  const html = [
    "<!DOCTYPE html>",
    `<html><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>`,
    '<body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#101828">',
    `<h2 style="color:${color};margin:0 0 12px">${escapeHtml(subject)}</h2>`,
    notification.status === "resolved" ? "<p>Every alert of this group is resolved.</p>" : "",
    facts.length === 0
      ? ""
      : `<table style="border-collapse:collapse">${facts
          .map(
            ([name, value]) =>
              `<tr><th style="text-align:left;padding:2px 12px 2px 0">${escapeHtml(name)}</th><td>${escapeHtml(value)}</td></tr>`,
          )
          .join("")}</table>`,
    links.length === 0
      ? ""
      : `<p>${links.map(([name, url]) => `<a href="${escapeHtml(url)}">${escapeHtml(name)}</a>`).join(" · ")}</p>`,
    ...sections.map(([name, alerts]) =>
      alerts.length === 0
        ? ""
        : `<h3>${escapeHtml(name)} (${alerts.length})</h3><ul>${alerts
            .map((alert) => htmlAlert(alert, notification))
            .join("")}</ul>`,
    ),
    `<p style="color:#667085;font-size:12px">Group ${escapeHtml(notification.groupKey)}</p>`,
    "</body></html>",
  ]
    .filter((part) => part !== "")
    .join("\n");
  return { subject, text, html };
}

function distinctLabels(alert: NotificationAlert, notification: Notification): string[] {
  return Object.keys(alert.labels)
    .filter((label) => label !== "alertname" && notification.commonLabels[label] !== alert.labels[label])
    .sort()
    .map((label) => `${label}=${alert.labels[label]}`);
}

function when(alert: NotificationAlert): string {
  return alert.status === "firing"
    ? `since ${readableTime(alert.startsAt)}`
    : `${readableTime(alert.startsAt)} – ${hasKnownEnd(alert.endsAt) ? readableTime(alert.endsAt) : "now"}`;
}

function textAlert(alert: NotificationAlert, notification: Notification): string[] {
  const labels = distinctLabels(alert, notification);
  return [
    `- ${alertLine(alert)}`,
    `  ${when(alert)}`,
    ...(labels.length > 0 ? [`  labels: ${labels.join(", ")}`] : []),
    ...(isHttpUrl(alert.generatorURL) ? [`  source: ${alert.generatorURL}`] : []),
  ];
}

function htmlAlert(alert: NotificationAlert, notification: Notification): string {
  const labels = distinctLabels(alert, notification);
  const source = isHttpUrl(alert.generatorURL)
    ? ` · <a href="${escapeHtml(alert.generatorURL)}">source</a>`
    : "";
  return [
    `<li><strong>${escapeHtml(alertLine(alert))}</strong><br>`,
    `<span style="color:#475467">${escapeHtml(when(alert))}${source}</span>`,
    labels.length > 0 ? `<br><code>${escapeHtml(labels.join(", "))}</code>` : "",
    "</li>",
  ].join("");
}

/**
 * The part of nodemailer's transport the email channel uses (a narrow interface, so a test or
 * another mailer can stand in).
 *
 * @example
 * ```ts
 * const transport: MailTransport = { sendMail: async () => ({}), close: () => {} };
 * ```
 */
export interface MailTransport {
  sendMail(mail: {
    from: string;
    to: string[];
    subject: string;
    text: string;
    html: string;
    signal: AbortSignal;
  }): Promise<unknown>;
  close(): void;
}

/**
 * Settings of an {@link EmailNotifier}.
 *
 * @example
 * ```ts
 * const config: EmailNotifierConfig = {
 *   name: "mail", smtp: "smtp://alerts:hunter22@mail.example.org:587", from: "tiktoktoe@example.org", to: ["oncall@example.org"],
 * };
 * ```
 */
export interface EmailNotifierConfig {
  readonly name: string;
  /** `smtp://user:pass@host:port` or `smtps://…`: a secret. */
  readonly smtp: string;
  readonly from: string;
  readonly to: readonly string[];
  /** Connection, greeting and socket timeout of each attempt (default 10 s). */
  readonly timeoutMs?: number;
}

/**
 * Sends notifications as email through one pooled SMTP transport, one attempt per call. The pool
 * does not requeue a message whose connection drops (`maxRequeues: 0`): retrying is the delivery
 * stage's job, and a requeue would be a second, unrecorded attempt. Call `close()` at shutdown.
 *
 * @example
 * ```ts
 * const mail = new EmailNotifier({ name: "mail", smtp: process.env.SMTP_URL!, from: "tiktoktoe@example.org", to: ["oncall@example.org"] });
 * await mail.send(notification, AbortSignal.timeout(30_000));
 * await mail.close();
 * ```
 */
export class EmailNotifier implements Notifier {
  readonly kind = "email";
  readonly name: string;
  readonly #config: EmailNotifierConfig;
  readonly #secrets: readonly string[];
  #transport: MailTransport | undefined;

  /** `transport` replaces nodemailer's pooled SMTP transport (tests, other mailers). */
  constructor(config: EmailNotifierConfig, transport?: MailTransport) {
    this.name = config.name;
    this.#config = config;
    this.#transport = transport;
    // redact() also removes the URL's user and password wherever they appear alone.
    this.#secrets = [config.smtp];
  }

  /** Sends the email once; see the module comment for how SMTP replies map to outcomes. */
  async send(notification: Notification, signal: AbortSignal): Promise<SendOutcome> {
    let mail: EmailMessage;
    let transport: MailTransport;
    try {
      mail = buildEmail(notification);
      transport = this.#transport ??= this.#createTransport();
    } catch (error) {
      return internalFailure(error, this.#secrets);
    }
    try {
      await transport.sendMail({ from: this.#config.from, to: [...this.#config.to], ...mail, signal });
      return { ok: true };
    } catch (error) {
      return smtpOutcome(error, smtpEndpoint(this.#config.smtp), this.#secrets, signal.aborted);
    }
  }

  /** Closes the pool's connections; the next `send` opens a new pool. */
  async close(): Promise<void> {
    const transport = this.#transport;
    this.#transport = undefined;
    transport?.close();
  }

  #createTransport(): MailTransport {
    const timeout = this.#config.timeoutMs ?? 10_000;
    return createTransport({
      url: this.#config.smtp,
      pool: true,
      maxConnections: 2,
      maxRequeues: 0,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
    });
  }
}

// nodemailer's error codes for failures of the connection itself, worth another try.
const connectionCodes = new Set([
  "ECONNECTION",
  "ESOCKET",
  "EDNS",
  "ETLS",
  "EPROTOCOL",
  "EMAXLIMIT",
  "EPROXY",
]);
// Failures that the same message and settings would meet again.
const permanentCodes = new Set([
  "EAUTH",
  "ENOAUTH",
  "EOAUTH2",
  "ECONFIG",
  "EENVELOPE",
  "EMESSAGE",
  "EREQUIRETLS",
]);

/**
 * Maps a nodemailer failure to an outcome: an SMTP 4xx reply is transient (retried), a 5xx reply is
 * permanent (not retried); a timeout or broken connection is retried; a rejected login, a bad address
 * or configuration is not. The message names the server (without credentials) and quotes its reply,
 * redacted.
 *
 * @example
 * ```ts
 * smtpOutcome(Object.assign(new Error("Message failed"), { responseCode: 451, response: "451 try later" }), "smtp://mail:25", []);
 * // { ok: false, retry: true, reason: "smtp_transient", status: 451, message: "smtp://mail:25 answered 451 try later" }
 * ```
 */
export function smtpOutcome(
  error: unknown,
  endpoint: string,
  secrets: readonly string[],
  aborted = false,
): SendFailure {
  const { code, responseCode, response } = (typeof error === "object" && error !== null ? error : {}) as {
    code?: unknown;
    responseCode?: unknown;
    response?: unknown;
  };
  if (aborted || code === "EABORT")
    return failure(false, "aborted", `the attempt to ${endpoint} was cancelled`);
  const detail = redact(
    typeof response === "string" && response !== "" ? response : errorText(error),
    secrets,
  )
    .replace(/\s+/g, " ")
    .slice(0, 300);
  if (typeof responseCode === "number" && responseCode >= 400) {
    const message = `${endpoint} answered ${detail.startsWith(String(responseCode)) ? "" : `${responseCode} `}${detail}`;
    return responseCode < 500
      ? failure(true, "smtp_transient", message, responseCode)
      : failure(false, "smtp_permanent", message, responseCode);
  }
  if (code === "ETIMEDOUT") return failure(true, "timeout", `${endpoint} timed out: ${detail}`);
  if (typeof code === "string" && permanentCodes.has(code))
    return failure(false, "smtp_permanent", `${endpoint}: ${detail}`);
  if (typeof code === "string" && connectionCodes.has(code))
    return failure(true, "network", `could not reach ${endpoint}: ${detail}`);
  // Unknown failures (a socket error without nodemailer's code) are most often passing: try again.
  return failure(true, "network", `${endpoint}: ${detail}`);
}

/**
 * The SMTP server as messages name it: scheme, host and port, never the credentials.
 *
 * @example
 * ```ts
 * smtpEndpoint("smtp://alerts:hunter22@mail.example.org:587"); // "smtp://mail.example.org:587"
 * ```
 */
export function smtpEndpoint(smtp: string): string {
  try {
    const url = new URL(smtp);
    return `${url.protocol}//${url.hostname}${url.port === "" ? "" : `:${url.port}`}`;
  } catch {
    return "(invalid SMTP URL)";
  }
}
