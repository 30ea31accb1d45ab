import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { JobLocks } from "./job-locks.js";

/** How a conformance run gets job locks: a fresh scope, instances on it, and a way to kill one. */
export interface JobLocksFactory {
  readonly name: string;
  newLocation(): string;
  open(location: string): Promise<JobLocks>;
  /** Ends an instance the way a crash does (no release): its process or its connection dies. */
  kill(locks: JobLocks): Promise<void>;
  cleanup?(): Promise<void>;
}

/** Polls `condition` until it holds or `deadlineMs` passes (a condition, not a timer, decides). */
async function eventually(condition: () => Promise<boolean>, deadlineMs = 10_000): Promise<boolean> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

/**
 * The job locks' one conformance suite, run on every adapter.
 *
 * @example
 * ```ts
 * jobLocksConformance({ name: "local", newLocation, open: async (s) => openLocalJobLocks(s), kill: (l) => l.close() });
 * ```
 */
export function jobLocksConformance(factory: JobLocksFactory): void {
  describe(`job locks conformance: ${factory.name}`, () => {
    test("one holder per job; re-acquiring is true for the holder; release hands it on; jobs are independent", async () => {
      const scope = factory.newLocation();
      const a = await factory.open(scope);
      const b = await factory.open(scope);
      try {
        assert.equal(await a.tryAcquire("retention"), true);
        assert.equal(await b.tryAcquire("retention"), false);
        assert.equal(await a.tryAcquire("retention"), true, "the holder asking again");
        assert.equal(await b.tryAcquire("delivery"), true, "another job is free");
        assert.deepEqual(
          [await a.holds("retention"), await b.holds("retention"), await a.holds("delivery")],
          [true, false, false],
        );
        await a.release("retention");
        assert.equal(await a.holds("retention"), false);
        assert.equal(await b.tryAcquire("retention"), true);
        assert.equal(await a.tryAcquire("retention"), false);
        // Two instances racing for a free job: exactly one wins.
        const wins = await Promise.all([a.tryAcquire("learning"), b.tryAcquire("learning")]);
        assert.equal(wins.filter(Boolean).length, 1);
      } finally {
        await a.close();
        await b.close();
      }
    });

    test("another instance takes over when the holder dies, and the dead holder knows it holds nothing", async () => {
      const scope = factory.newLocation();
      const a = await factory.open(scope);
      const b = await factory.open(scope);
      try {
        assert.equal(await a.tryAcquire("alerting"), true);
        assert.equal(await b.tryAcquire("alerting"), false);
        await factory.kill(a);
        assert.ok(await eventually(() => b.tryAcquire("alerting")), "b took the job over");
        assert.equal(await a.holds("alerting"), false);
        assert.equal(await a.tryAcquire("alerting"), false, "a, back, finds it taken");
      } finally {
        await a.close();
        await b.close();
      }
    });
  });
}
