import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Dispatcher, type DispatcherOptions, type Notification } from "./dispatcher.js";
import { fingerprint } from "./fingerprint.js";
import type { Labels } from "./labels.js";
import { parseMatcher } from "./matchers.js";
import { dedupDecision, type LogEntry } from "./notification-log.js";
import { buildRoute, type RouteConfig } from "./routing.js";
import type { Silence } from "./silences.js";
import type { NotifiableAlert } from "./state.js";

const S = 1000;
const M = 60 * S;
const H = 60 * M;

function dispatcher(config: RouteConfig, options: Partial<DispatcherOptions> = {}): Dispatcher {
  const result = buildRoute(config);
  assert.ok(result.ok);
  return new Dispatcher({ route: result.route, ...options });
}

function alert(
  name: string,
  startsAt: number,
  extra: Labels = {},
  endsAt: number | null = null,
): NotifiableAlert {
  return {
    labels: { alertname: name, model: "bike", severity: "warning", ...extra },
    annotations: { summary: name },
    startsAt,
    endsAt,
  };
}

/** Delivers (records) every notification at its flush time and returns a compact timeline line. */
function deliver(d: Dispatcher, notifications: Notification[]): string[] {
  for (const n of notifications) d.recordSent(n, n.at);
  return notifications.map(
    (n) =>
      `${n.at / S}s ${n.receiver} ${n.status} ${n.reason} [${n.alerts.map((a) => `${a.labels.alertname}:${a.status}`).join(" ")}]`,
  );
}

/** Ticks every second from `from` to `to` (inclusive), delivering everything. */
function run(d: Dispatcher, from: number, to: number): string[] {
  const out: string[] = [];
  for (let t = from; t <= to; t += S) out.push(...deliver(d, d.tick(t)));
  return out;
}

