import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  type AttemptRecord,
  backoffDelay,
  type DeliveryOptions,
  deliver,
  deliveryDefaults,
  nextDeliveryStep,
} from "./delivery.js";
import type { Notifier, SendOutcome } from "./notifier.js";
import { sampleNotification } from "./receivers.test.helpers.js";

const retryable: SendOutcome = {
  ok: false,
  retry: true,
  reason: "server_error",
  message: "503",
  status: 503,
};
const permanent: SendOutcome = {
  ok: false,
  retry: false,
  reason: "client_error",
  message: "400",
  status: 400,
};
const sent: SendOutcome = { ok: true, status: 200 };

/** A notifier answering with the scripted outcomes in turn (the last one repeats). */
function scripted(...outcomes: SendOutcome[]): Notifier & { calls: number } {
  return {
    kind: "webhook",
    name: "fake",
    calls: 0,
    async send() {
      this.calls++;
      return outcomes[Math.min(this.calls, outcomes.length) - 1]!;
    },
  };
}

/** A virtual clock: sleeping advances it, attempts take `attemptMs`. */
function virtualTime(attemptMs = 0) {
  let now = 1_764_237_600_000; // 2025-11-27T10:00:00Z
  const waits: number[] = [];
  const options: Required<Pick<DeliveryOptions, "now" | "sleep">> = {
    now: () => now,
    sleep: async (ms) => {
      waits.push(ms);
      now += ms;
    },
  };
  return { options, waits, advance: (ms: number) => (now += ms), attemptMs };
}

describe("backoffDelay", () => {
  test("full jitter under an exponential cap: uniform in [0, min(max, initial·2^(n−1)))", () => {
    const half = () => 0.5;
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelay(n, undefined, half)),
      [500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000],
    );
    assert.equal(
      backoffDelay(3, undefined, () => 0),
      0,
    );
    assert.equal(
      backoffDelay(3, undefined, () => 0.999999),
      3_999,
    );
    assert.equal(
      backoffDelay(2, undefined, half, { initialDelayMs: 100, multiplier: 3, maxDelayMs: 250 }),
      125,
    );
  });

  test("never less than Retry-After", () => {
    assert.equal(
      backoffDelay(1, 30_000, () => 0.5),
      30_000,
    );
    assert.equal(
      backoffDelay(8, 1_000, () => 0.5),
      30_000,
    );
  });
});

