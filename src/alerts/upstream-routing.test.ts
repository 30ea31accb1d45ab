/**
 * Cases transcribed from Alertmanager's own routing and dispatcher tests, as data tables; where
 * versions differ, Alertmanager 0.25's behaviour (Debian's prometheus-alertmanager) is followed.
 *
 * Transcribed: 41 upstream cases.
 * - dispatch/route_test.go `TestRouteMatch`: 8 of 8 (legacy `match`/`match_re`; keys show the
 *   `match_re` regex anchored, `^(?:team-(B|C))$`, as 0.25 prints it).
 * - dispatch/route_test.go `TestRouteMatchers`: 8 of 8; `TestRouteMatchersAndMatch`: 8 of 8.
 * - dispatch/route_test.go `TestRouteWalk`: 1; `TestInheritParentGroupByAll`: 1.
 * - dispatch/route_test.go `TestRouteID`: 12 of 12 ids, with 0.25's values: an id is the route key
 *   plus the position among siblings, so the children of the three `foo="bar"` siblings all get
 *   `{}/{foo="bar"}/{bar="baz"}/0`. Later versions prefix the parent's id to make ids unique; those
 *   expectations are post-0.25 and not followed. Groups are therefore kept per route node, never
 *   per id (see the sibling-continue regression below).
 * - dispatch/dispatch_test.go `TestGroupLabels` and `TestGroupByAllLabels`: 2 of 2; `TestGroups`: 1
 *   (6 alerts → the 6 groups and receivers upstream expects; its timing is not transcribed).
 * Plus 4 regression tests of issue #10, not upstream tables, each checked against amtool/Alertmanager
 * 0.25 (alertmanager-conformance.integration.test.ts repeats two against the binary).
 * Skipped: the post-0.25 `TestRouteID` expectations above; dispatch_test.go's timer and limit tests
 * (`TestAggrGroup`, `TestGroupsWithLimits`, `TestDispatcherRace`…), which test goroutine timing
 * rather than routing and are covered by dispatcher.test.ts's injected-clock timelines.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Dispatcher } from "./dispatcher.js";
import type { Labels } from "./labels.js";
import { buildRoute, defaultRouteTimers, matchRoutes, type Route, type RouteConfig } from "./routing.js";

const S = 1000;
const M = 60 * S;
const H = 60 * M;

function built(config: RouteConfig): Route {
  const result = buildRoute(config);
  assert.ok(result.ok, result.ok ? "" : JSON.stringify(result.problems));
  return result.route;
}

function walk(route: Route, visit: (r: Route) => void): void {
  visit(route);
  for (const child of route.routes) walk(child, visit);
}

/** One expected match: receiver, group_by ("..." for all), group_wait, group_interval, repeat_interval, key. */
type Expected = readonly [
  receiver: string,
  groupBy: readonly string[] | "...",
  wait: number,
  interval: number,
  repeat: number,
  key: string,
];

const def = defaultRouteTimers;
const defaults = [def.groupWait, def.groupInterval, def.repeatInterval] as const;

function check(root: Route, input: Labels, expected: readonly Expected[]): void {
  assert.deepEqual(
    matchRoutes(root, input).map(({ route }) => [
      route.receiver,
      route.groupByAll ? "..." : route.groupBy,
      route.timers.groupWait,
      route.timers.groupInterval,
      route.timers.repeatInterval,
      route.key,
    ]),
    expected.map((e) => [...e]),
  );
}

// dispatch/route_test.go, TestRouteMatch and TestRouteWalk: the same tree, legacy `match`/`match_re`.
const routeMatchTree: RouteConfig = {
  receiver: "notify-def",
  routes: [
    {
      match: { owner: "team-A" },
      receiver: "notify-A",
      routes: [
        { match: { env: "testing" }, receiver: "notify-testing", group_by: ["..."] },
        { match: { env: "production" }, receiver: "notify-productionA", group_wait: M, continue: true },
        {
          match_re: { env: "produ.*", job: ".*" },
          receiver: "notify-productionB",
          group_wait: 30 * S,
          group_interval: 5 * M,
          repeat_interval: H,
          group_by: ["job"],
        },
      ],
    },
    { match_re: { owner: "team-(B|C)" }, group_by: ["foo", "bar"], group_wait: 2 * M, receiver: "notify-BC" },
    {
      match: { group_by: "role" },
      group_by: ["role"],
      routes: [
        {
          match: { env: "testing" },
          receiver: "notify-testing",
          routes: [{ match: { wait: "long" }, group_wait: 2 * M }],
        },
      ],
    },
  ],
};

