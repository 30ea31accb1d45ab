import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type Receiver, startReceiver } from "../testing/receiver.js";
import { exited, spawnServe } from "../testing/serve-process.js";

// Prometheus' own linter (Debian's `prometheus` package, installed by .ci/run) reads a real
// `tiktoktoe serve`'s /metrics with every kind of series present: model quality of a classifier
// and a regressor, latency summaries, drift, notifications, HTTP requests, the machine's metrics.
const PROMTOOL = "/usr/bin/promtool";
const MISSING = existsSync(PROMTOOL)
  ? null
  : `install Debian's prometheus package (apt-get install prometheus): ${PROMTOOL} is missing`;
// node_exporter's spelling, kept so that its dashboards and rules work (docs/server.md, docs/resources.md).
const DOCUMENTED_FINDINGS = new Set(
  ["MemTotal", "MemFree", "MemAvailable", "SwapTotal", "SwapFree"].map(
    (field) => `node_memory_${field}_bytes metric names should be written in 'snake_case' not 'camelCase'`,
  ),
);
const TOKEN = "metrics-lint-admin";
const H = 3_600_000;
const T0 = Date.parse("2026-03-02T00:00:00Z");
const FLOOD = 1000;
const DEADLINE_MS = 20_000;

const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-metrics-lint-"));
let child: ChildProcess | undefined;
let url = "";
let receiver: Receiver | undefined;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const auth = { authorization: `Bearer ${TOKEN}` };

async function call(method: string, path: string, body?: unknown, type = "application/json") {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { ...auth, "content-type": type },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  assert.ok(response.status < 300, `${method} ${path}: ${response.status} ${text}`);
  return text;
}

async function metrics(): Promise<string> {
  return call("GET", "/metrics");
}

/** `count` requests, 50 at a time; answers with the statuses seen. */
async function flood(count: number, request: (i: number) => Promise<Response>): Promise<Set<number>> {
  const statuses = new Set<number>();
  for (let start = 0; start < count; start += 50) {
    const answers = await Promise.all(
      Array.from({ length: Math.min(50, count - start) }, (_, j) => request(start + j)),
    );
    for (const answer of answers) {
      statuses.add(answer.status);
      await answer.arrayBuffer();
    }
  }
  return statuses;
}

/** The HTTP request counter's series: label text → value. */
function httpSeries(text: string): Map<string, number> {
  const series = new Map<string, number>();
  for (const match of text.matchAll(/^tiktoktoe_http_requests_total(\{.*\}) (\S+)$/gm))
    series.set(match[1]!, Number(match[2]));
  return series;
}

/** Ten events an hour, and their labels, for one model over [from, to) hours after T0. */
async function ingest(
  model: string,
  hours: [number, number],
  event: (hour: number, i: number) => { prediction: unknown; truth: unknown; features: object },
) {
  for (let hour = hours[0]; hour < hours[1]; hour++) {
    const rows = Array.from({ length: 10 }, (_, i) => ({ i, ...event(hour, i) }));
    const events = rows.map(({ i, prediction, features }) => ({
      id: `${model}-${hour}-${i}`,
      time: T0 + hour * H + i * 60_000,
      version: "1",
      features,
      prediction,
      latency_ms: 5 + i,
    }));
    await call(
      "POST",
      `/v1/models/${model}/events`,
      events.map((e) => JSON.stringify(e)).join("\n"),
      "application/x-ndjson",
    );
    await call(
      "POST",
      `/v1/models/${model}/labels`,
      rows.map(({ i, truth }) => ({ id: `${model}-${hour}-${i}`, value: truth })),
    );
  }
}

before(async () => {
  receiver = await startReceiver(() => ({ status: 200, body: "ok" }));
  const config = join(dir, "monitor.yaml");
  writeFileSync(
    config,
    [
      "monitor: { window: 1h, lateness: 0s, min_samples: 5 }",
      "metrics:",
      "  quality: { metric: accuracy, threshold: 0.95 }",
      "models:",
      "  bike:",
      "    metrics:",
      "      quality: { metric: mae, threshold: 10 }",
      "alerting:",
      `  channels: { hook: { type: webhook, url: "${receiver.url}/hook" } }`,
      "  receivers: { default: { channels: [hook] } }",
      "  route: { receiver: default, group_by: [model, alertname], group_wait: 0s, group_interval: 1m, repeat_interval: 1d }",
      "",
    ].join("\n"),
  );
  writeFileSync(join(dir, "tokens.txt"), `${TOKEN} admin\n`);
  const started = await spawnServe([
    ...["--data-dir", join(dir, "data"), "--port", "0", "--clock", "event"],
    ...["--config", config, "--tokens", join(dir, "tokens.txt")],
  ]);
  child = started.child;
  url = started.url;

  await call("POST", "/v1/models", {
    name: "churn",
    task: "binary",
    classes: ["no", "yes"],
    features: [
      { name: "tenure", type: "numeric" },
      { name: "plan", type: "categorical" },
    ],
  });
  await call("POST", "/v1/models", {
    name: "bike",
    task: "regression",
    features: [{ name: "x", type: "numeric" }],
  });
  for (const model of ["churn", "bike"]) await call("POST", `/v1/models/${model}/versions`, { version: "1" });
  // A reference for the classifier, so that its drift severity is exposed too.
  const rows = Array.from({ length: 50 }, (_, i) => `${i},${i % 2 === 0 ? "basic" : "pro"}`);
  await call("PUT", "/v1/models/churn/versions/1/reference", ["tenure,plan", ...rows].join("\n"), "text/csv");

  // Six bad hours (accuracy 0.7 < 0.95, MAE 50 > 10) fire alerts; then the newest window, twenty
  // hours on, closes them and holds a window of its own for the gauges.
  const churn = (hour: number, i: number) => ({
    prediction: i % 2 === 0 ? "yes" : "no",
    truth: i % 4 < 2 ? "no" : i % 2 === 0 ? "yes" : "no", // 3 of 10 wrong: accuracy 0.7
    features: { tenure: hour + i, plan: i % 3 === 0 ? "pro" : "basic" },
  });
  const bike = (hour: number, i: number) => ({
    prediction: 100 + (hour < 20 ? 50 : 1),
    truth: 100,
    features: { x: i },
  });
  await ingest("churn", [0, 6], churn);
  await ingest("bike", [0, 6], bike);
  await ingest("churn", [20, 21], churn);
  await ingest("bike", [20, 21], bike);
  const deadline = Date.now() + DEADLINE_MS;
  while (receiver.requests.length === 0 && Date.now() < deadline) await sleep(100);
  assert.ok(receiver.requests.length > 0, "no notification reached the webhook");
});

