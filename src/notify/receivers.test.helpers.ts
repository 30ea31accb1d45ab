/**
 * Test helpers for the channel tests (not shipped: `*.test.*` files are left out of the package, and
 * node's test runner does not run this file as a test): sample notifications, a scriptable HTTP
 * receiver on 127.0.0.1, and checkers of the Slack and PagerDuty payloads against their published
 * formats, used by the receivers to answer 400 exactly where the real service would.
 */
import type { Answer, ReceivedRequest } from "../testing/receiver.js";
import type { Notification, NotificationAlert } from "./notification.js";

/** A firing alert of the bike model, with its value against its threshold. */
export function sampleAlert(overrides: Partial<NotificationAlert> = {}): NotificationAlert {
  return {
    status: "firing",
    labels: { alertname: "ModelQualityLow", model: "bike", severity: "critical", metric: "mae" },
    annotations: { summary: "MAE above threshold", value: "91.2", threshold: "40" },
    startsAt: "2026-11-27T10:00:00Z",
    endsAt: "0001-01-01T00:00:00Z",
    fingerprint: "8edc4dc61615cc0a",
    generatorURL: "http://127.0.0.1:8080/models/bike/windows",
    ...overrides,
  };
}

/** A notification of two firing alerts (MAE and latency) of the bike model. */
export function sampleNotification(overrides: Partial<Notification> = {}): Notification {
  return {
    groupKey: '{}:{model="bike"}',
    receiver: "oncall",
    status: "firing",
    alerts: [
      sampleAlert(),
      sampleAlert({
        labels: { alertname: "ModelLatencyHigh", model: "bike", severity: "warning", metric: "p99" },
        annotations: { summary: "p99 latency above threshold", value: "250ms", threshold: "100ms" },
        startsAt: "2026-11-27T10:05:00Z",
        fingerprint: "1a2b3c4d5e6f7a8b",
      }),
    ],
    groupLabels: { model: "bike" },
    commonLabels: { model: "bike" },
    commonAnnotations: {},
    externalURL: "http://127.0.0.1:8080",
    ...overrides,
  };
}

/** The same group once everything has ended. */
export function resolvedNotification(): Notification {
  const firing = sampleNotification();
  return {
    ...firing,
    status: "resolved",
    alerts: firing.alerts.map((alert) => ({ ...alert, status: "resolved", endsAt: "2026-11-27T11:00:00Z" })),
  };
}

// The scriptable receiver is shared with the server's alerting tests: it lives in src/testing.
export {
  type Answer,
  deadUrl,
  type ReceivedRequest,
  type Receiver,
  startReceiver,
} from "../testing/receiver.js";

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Checks a Slack incoming-webhook body against Slack's published format and limits (Block Kit
 * reference: blocks, text objects; incoming webhooks): every violation as a line, `[]` when valid.
 */
export function checkSlackMessage(body: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(body)) return ["the body is not a JSON object"];
  for (const key of Object.keys(body))
    if (
      ![
        "text",
        "blocks",
        "attachments",
        "unfurl_links",
        "unfurl_media",
        "metadata",
        "thread_ts",
        "mrkdwn",
      ].includes(key)
    )
      problems.push(`unknown top-level field ${key}`);
  if (typeof body.text !== "string" || body.text === "")
    problems.push("text must be a non-empty string (the fallback)");
  else if (body.text.length > 40_000) problems.push(`text is ${body.text.length} characters, over 40,000`);
  if (body.blocks === undefined) return problems;
  if (!Array.isArray(body.blocks)) return [...problems, "blocks must be an array"];
  if (body.blocks.length > 50) problems.push(`${body.blocks.length} blocks, over 50`);
  const textObject = (value: unknown, where: string, max: number, types: readonly string[]): void => {
    if (!isObject(value)) {
      problems.push(`${where} must be a text object`);
      return;
    }
    if (typeof value.type !== "string" || !types.includes(value.type))
      problems.push(`${where}.type must be one of ${types.join(", ")}`);
    if (typeof value.text !== "string" || value.text.length === 0)
      problems.push(`${where}.text must be non-empty`);
    else if (value.text.length > max)
      problems.push(`${where}.text is ${value.text.length} characters, over ${max}`);
    for (const key of Object.keys(value))
      if (!["type", "text", "emoji", "verbatim"].includes(key))
        problems.push(`${where} has unknown field ${key}`);
    if (value.type === "mrkdwn" && "emoji" in value) problems.push(`${where}: emoji is only for plain_text`);
  };
  const ids = new Set<string>();
  for (const [i, block] of (body.blocks as unknown[]).entries()) {
    const where = `blocks[${i}]`;
    if (!isObject(block)) {
      problems.push(`${where} is not an object`);
      continue;
    }
    if (block.block_id !== undefined) {
      if (typeof block.block_id !== "string" || block.block_id.length > 255)
        problems.push(`${where}.block_id is invalid`);
      else if (ids.has(block.block_id)) problems.push(`${where}.block_id repeats`);
      else ids.add(block.block_id);
    }
    switch (block.type) {
      case "header":
        textObject(block.text, `${where}.text`, 150, ["plain_text"]);
        break;
      case "section": {
        if (block.text === undefined && block.fields === undefined)
          problems.push(`${where} needs text or fields`);
        if (block.text !== undefined) textObject(block.text, `${where}.text`, 3000, ["plain_text", "mrkdwn"]);
        if (block.fields !== undefined) {
          if (!Array.isArray(block.fields) || block.fields.length === 0 || block.fields.length > 10)
            problems.push(`${where}.fields must have 1 to 10 items`);
          else
            for (const [j, field] of (block.fields as unknown[]).entries())
              textObject(field, `${where}.fields[${j}]`, 2000, ["plain_text", "mrkdwn"]);
        }
        break;
      }
      case "context":
        if (!Array.isArray(block.elements) || block.elements.length === 0 || block.elements.length > 10)
          problems.push(`${where}.elements must have 1 to 10 items`);
        else
          for (const [j, element] of (block.elements as unknown[]).entries())
            textObject(element, `${where}.elements[${j}]`, 3000, ["plain_text", "mrkdwn"]);
        break;
      case "divider":
        break;
      default:
        problems.push(`${where}.type ${JSON.stringify(block.type)} is not a block type we expect`);
    }
  }
  return problems;
}

