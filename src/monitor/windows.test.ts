import assert from "node:assert/strict";
import { test } from "node:test";
import {
  EventTimeClock,
  isWindowFinal,
  MONDAY_ORIGIN_MS,
  oldestAcceptedMs,
  WallClock,
  windowStart,
} from "./windows.js";

const H = 3_600_000;
const at = (iso: string) => Date.parse(iso);

test("tumbling windows align to the epoch, or to Mondays for weeks", () => {
  assert.equal(windowStart(at("2012-01-01T05:30:00Z"), H), at("2012-01-01T05:00:00Z"));
  assert.equal(windowStart(at("2012-01-01T05:00:00Z"), H), at("2012-01-01T05:00:00Z"));
  assert.equal(
    windowStart(at("2012-01-04T12:00:00Z"), 7 * 24 * H, MONDAY_ORIGIN_MS),
    at("2012-01-02T00:00:00Z"),
  ); // a Monday
  assert.equal(windowStart(-1, H), -H);
});

test("a window is final once the clock passes its end by the lateness; older events are rejected", () => {
  const start = at("2012-01-01T05:00:00Z");
  assert.equal(isWindowFinal(start, H, H, start + 2 * H - 1), false);
  assert.equal(isWindowFinal(start, H, H, start + 2 * H), true);
  // at 07:30 with 1h lateness, the 06:00 window is the oldest open one
  assert.equal(oldestAcceptedMs(at("2012-01-01T07:30:00Z"), H, H), at("2012-01-01T06:00:00Z"));
  assert.equal(isWindowFinal(at("2012-01-01T06:00:00Z"), H, H, at("2012-01-01T07:30:00Z")), false);
  assert.equal(isWindowFinal(at("2012-01-01T05:00:00Z"), H, H, at("2012-01-01T07:30:00Z")), true);
  assert.equal(oldestAcceptedMs(Number.NEGATIVE_INFINITY, H, H), Number.NEGATIVE_INFINITY);
});

test("the event-time clock follows the newest event; the wall clock reads what it is given", () => {
  const clock = new EventTimeClock();
  assert.equal(clock.now(), Number.NEGATIVE_INFINITY);
  clock.observe(10);
  clock.observe(5);
  assert.equal(clock.now(), 10);
  let t = 100;
  const wall = new WallClock(() => t);
  wall.observe(); // no effect
  t = 200;
  assert.equal(wall.now(), 200);
});