describe("Dispatcher timeline (injected clock)", () => {
  it("waits group_wait for a new group, then batches changes on group_interval ticks", () => {
    const d = dispatcher({ receiver: "slack", group_by: ["model"] });
    assert.deepEqual(deliver(d, d.update([alert("A", 0)], 0)), []);
    assert.equal(d.nextTickAt(), 30 * S);
    assert.deepEqual(deliver(d, d.update([alert("B", 10 * S)], 10 * S)), []);
    assert.deepEqual(run(d, 11 * S, 30 * S), ["30s slack firing first [A:firing B:firing]"]);
    // C joins at 100 s: it waits for the next group_interval tick (30 s + 5 min), not group_wait.
    d.update([alert("C", 100 * S)], 100 * S);
    assert.deepEqual(run(d, 31 * S, 330 * S), ["330s slack firing new_firing [A:firing B:firing C:firing]"]);
    // Nothing changes: nothing until repeat_interval (4 h) after the last send.
    assert.deepEqual(run(d, 331 * S, 4 * H + 329 * S), []);
    assert.deepEqual(run(d, 4 * H + 330 * S, 4 * H + 330 * S), [
      "14730s slack firing repeat [A:firing B:firing C:firing]",
    ]);
  });

  it("rounds repeat_interval up to a multiple of group_interval", () => {
    const d = dispatcher({ receiver: "r", group_wait: 0, group_interval: 5 * M, repeat_interval: 7 * M });
    deliver(d, d.update([alert("A", 0)], 0));
    assert.deepEqual(run(d, 0, 0), []); // already sent by update at 0
    // Ticks at 5, 10, 15 min …: 7 min after 0 falls between, so the repeat goes out at 10 min, then 20.
    assert.deepEqual(run(d, S, 21 * M), [
      "600s r firing repeat [A:firing]",
      "1200s r firing repeat [A:firing]",
    ]);
  });

  it("matches Alertmanager 0.25's observed timeline (group_wait 3s, group_interval 4s, repeat_interval 7s)", () => {
    // prometheus-alertmanager 0.25.0 with this route and a webhook receiver: alert Rep2 posted at 0 and
    // re-posted every 3 s was delivered at 3.0 s, 11.0 s and 19.0 s (the 7 s repeat rounded up to 8 s);
    // alert Flap, posted at 0 and resolved at 1 s, was never delivered.
    const d = dispatcher({
      receiver: "hook",
      group_by: ["alertname"],
      group_wait: 3 * S,
      group_interval: 4 * S,
      repeat_interval: 7 * S,
    });
    d.update([alert("Rep2", 0), alert("Flap", 0)], 0);
    d.update([alert("Flap", 0, {}, S)], S);
    const out: string[] = [];
    for (let t = 0; t <= 21 * S; t += 100) {
      if (t % (3 * S) === 0) out.push(...deliver(d, d.update([alert("Rep2", 0)], t)));
      out.push(...deliver(d, d.tick(t)));
    }
    assert.deepEqual(out, [
      "3s hook firing first [Rep2:firing]",
      "11s hook firing repeat [Rep2:firing]",
      "19s hook firing repeat [Rep2:firing]",
    ]);
  });

  it("never sends an alert that resolved within group_wait", () => {
    const d = dispatcher({ receiver: "r" });
    d.update([alert("A", 0)], 0);
    d.update([alert("A", 0, {}, 10 * S)], 10 * S);
    assert.deepEqual(run(d, 11 * S, 2 * H), []);
    assert.deepEqual(d.groups(), []);
    assert.deepEqual(d.alerts(2 * H), []);
  });

  it("sends 'all resolved' once, then forgets the group; a later alert starts a new group", () => {
    const d = dispatcher({ receiver: "r", group_by: ["model"] });
    d.update([alert("A", 0)], 0);
    assert.deepEqual(run(d, 0, 30 * S), ["30s r firing first [A:firing]"]);
    d.update([alert("A", 0, {}, 100 * S)], 100 * S);
    assert.deepEqual(run(d, 31 * S, 2 * H), ["330s r resolved all_resolved [A:resolved]"]);
    assert.deepEqual(d.groups(), []);
    d.update([alert("A", 3 * H)], 3 * H);
    assert.deepEqual(run(d, 3 * H, 3 * H + 30 * S), ["10830s r firing new_firing [A:firing]"]);
  });

  it("send_resolved false: resolved alerts are left out, 'all resolved' is logged but not delivered", () => {
    const d = dispatcher(
      { receiver: "slack", group_by: ["model"] },
      { receivers: { slack: { sendResolved: false } } },
    );
    d.update([alert("A", 0), alert("B", 0)], 0);
    assert.deepEqual(run(d, 0, 30 * S), ["30s slack firing first [A:firing B:firing]"]);
    d.update([alert("A", 0, {}, 60 * S)], 60 * S);
    // B still fires, A resolved: nothing new to say to a receiver that does not want resolutions.
    assert.deepEqual(run(d, 31 * S, 330 * S), []);
    d.update([alert("C", 400 * S)], 400 * S);
    assert.deepEqual(run(d, 331 * S, 630 * S), ["630s slack firing new_firing [B:firing C:firing]"]);
    d.update([alert("B", 0, {}, 700 * S), alert("C", 400 * S, {}, 700 * S)], 700 * S);
    assert.deepEqual(run(d, 631 * S, 2 * H), []);
    const entry = d.logSnapshot().entries[0]!;
    assert.deepEqual(entry.firingAlerts, []);
    assert.equal(entry.timestamp, 930 * S);
    assert.deepEqual(d.groups(), []);
  });

  it("send_resolved true announces newly resolved alerts at the next tick", () => {
    const d = dispatcher({ receiver: "hook", group_by: ["model"] });
    d.update([alert("A", 0), alert("B", 0)], 0);
    run(d, 0, 30 * S);
    d.update([alert("A", 0, {}, 60 * S)], 60 * S);
    assert.deepEqual(run(d, 31 * S, 330 * S), ["330s hook firing new_resolved [B:firing A:resolved]"]);
    assert.deepEqual(run(d, 331 * S, 630 * S), []);
  });

  it("flushes at once when the alert started more than group_wait ago, and the log dedups after a restart", () => {
    const route: RouteConfig = { receiver: "r", group_by: ["model"] };
    const first = dispatcher(route);
    first.update([alert("A", 0)], 0);
    run(first, 0, 30 * S);
    const saved = JSON.parse(JSON.stringify(first.logSnapshot()));
    const restarted = dispatcher(route, { log: saved });
    // Re-sent by the state machine after the restart: flushed at once, but nothing new to say.
    assert.deepEqual(deliver(restarted, restarted.update([alert("A", 0)], 10 * M)), []);
    const fresh = dispatcher(route);
    assert.deepEqual(deliver(fresh, fresh.update([alert("A", 0)], 10 * M)), [
      "600s r firing first [A:firing]",
    ]);
  });

  it("sends again at the next tick when a notification was not recorded as delivered", () => {
    const d = dispatcher({ receiver: "r" });
    d.update([alert("A", 0)], 0);
    assert.equal(d.tick(30 * S).length, 1); // delivery failed: not recorded
    assert.equal(d.tick(31 * S).length, 0);
    const retry = d.tick(330 * S);
    assert.deepEqual(
      retry.map((n) => n.reason),
      ["first"],
    );
  });

  it("keeps the tick grid when ticks are missed, and builds the notification's common labels", () => {
    const d = dispatcher({ receiver: "r", group_by: ["model"] });
    d.update([alert("A", 0, { severity: "critical" }), alert("B", 0)], 0);
    const [n] = d.tick(45 * S);
    assert.deepEqual(n!.groupLabels, { model: "bike" });
    assert.deepEqual(n!.commonLabels, { model: "bike" });
    assert.deepEqual(n!.commonAnnotations, {});
    assert.deepEqual(
      n!.alerts.map((a) => a.labels.alertname),
      ["A", "B"],
      "worst first",
    );
    assert.equal(n!.groupKey, '{}:{model="bike"}');
    assert.equal(d.nextTickAt(), 330 * S);
  });
});

