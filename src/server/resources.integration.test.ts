import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { probeProblem } from "../config/index.js";
import { isTikTokToeError } from "../errors/index.js";
import { probeTargetProblem } from "../resources/index.js";
import { deadUrl, startReceiver } from "../testing/receiver.js";
import type { ResourcesReport } from "./resource-monitor.js";
import { startServer } from "./start.js";

const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-resources-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Received {
  status: string;
  alerts: Array<{ status: string; labels: Record<string, string>; annotations: Record<string, string> }>;
}

test("resource rules fire through alerting: memory over a tiny threshold, a closed port, a busy window", async () => {
  const receiver = await startReceiver(() => ({ status: 200, body: "ok" }));
  const closed = new URL(await deadUrl());
  const target = `tcp://127.0.0.1:${closed.port}`;
  writeFileSync(
    join(dir, "alerting.yaml"),
    [
      "resources:",
      "  interval: 200ms",
      "  window: 1s",
      `  probes: [${target}]`,
      "  rules:",
      "    memory_used_ratio: { warning: 0.01 }",
      "    cpu_utilisation: { warning: 0 }",
      "alerting:",
      `  channels: { hook: { type: webhook, url: "${receiver.url}/hook" } }`,
      "  receivers: { default: { channels: [hook] } }",
      "  route: { receiver: default, group_by: [alertname], group_wait: 0s, group_interval: 1s, repeat_interval: 1d }",
      "",
    ].join("\n"),
  );
  const server = await startServer({
    port: 0,
    dataDir: join(dir, "alerting"),
    configFile: join(dir, "alerting.yaml"),
    flushIntervalMs: 50,
    deliveryIntervalMs: 20,
  });
  const received = () => receiver.requests.map((r) => JSON.parse(r.body) as Received);
  const firing = (alertname: string) =>
    received()
      .flatMap((n) => n.alerts)
      .find((a) => a.status === "firing" && a.labels.alertname === alertname);
  try {
    for (
      let i = 0;
      i < 200 && !["ResourceMemoryHigh", "DependencyDown", "ResourceCpuHigh"].every((n) => firing(n));
      i++
    )
      await sleep(50);

    const memory = firing("ResourceMemoryHigh");
    assert.ok(memory, `no ResourceMemoryHigh notification (${receiver.requests.length} requests)`);
    assert.deepEqual(memory.labels, {
      alertname: "ResourceMemoryHigh",
      instance: hostname(),
      resource: "memory",
      severity: "warning",
    });
    assert.equal(memory.annotations.threshold, "0.01");
    const value = Number(memory.annotations.value);
    assert.ok(value > 0.01 && value <= 1, `value ${memory.annotations.value}`);
    assert.match(memory.annotations.summary!, /memory used \d+(\.\d+)?%, above 1%$/);
    assert.equal(memory.annotations.dashboard, `${server.url}/resources`);

    const down = firing("DependencyDown");
    assert.ok(down, "a probe to a closed port fires DependencyDown");
    assert.equal(down.labels.target, target);
    assert.equal(down.labels.severity, "critical");
    assert.equal(down.annotations.value, "0");

    const cpu = firing("ResourceCpuHigh");
    assert.ok(cpu, "a closed window's CPU utilisation above 0 fires ResourceCpuHigh");
    assert.equal(
      Date.parse(cpu.annotations.window_end!) - Date.parse(cpu.annotations.window_start!),
      1000,
      "judged over one window",
    );

    // The API: windows with every figure, the newest snapshot, thresholds, the resource alerts.
    const answer = (await (await fetch(`${server.url}/v1/resources?last=1h`)).json()) as ResourcesReport;
    assert.ok(answer.windows.length >= 2, `${answer.windows.length} windows`);
    const starts = answer.windows.map((w) => w.startMs);
    assert.deepEqual(
      starts,
      [...starts].sort((a, b) => a - b),
      "oldest first",
    );
    for (const w of answer.windows) {
      assert.equal(w.startMs % 1000, 0, "aligned to the window length");
      assert.equal(w.endMs - w.startMs, 1000);
      assert.ok(w.memory.usedRatio !== null && w.memory.usedRatio.max > 0);
      assert.ok(w.filesystems.length >= 1 && w.filesystems[0]!.usedRatio.last > 0);
      assert.ok(w.network.some((n) => n.device === "lo"));
      assert.ok(w.memoryTotalBytes !== null && w.memoryTotalBytes > 0);
      assert.equal(w.probes[0]?.target, target);
      assert.equal(w.probes[0]?.success?.max, 0);
      assert.equal("gauges" in w, false, "per-series maps are left out");
    }
    const closedWindows = answer.windows.filter((w) => !w.open && w.snapshots >= 2);
    assert.ok(closedWindows.length >= 1);
    assert.ok(closedWindows.every((w) => w.cpu.utilisation !== null && w.cpu.utilisation > 0));
    assert.ok(closedWindows.some((w) => w.network[0]!.receiveBytesPerSecond !== null));
    assert.equal(answer.windows.filter((w) => w.open).length, 1, "the newest window is open");
    assert.ok(answer.latest !== null && answer.latest.samples.length > 0);
    assert.equal(answer.latest.collectors.find((c) => c.collector === "cpu")?.status, "ok");
    assert.equal(answer.thresholds.memory_used_ratio.warning, 0.01);
    assert.equal(answer.thresholds.memory_used_ratio.critical, 0.95, "the other level keeps its default");
    assert.equal(answer.thresholds.probe_success.direction, "below");
    assert.ok(answer.alerts.some((a) => a.labels.alertname === "ResourceMemoryHigh"));
    assert.ok(answer.alerts.every((a) => a.labels.resource !== undefined));
    assert.equal((await fetch(`${server.url}/v1/resources?last=0`)).status, 400);
    const ranged = (await (
      await fetch(`${server.url}/v1/resources?from=${starts.at(-2)}&to=${starts.at(-1)}`)
    ).json()) as ResourcesReport;
    assert.deepEqual(
      ranged.windows.map((w) => w.startMs),
      [starts.at(-2)],
    );

    // /metrics: node_exporter's names beside the server's own, each family once.
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, /^node_memory_MemAvailable_bytes \d+/m);
    assert.match(metrics, /^node_cpu_seconds_total\{cpu="0",mode="idle"\} [\d.]+/m);
    assert.match(metrics, new RegExp(`^probe_success\\{target="${target}"\\} 0$`, "m"));
    assert.match(metrics, /^tiktoktoe_ingested_events_total 0/m);
    const types = [...metrics.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]!);
    assert.deepEqual(
      types.filter((t, i) => types.indexOf(t) !== i),
      [],
      "no family twice",
    );
  } finally {
    await server.close();
    await receiver.close();
  }
});

