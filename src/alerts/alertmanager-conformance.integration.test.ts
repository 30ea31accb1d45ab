/**
 * Routing and grouping checked against the real Alertmanager 0.25 (Debian's prometheus-alertmanager
 * package, which ships both `prometheus-alertmanager` and `amtool`): the same tree is given to
 * `amtool config routes test` and to the daemon, and their receivers and groups are compared with
 * what `matchRoutes` and the `Dispatcher` make of it. Golden values come from the binary, not from us.
 * Without the package every test skips with a message naming it; none fails for that reason.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { type Daemon, startAlertmanager } from "../testing/daemon.js";
import { Dispatcher } from "./dispatcher.js";
import { buildInhibitRules, type InhibitRuleConfig } from "./inhibition.js";
import type { Labels } from "./labels.js";
import { buildRoute, matchRoutes, type Route, type RouteConfig } from "./routing.js";

const run = promisify(execFile);
const BINARY = ["/usr/bin/prometheus-alertmanager", "/usr/bin/alertmanager"].find((p) => existsSync(p));
const AMTOOL = ["/usr/bin/amtool"].find((p) => existsSync(p));
const missing = (what: string) =>
  `install Debian's prometheus-alertmanager package (apt-get install prometheus-alertmanager): ${what} not found`;
const NO_DAEMON = BINARY === undefined ? missing("/usr/bin/prometheus-alertmanager") : null;
const NO_AMTOOL = AMTOOL === undefined ? missing("/usr/bin/amtool") : null;
const DEADLINE_MS = 8_000;

// Both trees have no timers: our RouteConfig holds milliseconds, Alertmanager's YAML holds `30s`, and
// timers play no part in which receivers and groups an alert gets. JSON is valid YAML.
const siblings: RouteConfig = {
  receiver: "default",
  group_by: ["alertname"],
  routes: [
    { continue: true, matchers: ['foo="bar"'], receiver: "test1", routes: [{ matchers: ['bar="baz"'] }] },
    { continue: true, matchers: ['foo="bar"'], receiver: "test2", routes: [{ matchers: ['bar="baz"'] }] },
  ],
};
const inheritance: RouteConfig = {
  receiver: "default",
  group_by: ["alertname"],
  routes: [
    { matchers: ['team="a"'], receiver: "a", group_by: [] },
    { matchers: ['team="b"'], receiver: "b", group_by: ["..."] },
    { match: { team: "c" }, receiver: "c" },
    { match_re: { team: "d|e" }, receiver: "de", group_by: ["team"] },
  ],
};
// One tree for the daemon: both cases side by side under a root that routes on `case`.
const combined: RouteConfig = {
  receiver: "default",
  group_by: ["alertname"],
  routes: [
    { matchers: ['case="siblings"'], routes: siblings.routes ?? [] },
    { matchers: ['case="inheritance"'], routes: inheritance.routes ?? [] },
  ],
};

const receiverNames = ["default", "test1", "test2", "a", "b", "c", "de"];
const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-am-conformance-"));

function configFile(name: string, route: RouteConfig): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify({ route, receivers: receiverNames.map((n) => ({ name: n })) }, null, 2));
  return path;
}

function built(config: RouteConfig): Route {
  const result = buildRoute(config);
  assert.ok(result.ok, result.ok ? "" : JSON.stringify(result.problems));
  return result.route;
}

async function amtoolReceivers(file: string, labels: Labels): Promise<string> {
  const args = ["config", "routes", "test", `--config.file=${file}`];
  for (const [name, value] of Object.entries(labels)) args.push(`${name}=${value}`);
  const { stdout } = await run(AMTOOL!, args);
  return stdout.trim();
}

const routeCases: readonly (readonly [RouteConfig, string, Labels])[] = [
  [siblings, "siblings.json", { foo: "bar", bar: "baz" }],
  [siblings, "siblings.json", { foo: "bar" }],
  [siblings, "siblings.json", { bar: "baz" }],
  [inheritance, "inheritance.json", { team: "a" }],
  [inheritance, "inheritance.json", { team: "c" }],
  [inheritance, "inheritance.json", { team: "xc" }],
  [inheritance, "inheritance.json", { team: "e" }],
  [inheritance, "inheritance.json", { team: "de" }],
];

describe("routing against amtool 0.25 (config routes test)", () => {
  for (const [config, name, labels] of routeCases)
    test(`${name} ${JSON.stringify(labels)}`, async (t) => {
      if (NO_AMTOOL !== null) {
        t.skip(NO_AMTOOL);
        return;
      }
      const file = configFile(name, config);
      const ours = matchRoutes(built(config), labels)
        .map((m) => m.receiver)
        .join(",");
      assert.equal(ours, await amtoolReceivers(file, labels));
    });
});

interface AlertGroup {
  labels: Labels;
  receiver: { name: string };
  alerts: Array<{ labels: Labels }>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
    });
  });
}

let alertmanager: Daemon | undefined;
let baseUrl = "";

before(async () => {
  if (BINARY === undefined) return;
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  alertmanager = await startAlertmanager(
    BINARY,
    configFile("combined.json", combined),
    join(dir, "data"),
    port,
    DEADLINE_MS,
  );
});

after(async () => {
  await alertmanager?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A group as a comparable line: receiver, group labels, and the alertnames in it. */
