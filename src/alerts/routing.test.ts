import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Labels } from "./labels.js";
import { buildRoute, defaultRouteTimers, matchRoutes, type Route, type RouteConfig } from "./routing.js";

function built(config: RouteConfig): Route {
  const result = buildRoute(config);
  assert.ok(result.ok, result.ok ? "" : JSON.stringify(result.problems));
  return result.route;
}

function labels(text: string): Labels {
  return Object.fromEntries(text.split(" ").map((pair) => pair.split("=") as [string, string]));
}

// The Alertmanager configuration of routes2.yml below, as a RouteConfig.
//
// route:
//   receiver: default
//   group_by: [alertname]
//   routes:
//     - matchers: ['model="bike"']
//       receiver: bike-team
//       continue: true
//       routes:
//         - { matchers: ['severity="emergency"'], receiver: bike-pager }
//         - { matchers: ['alertname=~"ModelDrift.*"'], receiver: bike-drift, continue: true }
//         - { matchers: ['metric!~"latency_.*"'], receiver: bike-other }
//     - { matchers: ['severity=~"critical|emergency"'], receiver: oncall }
//     - { matchers: ['severity=~"critical|emergency"', 'team!=""'], receiver: team-oncall }
//     - { matchers: ['team=""', 'severity="warning"'], receiver: no-team-warnings }
const routes2: RouteConfig = {
  receiver: "default",
  group_by: ["alertname"],
  routes: [
    {
      matchers: ['model="bike"'],
      receiver: "bike-team",
      continue: true,
      routes: [
        { matchers: ['severity="emergency"'], receiver: "bike-pager" },
        { matchers: ['alertname=~"ModelDrift.*"'], receiver: "bike-drift", continue: true },
        { matchers: ['metric!~"latency_.*"'], receiver: "bike-other" },
      ],
    },
    { matchers: ['severity=~"critical|emergency"'], receiver: "oncall" },
    { matchers: ['severity=~"critical|emergency"', 'team!=""'], receiver: "team-oncall" },
    { matchers: ['team=""', 'severity="warning"'], receiver: "no-team-warnings" },
  ],
};

// Golden receivers from Debian's prometheus-alertmanager 0.25.0:
//   amtool config routes test --config.file=routes2.yml <labels>
const routes2Golden: readonly [string, string][] = [
  ["model=bike severity=emergency alertname=ModelLatencyHigh", "bike-pager,oncall"],
  [
    "model=bike severity=warning alertname=ModelDriftDetected metric=drift",
    "bike-drift,bike-other,no-team-warnings",
  ],
  ["model=bike severity=warning alertname=ModelLatencyHigh metric=latency_p99", "bike-team,no-team-warnings"],
  ["model=bike severity=critical alertname=ModelQualityLow metric=accuracy", "bike-other,oncall"],
  ["model=churn severity=critical alertname=ModelQualityLow team=a", "oncall"],
  ["model=churn severity=warning alertname=ModelLatencyHigh", "no-team-warnings"],
  ["model=churn severity=warning alertname=ModelLatencyHigh team=a", "default"],
  ["model=bike severity=critical alertname=ModelDriftDetected metric=drift", "bike-drift,bike-other,oncall"],
];

// am.yml, the configuration a real Alertmanager 0.25.0 ran with; webhook payloads gave the group keys.
const amYml: RouteConfig = {
  receiver: "default",
  group_by: ["alertname", "model"],
  group_wait: 1000,
  group_interval: 3000,
  repeat_interval: 3_600_000,
  routes: [
    { matchers: ['severity="emergency"'], receiver: "pager", continue: true },
    {
      matchers: ['severity=~"warning|critical"', 'model=~"res.*"'],
      receiver: "vision",
      group_by: ["..."],
      routes: [
        { matchers: ['alertname="ModelDriftDetected"'], receiver: "drift", group_by: ["model", "column"] },
      ],
    },
    { matchers: ['team="a\\"b"'], receiver: "quoted" },
  ],
};

