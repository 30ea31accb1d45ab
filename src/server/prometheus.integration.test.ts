import assert from "node:assert/strict";

import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type Daemon, startDaemon } from "../testing/daemon.js";
import { closeTo } from "../testing/golden.js";
import { seededRandom } from "../testing/random.js";
import { deadUrl } from "../testing/receiver.js";
import { type RunningServer, startServer } from "./index.js";

// A real Prometheus (Debian's `prometheus` package, installed by .ci/run) scrapes the server's
// /metrics and the gauges are read back through its query API: this proves the exposition parses
// in Prometheus itself, not only in our regular expressions.
const PROMETHEUS = "/usr/bin/prometheus";
const MISSING = existsSync(PROMETHEUS)
  ? null
  : `install Debian's prometheus package (apt-get install prometheus): ${PROMETHEUS} is missing`;
const JOB = "tiktoktoe";
const MODEL = "churn";
const T0 = Date.parse("2024-03-04T00:00:00Z");
const EVENTS = 200; // every 30 s: 120 in the first hour window, 80 in the newest
const DEADLINE_MS = 20_000;

const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-prometheus-"));
let server: RunningServer | undefined;
let prometheus: Daemon | undefined;
let prometheusUrl = "";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function json(url: string, init?: RequestInit): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, body: text.startsWith("{") ? JSON.parse(text) : text };
}

async function serverCall(method: string, path: string, body: string, type = "application/json") {
  const answer = await json(`${server!.url}${path}`, {
    method,
    headers: { "content-type": type },
    body,
  });
  assert.ok(answer.status < 300, `${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

/** Polls an instant query until it returns at least one sample (or fails after DEADLINE_MS). */
async function query(promql: string): Promise<Sample[]> {
  const deadline = Date.now() + DEADLINE_MS;
  let last: unknown = null;
  while (Date.now() < deadline) {
    const answer = await json(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(promql)}`);
    last = answer.body;
    const body = answer.body as { status?: string; data?: { result?: Sample[] } };
    if (answer.status === 200 && body.status === "success" && (body.data?.result?.length ?? 0) > 0)
      return body.data!.result!;
    await sleep(250);
  }
  const targets = await json(`${prometheusUrl}/api/v1/targets`).catch((e: unknown) => ({ body: String(e) }));
  assert.fail(
    `no sample for ${promql} within ${DEADLINE_MS} ms; last answer ${JSON.stringify(last)}; ` +
      `targets ${JSON.stringify(targets.body)}; prometheus log:\n${prometheus?.log().slice(-4000)}`,
  );
}

// biome-ignore lint/suspicious/noExplicitAny: window summaries are read as loose JSON here
async function newestWindow(): Promise<Record<string, any>> {
  const { body } = await json(`${server!.url}/v1/models/${MODEL}/windows?version=1`);
  // biome-ignore lint/suspicious/noExplicitAny: as above
  const windows = (body as { windows: Array<Record<string, any>> }).windows;
  assert.equal(windows.length, 2, JSON.stringify(windows));
  return windows.at(-1)!;
}

before(async () => {
  if (MISSING !== null) return;
  server = await startServer({
    port: 0,
    dataDir: join(dir, "data"),
    clock: "event", // default config: 1h windows, accuracy, min_samples 30
    flushIntervalMs: 60_000,
  });
  await serverCall(
    "POST",
    "/v1/models",
    JSON.stringify({
      name: MODEL,
      task: "binary",
      classes: ["no", "yes"],
      features: [
        { name: "tenure", type: "numeric" },
        { name: "plan", type: "categorical" },
      ],
    }),
  );
  await serverCall("POST", `/v1/models/${MODEL}/versions`, JSON.stringify({ version: "1" }));
  const rng = seededRandom(2024);
  const events = Array.from({ length: EVENTS }, (_, i) => {
    const score = rng.uniform();
    return {
      id: `e${i}`,
      time: T0 + i * 30_000,
      version: "1",
      features: { tenure: Math.round(rng.uniform() * 60), plan: rng.uniform() < 0.5 ? "basic" : "pro" },
      prediction: score >= 0.5 ? "yes" : "no",
      latency_ms: Math.exp(2.5 + 0.6 * rng.normal()),
    };
  });
  // Truth agrees with the prediction about 85% of the time, so accuracy is a non-trivial number.
  const labels = events.map((e) => ({
    id: e.id,
    value: rng.uniform() < 0.85 ? e.prediction : e.prediction === "yes" ? "no" : "yes",
  }));
  const ndjson = events.map((e) => JSON.stringify(e)).join("\n");
  assert.deepEqual(await serverCall("POST", `/v1/models/${MODEL}/events`, ndjson, "application/x-ndjson"), {
    accepted: EVENTS,
    duplicates: 0,
  });
  await serverCall("POST", `/v1/models/${MODEL}/labels`, JSON.stringify(labels));

  const port = Number(new URL(await deadUrl()).port);
  prometheusUrl = `http://127.0.0.1:${port}`;
  const config = join(dir, "prometheus.yml");
  writeFileSync(
    config,
    [
      "global:",
      "  scrape_interval: 1s",
      "  scrape_timeout: 1s",
      "  evaluation_interval: 1s",
      "scrape_configs:",
      `  - job_name: ${JOB}`,
      "    metrics_path: /metrics",
      "    static_configs:",
      `      - targets: ["${new URL(server.url).host}"]`,
      "",
    ].join("\n"),
  );
  prometheus = await startDaemon(
    PROMETHEUS,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, "tsdb")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--storage.tsdb.retention.time=1h",
    ],
    `${prometheusUrl}/-/ready`,
    DEADLINE_MS,
  );
});