test("windows are aligned on the injected clock, survive a restart, and go with the retention", async () => {
  const H = 3_600_000;
  let now = Date.parse("2026-03-02T10:00:10Z");
  writeFileSync(
    join(dir, "clock.yaml"),
    "reporting: { retention: 2h }\nresources: { window: 1m, gpu: off }\n",
  );
  const start = () =>
    startServer({
      port: 0,
      dataDir: join(dir, "clock"),
      configFile: join(dir, "clock.yaml"),
      now: () => now,
      // Longer than the test: only the sample at start-up and the ones called here run.
      resourceIntervalMs: H,
    });
  // The server samples once as it starts (at 10:00:10); each sample() below runs after it.
  let server = await start();
  try {
    now += 20_000;
    await server.resources.sample();
    now += 60_000; // 10:01:30, the next window
    await server.resources.sample();
    let report = await server.resources.report({ lastMs: H });
    assert.deepEqual(
      report.windows.map((w) => [new Date(w.startMs).toISOString(), w.snapshots, w.open]),
      [
        ["2026-03-02T10:00:00.000Z", 2, false],
        ["2026-03-02T10:01:00.000Z", 1, true],
      ],
    );
    assert.equal(report.gpu, "off");
    assert.ok(
      report.latest?.collectors.every((c) => c.collector !== "gpu"),
      "gpu: off runs no nvidia-smi",
    );

    // A restart within the same window continues it (its sample at start-up, then this one).
    await server.close();
    now += 10_000;
    server = await start();
    await server.resources.sample();
    report = await server.resources.report({ lastMs: H });
    assert.deepEqual(
      report.windows.map((w) => w.snapshots),
      [2, 3],
    );
    // Downsampled: two windows into one point, merged exactly.
    const one = await server.resources.report({ lastMs: H }, 1);
    assert.equal(one.bucket, 2);
    assert.equal(one.windows.length, 1);
    assert.equal(one.windows[0]!.snapshots, 5);
    assert.equal(one.windows[0]!.endMs - one.windows[0]!.startMs, 120_000);

    // Retention: 2 h after the first window ended, it goes; the second stays a minute longer.
    now = Date.parse("2026-03-02T12:01:30Z");
    assert.equal(await server.resources.retention(), 1);
    report = await server.resources.report({ fromMs: 0, toMs: Number.POSITIVE_INFINITY });
    assert.deepEqual(
      report.windows.map((w) => new Date(w.startMs).toISOString()),
      ["2026-03-02T10:01:00.000Z"],
    );
  } finally {
    await server.close();
  }
});