describe("matchRoutes", () => {
  it("agrees with amtool on first match, continue, nested fallbacks, regex and negative matchers", () => {
    const root = built(routes2);
    for (const [text, receivers] of routes2Golden)
      assert.equal(
        matchRoutes(root, labels(text))
          .map((m) => m.receiver)
          .join(","),
        receivers,
        text,
      );
  });

  it("gives Alertmanager's group keys (from its webhook payloads)", () => {
    const root = built(amYml);
    const keys = (l: Labels) => matchRoutes(root, l).map((m) => [m.receiver, m.groupKey]);
    assert.deepEqual(keys({ alertname: "Empty" }), [["default", '{}:{alertname="Empty"}']]);
    assert.deepEqual(
      keys({
        alertname: "ModelLatencyHigh",
        metric: "latency_p99",
        model: "resnet50",
        severity: "emergency",
        version: "1",
      }),
      [["pager", '{}/{severity="emergency"}:{alertname="ModelLatencyHigh", model="resnet50"}']],
    );
    assert.deepEqual(
      keys({
        alertname: "ModelDriftDetected",
        column: "age",
        model: "resnext",
        severity: "critical",
        version: "1",
      }),
      [
        [
          "drift",
          '{}/{model=~"res.*",severity=~"warning|critical"}/{alertname="ModelDriftDetected"}:{column="age", model="resnext"}',
        ],
      ],
    );
    // group_by: ['...']: every label is a group label.
    assert.deepEqual(keys({ alertname: "Y", model: "resnet-2", severity: "critical", zz: "1" }), [
      [
        "vision",
        '{}/{model=~"res.*",severity=~"warning|critical"}:{alertname="Y", model="resnet-2", severity="critical", zz="1"}',
      ],
    ]);
    assert.deepEqual(keys({ alertname: "Quoted", model: "x\\y\nz", note: "café", team: 'a"b' }), [
      ["quoted", '{}/{team="a\\"b"}:{alertname="Quoted", model="x\\\\y\\nz"}'],
    ]);
  });

  it("children inherit receiver, group_by and timers; continue and matchers are not inherited", () => {
    const root = built({
      receiver: "slack",
      group_by: ["model"],
      group_wait: 10_000,
      routes: [
        {
          matchers: ["model=bike"],
          continue: true,
          repeat_interval: 3_600_000,
          routes: [{ matchers: ["severity=critical"], group_by: ["..."], receiver: "pagerduty" }],
        },
        { matchers: ["model=bike"], receiver: "email", group_by: [] },
      ],
    });
    const bike = root.routes[0]!;
    assert.equal(bike.receiver, "slack");
    assert.deepEqual(bike.groupBy, ["model"]);
    assert.deepEqual(bike.timers, { groupWait: 10_000, groupInterval: 300_000, repeatInterval: 3_600_000 });
    const critical = bike.routes[0]!;
    assert.equal(critical.receiver, "pagerduty");
    assert.equal(critical.groupByAll, true);
    assert.equal(critical.continue, false);
    assert.deepEqual(critical.timers, bike.timers);
    assert.equal(critical.key, '{}/{model="bike"}/{severity="critical"}');
    assert.equal(critical.id, '{}/{model="bike"}/{severity="critical"}/0');
    const matched = matchRoutes(root, { model: "bike", severity: "critical", alertname: "A" });
    assert.deepEqual(
      matched.map((m) => [m.receiver, m.groupLabels]),
      [
        ["pagerduty", { alertname: "A", model: "bike", severity: "critical" }],
        // `group_by: []` inherits the parent's, as in Alertmanager 0.25 (it used to mean "no labels").
        ["email", { model: "bike" }],
      ],
    );
    // Two siblings with the same matchers share a key (as in Alertmanager) but not an id.
    assert.equal(root.routes[1]!.key, bike.key);
    assert.notEqual(root.routes[1]!.id, bike.id);
  });

  it("uses Alertmanager's default timers and one group per route without group_by", () => {
    const root = built({ receiver: "r" });
    assert.deepEqual(root.timers, defaultRouteTimers);
    assert.deepEqual(defaultRouteTimers, {
      groupWait: 30_000,
      groupInterval: 300_000,
      repeatInterval: 14_400_000,
    });
    const [match] = matchRoutes(root, { alertname: "A", model: "m" });
    assert.deepEqual(match!.groupLabels, {});
    assert.equal(match!.groupKey, "{}:{}");
  });

  it("leaves a group_by label out when the alert lacks it", () => {
    const root = built({ receiver: "r", group_by: ["model", "column"] });
    assert.deepEqual(matchRoutes(root, { alertname: "A", model: "m" })[0]!.groupLabels, { model: "m" });
  });
});

describe("buildRoute", () => {
  it("reports every problem with its path", () => {
    const result = buildRoute(
      {
        matchers: ["model=bike"],
        continue: true,
        group_interval: 0,
        routes: [
          { matchers: ["model"], group_by: ["model", "model", "...", "1x"] },
          { receiver: "nobody", repeat_interval: -1, group_wait: 0 },
        ],
      },
      { path: "alerting.route", receivers: ["slack"] },
    );
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.deepEqual(
      result.problems.map((p) => p.path),
      [
        "alerting.route.receiver",
        "alerting.route.matchers",
        "alerting.route.continue",
        "alerting.route.group_interval",
        "alerting.route.routes[0].matchers[0]",
        "alerting.route.routes[0].group_by",
        "alerting.route.routes[1].receiver",
        "alerting.route.routes[1].repeat_interval",
      ],
    );
    assert.match(result.problems[5]!.message, /wildcard `...` and other labels/);
    assert.match(result.problems[6]!.message, /undefined receiver "nobody"/);
  });

  it("rejects duplicate and invalid group_by labels", () => {
    const result = buildRoute({ receiver: "r", group_by: ["model", "model", "1x"] });
    assert.equal(result.ok, false);
    if (!result.ok)
      assert.deepEqual(
        result.problems.map((p) => p.message),
        ['duplicated label "model" in group_by', 'invalid label name "1x" in group_by'],
      );
  });
});
