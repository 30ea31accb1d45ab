import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  expireSilence,
  type SilenceJson,
  silencedBy,
  silenceFromJson,
  silenceState,
  silenceToJson,
} from "./silences.js";

const json: SilenceJson = {
  id: "s1",
  matchers: [
    { name: "model", value: "bike", isRegex: false, isEqual: true },
    { name: "severity", value: "warning|critical", isRegex: true },
  ],
  startsAt: "2026-11-27T10:00:00Z",
  endsAt: "2026-11-27T12:00:00Z",
  createdBy: "ana",
  comment: "retraining bike",
};
const start = Date.parse("2026-11-27T10:00:00Z");
const end = Date.parse("2026-11-27T12:00:00Z");

function silence() {
  const result = silenceFromJson(json);
  assert.ok(result.ok, result.ok ? "" : result.problems.join("; "));
  return result.silence;
}

describe("silences", () => {
  it("are pending before their start, active until their end (exclusive), then expired", () => {
    const s = silence();
    assert.equal(silenceState(s, start - 1), "pending");
    assert.equal(silenceState(s, start), "active");
    assert.equal(silenceState(s, end - 1), "active");
    assert.equal(silenceState(s, end), "expired");
  });

  it("mute an alert only while active and only when every matcher matches", () => {
    const s = silence();
    const critical = { alertname: "ModelLatencyHigh", model: "bike", severity: "critical" };
    assert.deepEqual(silencedBy([s], critical, start + 1), ["s1"]);
    assert.deepEqual(silencedBy([s], critical, start - 1), []);
    assert.deepEqual(silencedBy([s], critical, end), []);
    assert.deepEqual(silencedBy([s], { ...critical, severity: "emergency" }, start + 1), []);
    assert.deepEqual(silencedBy([s], { ...critical, model: "churn" }, start + 1), []);
    const other = { ...s, id: "s0", matchers: [s.matchers[0]!] };
    assert.deepEqual(silencedBy([s, other], critical, start + 1), ["s0", "s1"]);
  });

  it("expire: an active one ends now, a pending one never starts", () => {
    const s = silence();
    const now = start + 60_000;
    assert.deepEqual([expireSilence(s, now).startsAt, expireSilence(s, now).endsAt], [start, now]);
    assert.equal(silenceState(expireSilence(s, now), now), "expired");
    const early = expireSilence(s, start - 60_000);
    assert.deepEqual([early.startsAt, early.endsAt], [start - 60_000, start - 60_000]);
    const done = expireSilence(s, end + 1);
    assert.equal(done, s);
  });

  it("round-trip through the API v2 JSON form", () => {
    const out = silenceToJson(silence(), start);
    assert.equal(out.startsAt, "2026-11-27T10:00:00.000Z");
    assert.deepEqual(out.status, { state: "active" });
    assert.deepEqual(out.matchers[1], {
      name: "severity",
      value: "warning|critical",
      isRegex: true,
      isEqual: true,
    });
    const back = silenceFromJson(out);
    assert.ok(back.ok);
    assert.deepEqual(back.silence.endsAt, end);
  });

  it("report every problem of an invalid silence", () => {
    const result = silenceFromJson({
      id: "",
      matchers: [
        { name: "model", value: ".*", isRegex: true },
        { name: "team", value: "", isRegex: false },
      ],
      startsAt: "2026-11-27T12:00:00Z",
      endsAt: "yesterday",
      createdBy: " ",
      comment: "",
    });
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.deepEqual(
      result.problems.map((p) => p.split(":")[0]),
      ["id", "matchers", "endsAt", "createdBy", "comment"],
    );
    assert.match(result.problems[1]!, /must not match the empty string/);
    const backwards = silenceFromJson({ ...json, endsAt: "2026-11-27T09:00:00Z" });
    assert.equal(backwards.ok, false);
    if (!backwards.ok) assert.match(backwards.problems[0]!, /must not be before the start/);
    const badRegex = silenceFromJson({ ...json, matchers: [{ name: "model", value: "(", isRegex: true }] });
    assert.equal(badRegex.ok, false);
    if (!badRegex.ok) assert.match(badRegex.problems[0]!, /^matchers\[0\]: invalid regex/);
    assert.equal(silenceFromJson({ ...json, matchers: [] }).ok, false);
  });
});
