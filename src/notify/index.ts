/**
 * Alert delivery: one notifier per channel (Slack, PagerDuty, email, webhook, Alertmanager), each
 * making exactly one attempt and never throwing; the delivery stage that retries and records every
 * attempt; and the `channels` configuration with its secrets.
 *
 * @example
 * ```ts
 * import { deliver, loadNotifiers } from "./notify/index.js";
 * const notifiers = await loadNotifiers(config.channels);
 * const result = await deliver(notifiers.get("slack-oncall")!, notification, { onAttempt: record });
 * ```
 *
 * @module
 */
export {
  AlertmanagerNotifier,
  type AlertmanagerNotifierConfig,
  alertmanagerAlertsUrl,
  buildPostableAlerts,
  fallbackAlertname,
  type PostableAlert,
} from "./alertmanager.js";
export {
  type AlertmanagerChannel,
  type ChannelConfig,
  type ChannelProblem,
  type ChannelProblemKind,
  type ChannelsResult,
  channelNamePattern,
  type EmailChannel,
  joinPath,
  type PagerDutyChannel,
  type ParseChannelsOptions,
  parseChannels,
  type SecretRef,
  type SlackChannel,
  secretChecks,
  type ValueCheck,
  type WebhookChannel,
} from "./channels.js";
export {
  type AttemptRecord,
  backoffDelay,
  type DeliveryOptions,
  type DeliveryResult,
  type DeliveryStep,
  deliver,
  deliveryDefaults,
  type GiveUpReason,
  nextDeliveryStep,
} from "./delivery.js";
export {
  buildEmail,
  type EmailMessage,
  EmailNotifier,
  type EmailNotifierConfig,
  type MailTransport,
  smtpEndpoint,
  smtpOutcome,
} from "./email.js";
export {
  defaultTimeoutMs,
  errorText,
  failure,
  internalFailure,
  outcomeForStatus,
  type PostRequest,
  parseRetryAfter,
  post,
  userAgent,
} from "./http.js";
export {
  alertLine,
  firingAlerts,
  groupAnnotation,
  groupLabel,
  hasKnownEnd,
  isSeverity,
  type Notification,
  type NotificationAlert,
  notificationLink,
  notificationSeverity,
  notificationTitle,
  resolvedAlerts,
  type Severity,
  severities,
  valueAgainstThreshold,
  zeroTime,
} from "./notification.js";
export {
  type ChannelType,
  channelTypes,
  type FailureReason,
  type Notifier,
  type SendFailure,
  type SendOutcome,
} from "./notifier.js";
export {
  buildPagerDutyEvent,
  type PagerDutyEvent,
  type PagerDutyEventOptions,
  PagerDutyNotifier,
  type PagerDutyNotifierConfig,
  type PagerDutySeverity,
  pagerDutyDedupKey,
  pagerDutyDefaultUrl,
  pagerDutyLimits,
  pagerDutySeverity,
} from "./pagerduty.js";
export { endpointName, redact, redacted } from "./redact.js";
export {
  createNotifier,
  loadNotifiers,
  processSecretSource,
  type ResolvedChannel,
  type ResolvedChannelsResult,
  redactChannels,
  resolveChannels,
  type SecretSource,
} from "./secrets.js";
export {
  buildSlackMessage,
  type SlackBlock,
  type SlackMessage,
  type SlackMessageOptions,
  SlackNotifier,
  type SlackNotifierConfig,
  type SlackText,
  slackLimits,
} from "./slack.js";
export { escapeHtml, escapeMrkdwn, isHttpUrl, readableTime, slackLink, truncate } from "./text.js";
export {
  buildWebhookPayload,
  type WebhookAlert,
  WebhookNotifier,
  type WebhookNotifierConfig,
  type WebhookPayload,
  type WebhookPayloadOptions,
} from "./webhook.js";