const routeMatchCases: readonly (readonly [Labels, readonly Expected[]])[] = [
  [{ owner: "team-A" }, [["notify-A", [], ...defaults, '{}/{owner="team-A"}']]],
  [{ owner: "team-A", env: "unset" }, [["notify-A", [], ...defaults, '{}/{owner="team-A"}']]],
  [
    { owner: "team-C" },
    [
      [
        "notify-BC",
        ["bar", "foo"],
        2 * M,
        def.groupInterval,
        def.repeatInterval,
        '{}/{owner=~"^(?:team-(B|C))$"}',
      ],
    ],
  ],
  [
    { owner: "team-A", env: "testing" },
    [["notify-testing", "...", ...defaults, '{}/{owner="team-A"}/{env="testing"}']],
  ],
  [
    { owner: "team-A", env: "production" },
    [
      [
        "notify-productionA",
        [],
        M,
        def.groupInterval,
        def.repeatInterval,
        '{}/{owner="team-A"}/{env="production"}',
      ],
      [
        "notify-productionB",
        ["job"],
        30 * S,
        5 * M,
        H,
        '{}/{owner="team-A"}/{env=~"^(?:produ.*)$",job=~"^(?:.*)$"}',
      ],
    ],
  ],
  [{ group_by: "role" }, [["notify-def", ["role"], ...defaults, '{}/{group_by="role"}']]],
  [
    { env: "testing", group_by: "role" },
    [["notify-testing", ["role"], ...defaults, '{}/{group_by="role"}/{env="testing"}']],
  ],
  [
    { env: "testing", group_by: "role", wait: "long" },
    [
      [
        "notify-testing",
        ["role"],
        2 * M,
        def.groupInterval,
        def.repeatInterval,
        '{}/{group_by="role"}/{env="testing"}/{wait="long"}',
      ],
    ],
  ],
];

// dispatch/route_test.go, TestRouteMatchers: the same tree with `matchers`.
const routeMatchersTree: RouteConfig = {
  receiver: "notify-def",
  routes: [
    {
      matchers: ['{owner="team-A"}', '{level!="critical"}'],
      receiver: "notify-A",
      routes: [
        { matchers: ['{env="testing"}', '{baz!~".*quux"}'], receiver: "notify-testing", group_by: ["..."] },
        { matchers: ['{env="production"}'], receiver: "notify-productionA", group_wait: M, continue: true },
        {
          matchers: ['env=~"produ.*"', 'job=~".*"'],
          receiver: "notify-productionB",
          group_wait: 30 * S,
          group_interval: 5 * M,
          repeat_interval: H,
          group_by: ["job"],
        },
      ],
    },
    { matchers: ['owner=~"team-(B|C)"'], group_by: ["foo", "bar"], group_wait: 2 * M, receiver: "notify-BC" },
    {
      matchers: ['group_by="role"'],
      group_by: ["role"],
      routes: [
        {
          matchers: ['{env="testing"}'],
          receiver: "notify-testing",
          routes: [{ matchers: ['wait="long"'], group_wait: 2 * M }],
        },
      ],
    },
  ],
};