function line(receiver: string, labels: Labels, alertnames: readonly string[]): string {
  const sorted = Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));
  return `${receiver} ${JSON.stringify(sorted)} [${[...alertnames].sort().join(",")}]`;
}

describe("grouping against the Alertmanager 0.25 daemon (/api/v2/alerts/groups)", () => {
  test("sibling continue routes and group_by inheritance give the same groups", async (t) => {
    if (NO_DAEMON !== null) {
      t.skip(NO_DAEMON);
      return;
    }
    const alerts: Labels[] = [
      { alertname: "S1", case: "siblings", foo: "bar", bar: "baz" },
      { alertname: "A1", case: "inheritance", team: "a", instance: "1" },
      { alertname: "A1", case: "inheritance", team: "a", instance: "2" },
      { alertname: "B1", case: "inheritance", team: "b", instance: "1" },
      { alertname: "C1", case: "inheritance", team: "c", instance: "1" },
      { alertname: "E1", case: "inheritance", team: "e", instance: "1" },
      { alertname: "E2", case: "inheritance", team: "e", instance: "2" },
    ];
    const now = Date.now();
    const response = await fetch(`${baseUrl}/api/v2/alerts`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(alerts.map((labels) => ({ labels, startsAt: new Date(now).toISOString() }))),
    });
    assert.equal(response.status, 200, await response.text());

    const dispatcher = new Dispatcher({ route: built(combined), inhibitRules: [] });
    dispatcher.update(
      alerts.map((labels) => ({ labels, annotations: {}, startsAt: now, endsAt: null })),
      now,
    );
    const fingerprints = new Map(
      dispatcher.alerts(now).map((a) => [a.fingerprint, a.labels.alertname ?? ""] as const),
    );
    const ours = dispatcher
      .groups()
      .map((g) =>
        line(
          g.receiver,
          g.groupLabels,
          g.alerts.map((fp) => fingerprints.get(fp) ?? fp),
        ),
      )
      .sort();
    // Two groups for S1 (test1 and test2), A1's two alerts in one group (inherited group_by), B1 alone
    // (`...`), C1 (legacy match), E1 and E2 together (match_re, group_by team).
    assert.equal(ours.length, 6, ours.join("\n"));

    // Alertmanager inserts alerts into groups asynchronously: poll until it has as many as we do.
    const deadline = Date.now() + DEADLINE_MS;
    let theirs: string[] = [];
    while (Date.now() < deadline) {
      const groups = (await (await fetch(`${baseUrl}/api/v2/alerts/groups`)).json()) as AlertGroup[];
      theirs = groups
        .map((g) =>
          line(
            g.receiver.name,
            g.labels,
            g.alerts.map((a) => a.labels.alertname ?? ""),
          ),
        )
        .sort();
      if (groups.reduce((n, g) => n + g.alerts.length, 0) >= 8) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.deepEqual(ours, theirs, `log:\n${alertmanager?.log().slice(-3000)}`);
  });
});