const isoDate = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

/**
 * Checks a PagerDuty Events API v2 body against PagerDuty's published format (developer-docs
 * "Send an Alert Event"): every violation as a line, `[]` when valid.
 */
export function checkPagerDutyEvent(raw: string): string[] {
  const problems: string[] = [];
  if (Buffer.byteLength(raw) > 512_000) problems.push("the event is over 512 KB");
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return ["the body is not JSON"];
  }
  if (!isObject(body)) return ["the body is not a JSON object"];
  for (const key of Object.keys(body))
    if (
      ![
        "routing_key",
        "event_action",
        "dedup_key",
        "payload",
        "images",
        "links",
        "client",
        "client_url",
      ].includes(key)
    )
      problems.push(`unknown field ${key}`);
  if (typeof body.routing_key !== "string" || body.routing_key.length !== 32)
    problems.push("routing_key must be the 32-character integration key");
  if (!["trigger", "acknowledge", "resolve"].includes(body.event_action as string))
    problems.push("event_action must be trigger, acknowledge or resolve");
  if (body.dedup_key !== undefined && (typeof body.dedup_key !== "string" || body.dedup_key.length > 255))
    problems.push("dedup_key must be a string of at most 255 characters");
  if (body.event_action !== "trigger" && body.dedup_key === undefined)
    problems.push(`${String(body.event_action)} needs the dedup_key`);
  if (body.event_action === "trigger") {
    const payload = body.payload;
    if (!isObject(payload)) problems.push("payload is required for trigger");
    else {
      if (typeof payload.summary !== "string" || payload.summary === "" || payload.summary.length > 1024)
        problems.push("payload.summary must be 1 to 1024 characters");
      if (typeof payload.source !== "string" || payload.source === "")
        problems.push("payload.source is required");
      if (!["critical", "error", "warning", "info"].includes(payload.severity as string))
        problems.push("payload.severity must be critical, error, warning or info");
      if (
        payload.timestamp !== undefined &&
        (typeof payload.timestamp !== "string" || !isoDate.test(payload.timestamp))
      )
        problems.push("payload.timestamp must be ISO 8601");
      for (const key of ["component", "group", "class"])
        if (payload[key] !== undefined && typeof payload[key] !== "string")
          problems.push(`payload.${key} must be a string`);
      if (payload.custom_details !== undefined && !isObject(payload.custom_details))
        problems.push("payload.custom_details must be an object");
      for (const key of Object.keys(payload))
        if (
          ![
            "summary",
            "source",
            "severity",
            "timestamp",
            "component",
            "group",
            "class",
            "custom_details",
          ].includes(key)
        )
          problems.push(`unknown payload field ${key}`);
    }
  }
  if (body.links !== undefined) {
    if (!Array.isArray(body.links)) problems.push("links must be an array");
    else
      body.links.forEach((link: unknown, i) => {
        if (!isObject(link) || typeof link.href !== "string" || !/^https?:\/\//.test(link.href))
          problems.push(`links[${i}].href must be a URL`);
        if (isObject(link) && link.text !== undefined && typeof link.text !== "string")
          problems.push(`links[${i}].text must be a string`);
      });
  }
  for (const key of ["client", "client_url"])
    if (body[key] !== undefined && typeof body[key] !== "string") problems.push(`${key} must be a string`);
  return problems;
}

/** A Slack-like receiver: 400 `invalid_payload` for a malformed message, else the script, else 200 `ok`. */
export function slackAnswer(request: ReceivedRequest): Answer {
  let body: unknown;
  try {
    body = JSON.parse(request.body);
  } catch {
    return { status: 400, body: "invalid_payload" };
  }
  if (!String(request.headers["content-type"]).startsWith("application/json"))
    return { status: 400, body: "invalid_payload" };
  return checkSlackMessage(body).length === 0
    ? { status: 200, headers: { "content-type": "text/html" }, body: "ok" }
    : { status: 400, body: "invalid_payload" };
}

/** A PagerDuty-like receiver: 400 with `errors` for an invalid event, else 202 with the dedup key. */
export function pagerDutyAnswer(request: ReceivedRequest): Answer {
  const problems = checkPagerDutyEvent(request.body);
  if (problems.length > 0)
    return {
      status: 400,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ status: "invalid event", message: "Event object is invalid", errors: problems }),
    };
  const { dedup_key } = JSON.parse(request.body) as { dedup_key: string };
  return {
    status: 202,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ status: "success", message: "Event processed", dedup_key }),
  };
}