function routeMatchersCases(bcKey: string): readonly (readonly [Labels, readonly Expected[]])[] {
  const a = '{}/{level!="critical",owner="team-A"}';
  return [
    [{ owner: "team-A" }, [["notify-A", [], ...defaults, a]]],
    [{ owner: "team-A", env: "unset" }, [["notify-A", [], ...defaults, a]]],
    [
      { owner: "team-C" },
      [["notify-BC", ["bar", "foo"], 2 * M, def.groupInterval, def.repeatInterval, bcKey]],
    ],
    [
      { owner: "team-A", env: "testing" },
      [["notify-testing", "...", ...defaults, `${a}/{baz!~".*quux",env="testing"}`]],
    ],
    [
      { owner: "team-A", env: "production" },
      [
        ["notify-productionA", [], M, def.groupInterval, def.repeatInterval, `${a}/{env="production"}`],
        ["notify-productionB", ["job"], 30 * S, 5 * M, H, `${a}/{env=~"produ.*",job=~".*"}`],
      ],
    ],
    [{ group_by: "role" }, [["notify-def", ["role"], ...defaults, '{}/{group_by="role"}']]],
    [
      { env: "testing", group_by: "role" },
      [["notify-testing", ["role"], ...defaults, '{}/{group_by="role"}/{env="testing"}']],
    ],
    [
      { env: "testing", group_by: "role", wait: "long" },
      [
        [
          "notify-testing",
          ["role"],
          2 * M,
          def.groupInterval,
          def.repeatInterval,
          '{}/{group_by="role"}/{env="testing"}/{wait="long"}',
        ],
      ],
    ],
  ];
}

// dispatch/route_test.go, TestRouteMatchersAndMatch: `matchers` mixed with `match` and `match_re`.
const mixedTree: RouteConfig = {
  ...routeMatchersTree,
  routes: [
    {
      ...routeMatchersTree.routes![0]!,
      routes: [
        routeMatchersTree.routes![0]!.routes![0]!,
        { match: { env: "production" }, receiver: "notify-productionA", group_wait: M, continue: true },
        routeMatchersTree.routes![0]!.routes![2]!,
      ],
    },
    { match_re: { owner: "team-(B|C)" }, group_by: ["foo", "bar"], group_wait: 2 * M, receiver: "notify-BC" },
    routeMatchersTree.routes![2]!,
  ],
};

// dispatch/route_test.go, TestRouteID. 0.25's ids (key + position), not the later parent-prefixed ones.
const routeIdTree: RouteConfig = {
  receiver: "default",
  routes: [
    { continue: true, matchers: ["foo=bar"], receiver: "test1", routes: [{ matchers: ["bar=baz"] }] },
    { continue: true, matchers: ["foo=bar"], receiver: "test1", routes: [{ matchers: ["bar=baz"] }] },
    { continue: true, matchers: ["foo=bar"], receiver: "test2", routes: [{ matchers: ["bar=baz"] }] },
    {
      continue: true,
      matchers: ["bar=baz"],
      receiver: "test3",
      routes: [{ matchers: ["baz=qux"] }, { matchers: ["qux=corge"] }],
    },
    { continue: true, matchers: ['qux=~"[a-zA-Z0-9]+"'] },
    { continue: true, matchers: ['corge!~"[0-9]+"'] },
  ],
};
const routeIds025: readonly string[] = [
  "{}",
  '{}/{foo="bar"}/0',
  '{}/{foo="bar"}/{bar="baz"}/0',
  '{}/{foo="bar"}/1',
  '{}/{foo="bar"}/{bar="baz"}/0',
  '{}/{foo="bar"}/2',
  '{}/{foo="bar"}/{bar="baz"}/0',
  '{}/{bar="baz"}/3',
  '{}/{bar="baz"}/{baz="qux"}/0',
  '{}/{bar="baz"}/{qux="corge"}/1',
  '{}/{qux=~"[a-zA-Z0-9]+"}/4',
  '{}/{corge!~"[0-9]+"}/5',
];

