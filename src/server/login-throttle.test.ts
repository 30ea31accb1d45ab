import assert from "node:assert/strict";
import { test } from "node:test";
import { TokenAuth } from "./auth.js";
import { LoginThrottle } from "./login-throttle.js";

test("five wrong tokens are free, then lockouts double from 1 s up to 15 minutes", () => {
  const throttle = new LoginThrottle();
  let now = 1_000_000;
  for (let i = 0; i < 5; i++) {
    assert.equal(throttle.retryAfterMs("a", now), 0);
    assert.equal(throttle.fail("a", now), 0);
  }
  const delays: number[] = [];
  for (let i = 0; i < 14; i++) {
    const delay = throttle.fail("a", now);
    delays.push(delay);
    assert.equal(throttle.retryAfterMs("a", now), delay);
    now += delay;
    assert.equal(throttle.retryAfterMs("a", now), 0, "free again once the lockout is over");
  }
  assert.deepEqual(delays.slice(0, 5), [1000, 2000, 4000, 8000, 16000]);
  assert.equal(Math.max(...delays), 15 * 60_000);
  assert.equal(throttle.retryAfterMs("b", now), 0, "other clients are not affected");
});

test("a right token clears the record; an hour without failures forgets it", () => {
  const throttle = new LoginThrottle();
  for (let i = 0; i < 6; i++) throttle.fail("a", 0);
  throttle.succeed("a");
  assert.equal(throttle.retryAfterMs("a", 0), 0);
  assert.equal(throttle.fail("a", 0), 0, "counting starts again");
  for (let i = 0; i < 5; i++) throttle.fail("b", 0);
  assert.equal(throttle.fail("b", 3_600_001 + 0), 0, "an hour later the old failures are forgotten");
});

test("the clients remembered are bounded", () => {
  const throttle = new LoginThrottle({ maxClients: 100 });
  for (let i = 0; i < 1000; i++) throttle.fail(`10.0.${i >> 8}.${i & 255}`, i);
  assert.equal(throttle.size, 100);
});

test("dashboard sessions are capped: the oldest ends first", async () => {
  const auth = new TokenAuth(new Map([["t", new Set(["read" as const])]]), () => 0);
  const first = await auth.login("t", 0);
  assert.notEqual(first, null);
  for (let i = 0; i < 1500; i++) await auth.login("t", 0);
  assert.equal(auth.sessionCount, 1000);
  const request = { headers: { cookie: `tiktoktoe_session=${first}` } } as never;
  assert.equal(auth.mayRead(request), false, "the first session was ended to make room");
});
