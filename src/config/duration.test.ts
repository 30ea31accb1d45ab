import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatDuration, parseDuration } from "./duration.js";

function ms(value: unknown): number {
  const result = parseDuration(value);
  assert.ok(result.ok, `${String(value)}: ${result.ok ? "" : result.message}`);
  return result.ms;
}

function rejects(value: unknown, pattern: RegExp): void {
  const result = parseDuration(value);
  assert.equal(result.ok, false, `${String(value)} should be rejected`);
  if (!result.ok) assert.match(result.message, pattern);
}

describe("parseDuration", () => {
  it("reads every unit, compound durations and plain milliseconds", () => {
    assert.equal(ms("1h"), 3_600_000);
    assert.equal(ms("100ms"), 100);
    assert.equal(ms("1w"), 604_800_000);
    assert.equal(ms("30d"), 2_592_000_000);
    assert.equal(ms("5m"), 300_000);
    assert.equal(ms("2s"), 2000);
    assert.equal(ms("1h30m"), 5_400_000);
    assert.equal(ms("1d12h"), 129_600_000);
    assert.equal(ms("0.5s"), 500);
    assert.equal(ms("0.1s"), 100);
    assert.equal(ms("0.5ms"), 0.5);
    assert.equal(ms(" 1h "), 3_600_000);
    assert.equal(ms(250), 250);
    assert.equal(ms(0), 0);
    assert.equal(ms("0s"), 0);
  });

  it("rejects unknown units, negatives, missing units and bad shapes, saying why", () => {
    rejects("1y", /unknown unit "y"/);
    rejects("5min", /unknown unit "min".*ms, s, m, h, d or w/);
    rejects("100ns", /unknown unit "ns"/);
    rejects("-1h", /negative/);
    rejects(-5, /negative/);
    rejects("100", /no unit/);
    rejects("", /empty/);
    rejects("30m1h", /largest first/);
    rejects("1h1h", /largest first/);
    rejects("1h 30m", /not a duration|no unit/);
    rejects("h", /not a duration/);
    rejects(Number.NaN, /finite/);
    rejects(Number.POSITIVE_INFINITY, /finite/);
    rejects(true, /got boolean true/);
    rejects(null, /got null/);
    rejects({ h: 1 }, /got a mapping/);
    rejects("99999999999w", /too long/);
  });
});

describe("formatDuration", () => {
  it("writes the largest units first and round-trips", () => {
    assert.equal(formatDuration(3_600_000), "1h");
    assert.equal(formatDuration(604_800_000), "1w");
    assert.equal(formatDuration(5_400_000), "1h30m");
    assert.equal(formatDuration(0), "0ms");
    assert.equal(formatDuration(0.5), "0.5ms");
    for (const text of ["1w2d", "30d", "1h30m", "100ms", "1m1s1ms"]) {
      assert.equal(formatDuration(ms(text)), text === "30d" ? "4w2d" : text);
    }
  });
});