describe("upstream dispatch/route_test.go (Alertmanager 0.25)", () => {
  const matchTree = built(routeMatchTree);
  for (const [input, expected] of routeMatchCases)
    it(`TestRouteMatch ${JSON.stringify(input)}`, () => check(matchTree, input, expected));

  const matchersTree = built(routeMatchersTree);
  for (const [input, expected] of routeMatchersCases('{}/{owner=~"team-(B|C)"}'))
    it(`TestRouteMatchers ${JSON.stringify(input)}`, () => check(matchersTree, input, expected));

  const mixed = built(mixedTree);
  for (const [input, expected] of routeMatchersCases('{}/{owner=~"^(?:team-(B|C))$"}'))
    it(`TestRouteMatchersAndMatch ${JSON.stringify(input)}`, () => check(mixed, input, expected));

  it("TestRouteWalk", () => {
    const receivers: string[] = [];
    walk(matchTree, (r) => receivers.push(r.receiver));
    assert.deepEqual(receivers, [
      "notify-def",
      "notify-A",
      "notify-testing",
      "notify-productionA",
      "notify-productionB",
      "notify-BC",
      "notify-def",
      "notify-testing",
      "notify-testing",
    ]);
  });

  it("TestInheritParentGroupByAll", () => {
    const root = built({
      receiver: "default",
      routes: [
        {
          match: { env: "parent" },
          group_by: ["..."],
          routes: [{ match: { env: "child1" } }, { match: { env: "child2" }, group_by: ["foo"] }],
        },
      ],
    });
    const parent = root.routes[0]!;
    assert.equal(parent.groupByAll, true);
    assert.equal(parent.routes[0]!.groupByAll, true);
    assert.equal(parent.routes[1]!.groupByAll, false);
  });

  it("TestRouteID (0.25: ids are key + position, not unique)", () => {
    const ids: string[] = [];
    walk(built(routeIdTree), (r) => ids.push(r.id));
    assert.deepEqual(ids, routeIds025);
  });
});

describe("upstream dispatch/dispatch_test.go", () => {
  it("TestGroupLabels and TestGroupByAllLabels", () => {
    const root = built({
      receiver: "r",
      routes: [
        { matchers: ['x="by"'], group_by: ["a", "b"] },
        { matchers: ['x="all"'], group_by: ["..."] },
      ],
    });
    const [byMatch] = matchRoutes(root, { a: "v1", b: "v2", c: "v3", x: "by" });
    assert.deepEqual(byMatch?.groupLabels, { a: "v1", b: "v2" });
    const [allMatch] = matchRoutes(root, { a: "v1", b: "v2", c: "v3", x: "all" });
    assert.deepEqual(allMatch?.groupLabels, { a: "v1", b: "v2", c: "v3", x: "all" });
  });

  it("TestGroups: 6 alerts make 6 groups, the continue route's alert is in prod's and kafka's", () => {
    const route = built({
      receiver: "prod",
      group_by: ["alertname"],
      group_wait: 10,
      group_interval: 10,
      routes: [
        { match: { env: "testing" }, receiver: "testing", group_by: ["alertname", "service"] },
        {
          match: { env: "prod" },
          receiver: "prod",
          group_by: ["alertname", "service", "cluster"],
          continue: true,
        },
        { match: { kafka: "yes" }, receiver: "kafka", group_by: ["alertname", "service", "cluster"] },
      ],
    });
    const d = new Dispatcher({ route, inhibitRules: [] });
    const inputs: Labels[] = [
      { alertname: "OtherAlert", cluster: "cc", service: "dd" },
      { env: "testing", alertname: "TestingAlert", service: "api", instance: "inst1" },
      { env: "prod", alertname: "HighErrorRate", cluster: "aa", service: "api", instance: "inst1" },
      { env: "prod", alertname: "HighErrorRate", cluster: "aa", service: "api", instance: "inst2" },
      { env: "prod", alertname: "HighErrorRate", cluster: "bb", service: "api", instance: "inst1" },
      {
        env: "prod",
        alertname: "HighLatency",
        cluster: "bb",
        service: "db",
        kafka: "yes",
        instance: "inst3",
      },
    ];
    d.update(
      inputs.map((labels) => ({ labels, annotations: {}, startsAt: 0, endsAt: null })),
      0,
    );
    const groups = d
      .groups()
      .map((g) => [g.receiver, JSON.stringify(g.groupLabels), g.alerts.length] as const)
      .sort();
    assert.deepEqual(groups, [
      ["kafka", JSON.stringify({ alertname: "HighLatency", cluster: "bb", service: "db" }), 1],
      ["prod", JSON.stringify({ alertname: "HighErrorRate", cluster: "aa", service: "api" }), 2],
      ["prod", JSON.stringify({ alertname: "HighErrorRate", cluster: "bb", service: "api" }), 1],
      ["prod", JSON.stringify({ alertname: "HighLatency", cluster: "bb", service: "db" }), 1],
      ["prod", JSON.stringify({ alertname: "OtherAlert" }), 1],
      ["testing", JSON.stringify({ alertname: "TestingAlert", service: "api" }), 1],
    ]);
  });
});