test("a bad resources section is refused at start-up with every problem and its path", async () => {
  writeFileSync(
    join(dir, "bad.yaml"),
    [
      "resources:",
      "  interval: -5s",
      "  probes: [https://ok.example.com/healthz, ftp://files.example.com, 'tcp://db']",
      "  gpu: maybe",
      "  rules:",
      "    memory_used_ratio: { warning: 1.5 }",
      "    disk_used_ratio: { warning: 0.95, critical: 0.9 }",
      "    swap_used_ratio: { warning: 0.5 }",
      "",
    ].join("\n"),
  );
  await assert.rejects(
    startServer({ port: 0, dataDir: join(dir, "bad"), configFile: join(dir, "bad.yaml") }),
    (error) => {
      assert.ok(isTikTokToeError(error, "CONFIG_INVALID"));
      const message = error.message;
      assert.match(message, /2:13 resources\.interval: a duration cannot be negative/);
      assert.match(message, /3:44 resources\.probes\[1\]: scheme "ftp:" is not http:, https: or tcp:/);
      assert.match(message, /resources\.probes\[2\]: a tcp:\/\/ target needs a host and a port/);
      assert.match(message, /resources\.gpu: "maybe" is not one of auto, off/);
      assert.match(
        message,
        /resources\.rules\.memory_used_ratio\.warning: must be between 0 and 1, got 1\.5/,
      );
      assert.match(message, /resources\.rules\.swap_used_ratio: unknown key/);
      assert.match(message, /6 problems/);
      return true;
    },
  );
  // The conflict between two valid thresholds is reported once the keys are valid on their own.
  writeFileSync(
    join(dir, "conflict.yaml"),
    "resources:\n  rules:\n    disk_used_ratio: { warning: 0.95, critical: 0.9 }\n",
  );
  await assert.rejects(
    startServer({ port: 0, dataDir: join(dir, "conflict"), configFile: join(dir, "conflict.yaml") }),
    /resources\.rules\.disk_used_ratio\.warning: the warning threshold \(0\.95\) is above the critical one \(0\.9\)/,
  );
});

test("the configuration and the latency collector agree on which probe targets can be probed", () => {
  for (const target of [
    "http://127.0.0.1:8080/healthz",
    "https://user:pw@api.example.com/x?y=1",
    "tcp://db.internal:5432",
    "tcp://[::1]:6379",
    "tcp://db.internal",
    "ftp://files.example.com",
    "udp://1.2.3.4:53",
    "db.internal:5432",
    "",
  ])
    assert.equal(probeProblem(target), probeTargetProblem(target), target);
});