after(() => prometheus?.stop());
after(async () => {
  await server?.close();
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe("a real Prometheus scrapes /metrics", () => {
  test("the scrape succeeds: up is 1 and the target has no error", async (t) => {
    if (MISSING !== null) {
      t.skip(MISSING);
      return;
    }
    const [up] = await query(`up{job="${JOB}"}`);
    const { body } = await json(`${prometheusUrl}/api/v1/targets`);
    const target = (
      body as { data: { activeTargets: Array<{ health: string; lastError: string; labels: object }> } }
    ).data.activeTargets[0];
    assert.equal(up?.value[1], "1", `up: ${JSON.stringify(up)}; target: ${JSON.stringify(target)}`);
    assert.equal(target?.health, "up", JSON.stringify(target));
    assert.equal(target?.lastError, "");
  });

  test("tiktoktoe_model_accuracy_ratio reads back the newest window's accuracy, with its labels", async (t) => {
    if (MISSING !== null) {
      t.skip(MISSING);
      return;
    }
    const samples = await query("tiktoktoe_model_accuracy_ratio");
    const window = await newestWindow();
    assert.equal(window.events, 80);
    assert.equal(window.labels, 80);
    const accuracy = window.quality.accuracy as number;
    assert.ok(accuracy > 0.6 && accuracy < 1, `accuracy ${accuracy}`);
    assert.equal(samples.length, 1, JSON.stringify(samples));
    const sample = samples[0]!;
    assert.deepEqual(sample.metric, {
      __name__: "tiktoktoe_model_accuracy_ratio",
      instance: new URL(server!.url).host,
      job: JOB,
      model: MODEL,
      version: "1",
    });
    assert.ok(
      closeTo(Number(sample.value[1]), accuracy, 1e-12, 0),
      `Prometheus ${sample.value[1]} vs /windows ${accuracy}`,
    );
  });

  test("tiktoktoe_model_latency_seconds{quantile=0.99} reads back the newest window's p99", async (t) => {
    if (MISSING !== null) {
      t.skip(MISSING);
      return;
    }
    const samples = await query('tiktoktoe_model_latency_seconds{quantile="0.99"}');
    const window = await newestWindow();
    const p99 = (window.latency.p99 as number) / 1000;
    assert.equal(samples.length, 1, JSON.stringify(samples));
    const sample = samples[0]!;
    assert.deepEqual(sample.metric, {
      __name__: "tiktoktoe_model_latency_seconds",
      instance: new URL(server!.url).host,
      job: JOB,
      model: MODEL,
      quantile: "0.99",
      version: "1",
    });
    assert.ok(
      closeTo(Number(sample.value[1]), p99, 1e-12, 0),
      `Prometheus ${sample.value[1]} vs /windows ${p99}`,
    );
  });
});

describe("the latency summary", () => {
  test("tiktoktoe_model_latency_seconds_count and _sum read back the newest window's latencies", async (t) => {
    if (MISSING !== null) {
      t.skip(MISSING);
      return;
    }
    const [count] = await query("tiktoktoe_model_latency_seconds_count");
    const [sum] = await query("tiktoktoe_model_latency_seconds_sum");
    const window = await newestWindow();
    assert.equal(Number(count?.value[1]), window.latency.count);
    assert.equal(window.latency.count, 80);
    // The mean lies between the window's p50-ish bulk and its max: a sum in seconds, not ms.
    const mean = Number(sum?.value[1]) / Number(count?.value[1]);
    assert.ok(mean > 0 && mean <= (window.latency.max as number) / 1000, `mean ${mean} s`);
  });
});