// Inhibition with legacy keys only, as most copied configurations still write it.
const legacyInhibitRules: readonly InhibitRuleConfig[] = [
  {
    source_match: { severity: "critical" },
    source_match_re: { env: "prod|staging" },
    target_match_re: { severity: "warning|info" },
    equal: ["model"],
  },
];

describe("inhibition against the Alertmanager 0.25 daemon (/api/v2/alerts status.inhibitedBy)", () => {
  let daemon: Daemon | undefined;
  let url = "";

  before(async () => {
    if (BINARY === undefined) return;
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const file = join(dir, "inhibit.json");
    writeFileSync(
      file,
      JSON.stringify({
        route: { receiver: "default", group_by: ["alertname"] },
        receivers: [{ name: "default" }],
        inhibit_rules: legacyInhibitRules,
      }),
    );
    daemon = await startAlertmanager(BINARY, file, join(dir, "inhibit-data"), port, DEADLINE_MS);
  });

  after(async () => {
    await daemon?.stop();
  });

  test("a legacy source_match/source_match_re/target_match_re rule mutes the same alerts", async (t) => {
    if (NO_DAEMON !== null) {
      t.skip(NO_DAEMON);
      return;
    }
    const alerts: Labels[] = [
      { alertname: "GpuDown", env: "prod", model: "bike", severity: "critical" },
      { alertname: "Latency", env: "prod", model: "bike", severity: "warning" },
      { alertname: "Latency", env: "prod", model: "taxi", severity: "warning" },
      { alertname: "Skew", env: "prod", model: "bike", severity: "warnings" },
      { alertname: "GpuDown", env: "production", model: "cab", severity: "critical" },
      { alertname: "Latency", env: "prod", model: "cab", severity: "info" },
    ];
    const now = Date.now();
    const response = await fetch(`${url}/api/v2/alerts`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(alerts.map((labels) => ({ labels, startsAt: new Date(now).toISOString() }))),
    });
    assert.equal(response.status, 200, await response.text());

    const rules = buildInhibitRules(legacyInhibitRules);
    assert.ok(rules.ok, rules.ok ? "" : JSON.stringify(rules.problems));
    const route = built({ receiver: "default", group_by: ["alertname"] });
    const dispatcher = new Dispatcher({ route, inhibitRules: rules.rules });
    dispatcher.update(
      alerts.map((labels) => ({ labels, annotations: {}, startsAt: now, endsAt: null })),
      now,
    );
    const ours = dispatcher
      .alerts(now)
      .map((a) => `${a.fingerprint} ${[...a.inhibitedBy].sort().join(",")}`)
      .sort();
    // Only bike's warning is muted: taxi differs on model, "warnings" is not "warning" (anchored),
    // and cab's critical is env="production", which "prod|staging" does not match (anchored).
    assert.equal(ours.filter((line) => !line.endsWith(" ")).length, 1, ours.join("\n"));

    // Alertmanager marks inhibition asynchronously: poll until it marks as many as we do.
    const deadline = Date.now() + DEADLINE_MS;
    let theirs: string[] = [];
    while (Date.now() < deadline) {
      const listed = (await (await fetch(`${url}/api/v2/alerts`)).json()) as Array<{
        fingerprint: string;
        status: { inhibitedBy: string[] | null };
      }>;
      theirs = listed
        .map((a) => `${a.fingerprint} ${[...(a.status.inhibitedBy ?? [])].sort().join(",")}`)
        .sort();
      if (listed.length >= alerts.length && theirs.filter((line) => !line.endsWith(" ")).length >= 1) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.deepEqual(ours, theirs, `log:\n${daemon?.log().slice(-3000)}`);
  });
});