after(async () => {
  if (child !== undefined) {
    child.kill("SIGTERM");
    await exited(child);
  }
  await receiver?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("/metrics", () => {
  test("probing paths and model names adds no series: routes are templates, the rest is one value", async () => {
    // One of each kind first, so that every (method, route, code) the flood can reach exists.
    const unknownPath = (i: number) => fetch(`${url}/probe-${i}/versions/${i}/reference`);
    const unauthorised = (i: number) => fetch(`${url}/v1/models/ghost-${i}/windows`);
    const unknownModel = (i: number) => fetch(`${url}/v1/models/ghost-${i}/windows`, { headers: auth });
    for (const kind of [unknownPath, unauthorised, unknownModel]) await flood(1, kind);
    await metrics(); // counted once answered: the next scrape shows GET /metrics too
    const first = httpSeries(await metrics());

    assert.deepEqual(await flood(FLOOD, unknownPath), new Set([404]));
    assert.deepEqual(await flood(FLOOD, unauthorised), new Set([401]));
    assert.deepEqual(await flood(FLOOD, unknownModel), new Set([404]));
    const text = await metrics();
    const then = httpSeries(text);

    assert.deepEqual([...then.keys()].sort(), [...first.keys()].sort(), "no series were added");
    assert.equal(then.get('{method="GET",route="unmatched",code="404"}'), FLOOD + 1);
    assert.equal(then.get('{method="GET",route="/v1/models/{model}/windows",code="401"}'), FLOOD + 1);
    assert.equal(then.get('{method="GET",route="/v1/models/{model}/windows",code="404"}'), FLOOD + 1);
    assert.equal(
      then.get('{method="POST",route="/v1/models/{model}/events",code="200"}'),
      14,
      "ingest batches",
    );
    assert.doesNotMatch(text, /probe-|ghost-/);
    assert.ok(then.size < 40, `${then.size} series`);
  });

  test("promtool check metrics finds nothing but node_exporter's documented names", async (t) => {
    if (MISSING !== null) {
      t.skip(MISSING);
      return;
    }
    const text = await metrics();
    // Every kind of series is there, so promtool sees each family with samples.
    for (const expected of [
      /^tiktoktoe_model_accuracy_ratio\{model="churn",version="1"\} 0\.7$/m,
      /^tiktoktoe_model_mae\{model="bike",version="1"\} 1$/m,
      /^# TYPE tiktoktoe_model_latency_seconds summary$/m,
      /^tiktoktoe_model_latency_seconds\{model="churn",version="1",quantile="0\.99"\} 0\.01\d*$/m,
      /^tiktoktoe_model_latency_seconds_sum\{model="bike",version="1"\} 0\.095$/m,
      /^tiktoktoe_model_latency_seconds_count\{model="bike",version="1"\} 10$/m,
      /^tiktoktoe_model_drift_severity\{model="churn",version="1"\} \d$/m,
      /^tiktoktoe_notifications_total\{channel="hook",result="sent"\} [1-9]/m,
      /^# TYPE tiktoktoe_notification_latency_seconds summary$/m,
      /^tiktoktoe_notification_latency_seconds_count\{channel="hook"\} [1-9]/m,
      /^tiktoktoe_http_requests_total\{method="GET",route="unmatched",code="404"\} [1-9]/m,
      /^node_memory_MemTotal_bytes \d/m,
    ])
      assert.match(text, expected);
    assert.doesNotMatch(text, /tiktoktoe_model_quality/);

    const lint = spawnSync(PROMTOOL, ["check", "metrics"], { input: text, encoding: "utf8" });
    const findings = `${lint.stdout}${lint.stderr}`
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line !== "");
    const unexpected = findings.filter((line) => !DOCUMENTED_FINDINGS.has(line));
    assert.deepEqual(unexpected, [], `promtool (exit ${lint.status}):\n${findings.join("\n")}`);
    // 0: clean; 3: lint findings only (all documented, above). Anything else: it did not parse.
    assert.ok(lint.status === 0 || lint.status === 3, `promtool exited ${lint.status}`);
  });
});