describe("Dispatcher muting", () => {
  it("silenced alerts are not notified but listed as suppressed with silencedBy", () => {
    const model = parseMatcher("alertname=A");
    assert.ok(model.ok);
    const silence: Silence = {
      id: "s1",
      matchers: [model.matcher],
      startsAt: 0,
      endsAt: H,
      createdBy: "ana",
      comment: "known",
    };
    const d = dispatcher({ receiver: "r", group_by: ["model"] }, { silences: [silence] });
    d.update([alert("A", 0), alert("B", 0)], 0);
    assert.deepEqual(run(d, 0, 30 * S), ["30s r firing first [B:firing]"]);
    const statuses = d.alerts(30 * S);
    assert.deepEqual(
      statuses.map((a) => [a.labels.alertname, a.state, a.silencedBy, a.receivers]),
      [
        ["A", "suppressed", ["s1"], ["r"]],
        ["B", "active", [], ["r"]],
      ],
    );
    // When the silence ends, A is new to the receiver.
    assert.deepEqual(run(d, H - 30 * S, H + 5 * M), ["3630s r firing new_firing [A:firing B:firing]"]);
    d.setSilences([]);
    assert.equal(
      d.alerts(H).every((a) => a.state === "active"),
      true,
    );
  });

  it("an emergency mutes the warnings and criticals of the same model by default", () => {
    const d = dispatcher({ receiver: "r", group_by: ["alertname"] });
    const emergency = alert("Drift", 0, { severity: "emergency" });
    d.update(
      [emergency, alert("Latency", 0, { severity: "critical" }), alert("Quality", 0, { model: "churn" })],
      0,
    );
    assert.deepEqual(run(d, 0, 30 * S).sort(), [
      "30s r firing first [Drift:firing]",
      "30s r firing first [Quality:firing]",
    ]);
    const latency = d.alerts(30 * S).find((a) => a.labels.alertname === "Latency")!;
    assert.deepEqual([latency.state, latency.inhibitedBy], ["suppressed", [fingerprint(emergency.labels)]]);
    // The emergency resolves: the critical is announced at its group's next tick.
    d.update([{ ...emergency, endsAt: 60 * S }], 60 * S);
    assert.deepEqual(run(d, 31 * S, 330 * S).sort(), [
      "330s r firing first [Latency:firing]",
      "330s r resolved all_resolved [Drift:resolved]",
    ]);
  });
});