// The three regressions of issue #10, each checked against Alertmanager 0.25 (amtool and the daemon;
// the integration test repeats the first two against the binary when it is installed).
const siblings: RouteConfig = {
  receiver: "default",
  routes: [
    { continue: true, matchers: ["foo=bar"], receiver: "test1", routes: [{ matchers: ["bar=baz"] }] },
    { continue: true, matchers: ["foo=bar"], receiver: "test2", routes: [{ matchers: ["bar=baz"] }] },
  ],
};

describe("Alertmanager 0.25 regressions", () => {
  it("sibling continue routes with the same matchers: both receivers are notified (amtool: test1,test2)", () => {
    const route = built(siblings);
    assert.deepEqual(
      matchRoutes(route, { foo: "bar", bar: "baz" }).map((m) => m.receiver),
      ["test1", "test2"],
    );
    const d = new Dispatcher({ route, inhibitRules: [] });
    const sent = d.update(
      [{ labels: { foo: "bar", bar: "baz" }, annotations: {}, startsAt: 0, endsAt: null }],
      0,
    );
    assert.deepEqual(sent, []);
    const notified = d.tick(30 * S).map((n) => n.receiver);
    assert.deepEqual(notified, ["test1", "test2"]);
    assert.deepEqual(
      d.groups().map((g) => g.receiver),
      ["test1", "test2"],
    );
  });

  it("group_by: [] inherits the parent's group_by; ['...'] is every label", () => {
    const route = built({
      receiver: "default",
      group_by: ["alertname"],
      routes: [
        { matchers: ['team="a"'], receiver: "a", group_by: [] },
        { matchers: ['team="b"'], receiver: "b", group_by: ["..."] },
        { matchers: ['team="c"'], receiver: "c" },
      ],
    });
    const keys = (labels: Labels) => matchRoutes(route, labels).map((m) => m.groupKey);
    assert.deepEqual(keys({ alertname: "X", team: "a", i: "1" }), ['{}/{team="a"}:{alertname="X"}']);
    assert.deepEqual(keys({ alertname: "X", team: "b", i: "1" }), [
      '{}/{team="b"}:{alertname="X", i="1", team="b"}',
    ]);
    assert.deepEqual(keys({ alertname: "X", team: "c", i: "1" }), ['{}/{team="c"}:{alertname="X"}']);
  });

  it("legacy match and match_re select alerts (they used to be ignored: the route matched everything)", () => {
    const route = built({
      receiver: "default",
      routes: [
        { match: { env: "prod" }, receiver: "prod" },
        { match_re: { env: "stag.*" }, receiver: "staging" },
      ],
    });
    const receivers = (labels: Labels) => matchRoutes(route, labels).map((m) => m.receiver);
    assert.deepEqual(receivers({ env: "prod" }), ["prod"]);
    assert.deepEqual(receivers({ env: "dev" }), ["default"]);
    assert.deepEqual(receivers({ env: "staging" }), ["staging"]);
    // Anchored: `stag.*` does not match in the middle of a value.
    assert.deepEqual(receivers({ env: "xstaging" }), ["default"]);
  });

  it("rejects what Alertmanager 0.25 rejects in match/match_re and unknown route keys, with the path", () => {
    const result = buildRoute({
      receiver: "default",
      match: { a: "b" },
      routes: [
        { match: { "bad-name": "x" }, receiver: "default" },
        { match_re: { env: "(" }, receiver: "default" },
        { receiver: "default", mute_time_intervals: ["nights"] } as RouteConfig,
        { receiver: "default", matcher: ["a=b"] } as RouteConfig,
      ],
    });
    assert.equal(result.ok, false);
    assert.deepEqual(result.ok ? [] : result.problems.map((p) => p.path), [
      "route.match",
      "route.routes[0].match.bad-name",
      "route.routes[1].match_re.env",
      "route.routes[2].mute_time_intervals",
      "route.routes[3].matcher",
    ]);
  });
});