describe("deliver", () => {
  test("success at once: one attempt, recorded", async () => {
    const records: AttemptRecord[] = [];
    const clock = virtualTime();
    const result = await deliver(scripted(sent), sampleNotification(), {
      ...clock.options,
      onAttempt: (r) => records.push(r),
    });
    assert.deepEqual(result, { ok: true, attempts: 1, elapsedMs: 0, outcome: sent });
    assert.deepEqual(records, [
      {
        notifier: "fake",
        kind: "webhook",
        groupKey: '{}:{model="bike"}',
        attempt: 1,
        outcome: sent,
        at: "2025-11-27T10:00:00.000Z",
        durationMs: 0,
        nextDelayMs: null,
      },
    ]);
    assert.deepEqual(clock.waits, []);
  });

  test("retries retryable failures with jittered exponential waits until success", async () => {
    const records: AttemptRecord[] = [];
    const clock = virtualTime();
    const randoms = [0.5, 0.25, 1];
    const notifier = scripted(retryable, retryable, retryable, sent);
    const result = await deliver(notifier, sampleNotification(), {
      ...clock.options,
      random: () => randoms.shift()!,
      onAttempt: (r) => records.push(r),
    });
    assert.equal(result.ok, true);
    assert.equal(result.attempts, 4);
    assert.deepEqual(clock.waits, [500, 500, 4_000]);
    assert.equal(result.elapsedMs, 5_000);
    assert.deepEqual(
      records.map((r) => [r.attempt, r.outcome.ok, r.nextDelayMs, r.at.slice(11, 23)]),
      [
        [1, false, 500, "10:00:00.000"],
        [2, false, 500, "10:00:00.500"],
        [3, false, 4_000, "10:00:01.000"],
        [4, true, null, "10:00:05.000"],
      ],
    );
  });

  test("waits at least Retry-After on 429", async () => {
    const clock = virtualTime();
    const limited: SendOutcome = {
      ok: false,
      retry: true,
      retryAfterMs: 7_000,
      reason: "rate_limited",
      message: "429",
      status: 429,
    };
    const result = await deliver(scripted(limited, sent), sampleNotification(), {
      ...clock.options,
      random: () => 0.1,
    });
    assert.equal(result.ok, true);
    assert.deepEqual(clock.waits, [7_000]);
  });

  test("does not retry a permanent failure", async () => {
    const records: AttemptRecord[] = [];
    const notifier = scripted(permanent, sent);
    const result = await deliver(notifier, sampleNotification(), {
      ...virtualTime().options,
      onAttempt: (r) => records.push(r),
    });
    assert.deepEqual(result, {
      ok: false,
      attempts: 1,
      elapsedMs: 0,
      outcome: permanent,
      gaveUp: "permanent",
    });
    assert.equal(notifier.calls, 1);
    assert.equal(records.length, 1);
    assert.equal(records[0]!.nextDelayMs, null);
  });

  test("stops after maxAttempts (default 10)", async () => {
    const records: AttemptRecord[] = [];
    const notifier = scripted(retryable);
    const result = await deliver(notifier, sampleNotification(), {
      ...virtualTime().options,
      maxElapsedMs: Number.POSITIVE_INFINITY,
      onAttempt: (r) => records.push(r),
    });
    assert.ok(!result.ok);
    assert.equal(result.gaveUp, "max_attempts");
    assert.equal(result.attempts, deliveryDefaults.maxAttempts);
    assert.equal(notifier.calls, 10);
    assert.equal(records.length, 10);
    assert.equal(records.at(-1)!.nextDelayMs, null);
    const three = await deliver(scripted(retryable), sampleNotification(), {
      ...virtualTime().options,
      maxAttempts: 3,
    });
    assert.equal(three.attempts, 3);
  });

  test("stops when the next wait would pass maxElapsedMs (slow attempts count too)", async () => {
    const clock = virtualTime();
    const notifier: Notifier = {
      kind: "slack",
      name: "slow",
      async send() {
        clock.advance(4_000); // each attempt takes 4 s
        return retryable;
      },
    };
    const result = await deliver(notifier, sampleNotification(), {
      ...clock.options,
      random: () => 0.5,
      maxElapsedMs: 10_000,
    });
    // 4 s attempt, 0.5 s wait, 4 s attempt (8.5 s), next wait 1 s ≤ 10 s, 4 s attempt (13.5 s): stop.
    assert.ok(!result.ok);
    assert.equal(result.gaveUp, "max_elapsed");
    assert.equal(result.attempts, 3);
    assert.deepEqual(clock.waits, [500, 1_000]);

    // A Retry-After past the bound gives up at once instead of waiting beyond it.
    const far: SendOutcome = { ...retryable, retryAfterMs: 3_600_000 };
    const gaveUp = await deliver(scripted(far), sampleNotification(), { ...virtualTime().options });
    assert.ok(!gaveUp.ok && gaveUp.gaveUp === "max_elapsed" && gaveUp.attempts === 1);
  });

  test("the caller's signal ends the delivery during a wait, without another attempt", async () => {
    const controller = new AbortController();
    const notifier = scripted(retryable, sent);
    const result = await deliver(notifier, sampleNotification(), {
      initialDelayMs: 60_000,
      random: () => 1,
      signal: controller.signal,
      onAttempt: () => setTimeout(() => controller.abort(), 10),
    });
    assert.ok(!result.ok);
    assert.equal(result.gaveUp, "aborted");
    assert.equal(notifier.calls, 1);
    const before = await deliver(scripted(sent), sampleNotification(), { signal: AbortSignal.abort() });
    assert.ok(!before.ok && before.gaveUp === "aborted" && before.attempts === 1);
  });

  test("never throws: a throwing notifier is a permanent internal failure; a throwing recorder is ignored", async () => {
    const broken: Notifier = {
      kind: "email",
      name: "broken",
      send() {
        throw new Error("bug at https://user:pw@example.org/x");
      },
    };
    const result = await deliver(broken, sampleNotification(), {
      onAttempt: () => {
        throw new Error("attempt log is down");
      },
    });
    assert.ok(!result.ok);
    assert.equal(result.gaveUp, "permanent");
    assert.ok(!result.outcome.ok);
    assert.equal(result.outcome.reason, "internal");
    assert.equal(result.outcome.message, "notifier broken threw: bug at https://[REDACTED]@example.org/x");
    const recorded = await deliver(scripted(retryable, sent), sampleNotification(), {
      ...virtualTime().options,
      onAttempt: () => {
        throw new Error("attempt log is down");
      },
    });
    assert.equal(recorded.ok, true);
    assert.equal(recorded.attempts, 2);
  });

  test("with the real timer, small delays are really waited", async () => {
    const started = performance.now();
    const result = await deliver(scripted(retryable, retryable, sent), sampleNotification(), {
      initialDelayMs: 20,
      random: () => 1,
    });
    assert.equal(result.ok, true);
    assert.ok(performance.now() - started >= 55, `${performance.now() - started} ms`);
  });
});

test("nextDeliveryStep is the one retry rule: done, permanent, Retry-After, attempts and elapsed budgets", () => {
  const retryable = { ok: false as const, retry: true, reason: "http_5xx" as const, message: "503" };
  assert.deepEqual(nextDeliveryStep(1, { ok: true, status: 200 } as never, 0), { kind: "done" });
  assert.deepEqual(nextDeliveryStep(1, { ...retryable, retry: false } as never, 0), {
    kind: "give-up",
    reason: "permanent",
  });
  assert.deepEqual(
    nextDeliveryStep(1, { ...retryable, retryAfterMs: 30_000 } as never, 0, {}, () => 0),
    {
      kind: "retry",
      waitMs: 30_000,
    },
  );
  assert.deepEqual(nextDeliveryStep(12, retryable as never, 0, { maxAttempts: 12 }), {
    kind: "give-up",
    reason: "max_attempts",
  });
  assert.deepEqual(
    nextDeliveryStep(2, retryable as never, 299_999, { maxElapsedMs: 300_000 }, () => 0.5),
    {
      kind: "give-up",
      reason: "max_elapsed",
    },
  );
  assert.deepEqual(
    nextDeliveryStep(2, retryable as never, 1e12, { maxElapsedMs: Number.POSITIVE_INFINITY }, () => 0.5),
    { kind: "retry", waitMs: 1000 },
  );
});
