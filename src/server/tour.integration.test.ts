// The README's tour, run as written: its curl commands are read from README.md and executed by bash
// against a fresh server started with examples/monitor.yaml. Only the clock is the test's (so the
// one-minute window closes when the test says, not a minute later).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { repoPath } from "../testing/paths.js";
import { type RunningServer, startServer } from "./start.js";

const run = promisify(execFile);
const curlMissing = (() => {
  try {
    readFileSync("/usr/bin/curl");
    return false;
  } catch {
    return "curl is not installed (Debian package curl): the README tour test needs it";
  }
})();

/** The tour's shell commands, in order, from README.md's "A short tour" section. */
function tourCommands(): string[] {
  const readme = readFileSync(repoPath("README.md"), "utf8");
  const start = readme.indexOf("## A short tour");
  assert.ok(start >= 0, "README has a tour");
  const end = readme.indexOf("\n## ", start + 1);
  const section = readme.slice(start, end);
  const commands: string[] = [];
  for (const block of section.matchAll(/```sh\n([\s\S]*?)```/g))
    for (const line of block[1]!.split("\n")) if (line.trim() !== "") commands.push(line.trim());
  return commands;
}

const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-tour-"));
// A minute boundary plus 10 s: the tour's data lands in the window [10:00, 10:01).
let now = Date.UTC(2026, 0, 5, 10, 0, 10);
let server: RunningServer;
let commands: string[];

before(async () => {
  if (curlMissing) return;
  commands = tourCommands();
  const serve = commands.find((c) => c.startsWith("tiktoktoe serve"));
  assert.ok(serve?.includes("--config examples/monitor.yaml"), "the tour uses the example configuration");
  server = await startServer({
    port: 0,
    dataDir: join(dir, "data"),
    configFile: repoPath("examples", "monitor.yaml"),
    now: () => now,
    flushIntervalMs: 3_600_000, // the test flushes itself
  });
});

after(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs one README command against the test server; curl fails on an HTTP error (--fail-with-body). */
async function sh(command: string): Promise<unknown> {
  const port = new URL(server.url).port;
  const line = command
    .replace(/#.*$/, "")
    .replaceAll("localhost:8080", `127.0.0.1:${port}`)
    .replace(/^curl /, "curl -sS --fail-with-body ");
  const { stdout } = await run("bash", ["-c", line], { cwd: repoPath(), maxBuffer: 64 * 2 ** 20 });
  return stdout.trim() === "" ? null : JSON.parse(stdout);
}

const curls = () => commands.filter((c) => c.startsWith("curl"));

test("the tour registers, uploads and logs without an error; the open window has its events, labels and drift", {
  skip: curlMissing,
}, async () => {
  const steps = curls();
  const windowsAt = steps.findIndex((c) => c.includes("/windows"));
  assert.ok(windowsAt > 0, "the tour reads the windows");
  for (const command of steps.slice(0, windowsAt)) await sh(command);
  await server.service.flush();
  const answer = (await sh(steps[windowsAt]!)) as {
    windows: Array<{ events: number; labels: number; final: boolean; drift: { severity: string } | null }>;
  };
  assert.equal(answer.windows.length, 1);
  const [window] = answer.windows;
  assert.equal(window!.events, 300);
  assert.equal(window!.labels, 300);
  assert.equal(window!.final, false);
  assert.notEqual(window!.drift, null, "the reference was uploaded, so the window has drift");
});

test("a minute later the window is final, alerts fire into the server's list, and the report is written", {
  skip: curlMissing,
}, async () => {
  now = Date.UTC(2026, 0, 5, 10, 1, 30);
  await server.service.flush();
  const steps = curls();
  const at = (path: string) => steps.find((c) => c.includes(path))!;
  const windows = (await sh(at("/windows"))) as {
    windows: Array<{ final: boolean; quality: { accuracy: number } }>;
  };
  assert.equal(windows.windows[0]!.final, true);
  assert.ok(windows.windows[0]!.quality.accuracy < 0.7, "accuracy is below the example threshold");
  const alerts = (await sh(at("/v1/alerts"))) as {
    alerts: Array<{ labels: { alertname: string }; status: string }>;
    channels: string[];
  };
  const names = alerts.alerts.filter((a) => a.status === "firing").map((a) => a.labels.alertname);
  assert.ok(names.includes("ModelQualityLow"), names.join(", "));
  assert.ok(names.includes("ModelDriftDetected"), names.join(", "));
  assert.deepEqual(alerts.channels, [], "the example names no channel: the list is where alerts go");
  const overview = (await sh(at("/v1/overview"))) as {
    models: Array<{ name: string; health: { status: string } }>;
  };
  assert.notEqual(overview.models.find((m) => m.name === "churn")?.health.status, "ok");
  const reports = (await sh(at("/reports"))) as { reports: Array<{ id: string }> };
  assert.ok(reports.reports.length >= 1, "the period's health report was written");
  const resources = (await sh(at("/v1/resources"))) as Record<string, unknown>;
  assert.equal(typeof resources, "object");
});