describe("dedupDecision (Alertmanager's needsUpdate)", () => {
  const entry = (firing: string[], resolved: string[], timestamp = 0): LogEntry => ({
    groupKey: "k",
    receiver: "r",
    firingAlerts: firing,
    resolvedAlerts: resolved,
    timestamp,
    expiresAt: Number.POSITIVE_INFINITY,
  });
  const decide = (
    e: LogEntry | undefined,
    firing: string[],
    resolved: string[],
    sendResolved = true,
    now = M,
  ) =>
    dedupDecision(e, new Set(firing), new Set(resolved), { sendResolved, repeatIntervalMs: H, now }).reason;

  it("follows the order of the notify pipeline", () => {
    assert.equal(decide(undefined, ["a"], []), "first");
    assert.equal(decide(undefined, [], ["a"]), "nothing_firing");
    assert.equal(decide(entry(["a"], []), ["a", "b"], []), "new_firing");
    assert.equal(decide(entry(["a", "b"], []), ["a"], []), "unchanged");
    assert.equal(decide(entry(["a", "b"], []), ["a"], ["b"]), "new_resolved");
    assert.equal(decide(entry(["a", "b"], []), ["a"], ["b"], false), "unchanged");
    assert.equal(decide(entry(["a"], []), [], ["a"], false), "all_resolved");
    assert.equal(decide(entry([], ["a"]), [], ["a", "b"]), "nothing_firing");
    assert.equal(decide(entry(["a"], []), ["a"], [], true, H), "repeat");
    assert.equal(decide(entry(["a"], []), ["a"], [], true, H - 1), "unchanged");
  });
});

describe("recordSent with sibling routes sharing a group key", () => {
  it("clears only the delivering group's pending resolved alerts; the log entry is shared, as in Alertmanager", () => {
    // Two continue siblings with the same matchers and receiver: two groups, one group key.
    const sibling = { matchers: ['team="ml"'], receiver: "hook", continue: true, group_wait: 0 };
    const d = dispatcher({ receiver: "hook", group_by: ["alertname"], routes: [sibling, sibling] });
    const x = alert("X", 0, { team: "ml" });
    const first = d.update([x], 0);
    assert.equal(first.length, 2);
    assert.equal(first[0]!.groupKey, first[1]!.groupKey);
    assert.notEqual(first[0]!.flush, first[1]!.flush);
    deliver(d, first);

    d.update([alert("X", 0, { team: "ml" }, 10 * S)], 10 * S);
    const [a, b] = d.tick(5 * M);
    assert.deepEqual([a?.reason, b?.reason], ["all_resolved", "all_resolved"]);
    const fp = fingerprint(x.labels);
    const holding = () => d.groups().filter((g) => g.alerts.includes(fp)).length;
    // Only the first group's delivery is recorded: the second still holds its resolved alert until
    // its own delivery (before the fix, the first one's delivery emptied and removed both groups).
    d.recordSent(a!, 5 * M);
    assert.equal(holding(), 1);
    assert.equal(d.groups().length, 1);
    // A second record of the same delivery changes nothing.
    d.recordSent(a!, 5 * M);
    assert.equal(holding(), 1);
    d.recordSent(b!, 5 * M);
    assert.equal(holding(), 0);
    assert.deepEqual(d.alerts(5 * M), []);
  });

  it("does not let an older, superseded flush clear the pending alerts of the group's newer flush", () => {
    const d = dispatcher({ receiver: "hook", group_by: ["model"], group_wait: 0, group_interval: M });
    const y = alert("Y", 0);
    deliver(d, d.update([y, alert("Z", 0)], 0));
    d.update([alert("Y", 0, {}, 10 * S)], 10 * S);
    const [older] = d.tick(M); // Y resolved; not delivered yet
    d.update([alert("Z", 0, {}, 70 * S)], 70 * S);
    const [newer] = d.tick(2 * M); // Y and Z resolved
    assert.ok(older !== undefined && newer !== undefined);
    d.recordSent(older, 2 * M);
    assert.deepEqual(d.groups()[0]?.alerts.length, 2, "the newer flush is still pending");
    d.recordSent(newer, 2 * M);
    assert.deepEqual(d.groups(), []);
  });
});
