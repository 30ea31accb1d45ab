import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type ChangeBus, MAX_NOTICE_BYTES } from "./change-bus.js";

/** How a conformance run gets change buses: a fresh scope, instances on it, and a way to cut one off. */
export interface ChangeBusFactory {
  readonly name: string;
  newLocation(): string;
  open(location: string): Promise<ChangeBus>;
  /**
   * Cuts an instance's connection the way an outage does (the database ends its session); absent
   * where an instance cannot lose notices (in-process), and the gap test is skipped.
   */
  cut?(bus: ChangeBus): Promise<void>;
}

/** Polls `condition` until it holds or `deadlineMs` passes (a condition, not a timer, decides). */
async function eventually(
  condition: () => boolean | Promise<boolean>,
  deadlineMs = 10_000,
): Promise<boolean> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return false;
}

/**
 * The change bus's one conformance suite, run on every adapter.
 *
 * @example
 * ```ts
 * changeBusConformance({ name: "local", newLocation: () => randomUUID(), open: async (s) => openLocalChangeBus(s) });
 * ```
 */
export function changeBusConformance(factory: ChangeBusFactory): void {
  describe(`change bus conformance: ${factory.name}`, () => {
    test("a notice reaches every instance of the scope once, in order, with fromSelf; topics and scopes are apart", async () => {
      const scope = factory.newLocation();
      const a = await factory.open(scope);
      const b = await factory.open(scope);
      const other = await factory.open(factory.newLocation());
      try {
        const seen: string[] = [];
        a.subscribe("registry", (body, self) => {
          seen.push(`a:${(body as { n: number }).n}:${self}`);
        });
        b.subscribe("registry", (body, self) => {
          seen.push(`b:${(body as { n: number }).n}:${self}`);
        });
        b.subscribe("sessions", () => {
          seen.push("b:sessions");
        });
        other.subscribe("registry", () => {
          seen.push("other");
        });
        for (let n = 1; n <= 3; n++) await a.publish("registry", { n });
        // The publisher's own subscribers have it before publish resolves.
        assert.deepEqual(
          seen.filter((s) => s.startsWith("a:")),
          ["a:1:true", "a:2:true", "a:3:true"],
        );
        await b.sync();
        await other.sync();
        assert.deepEqual(
          seen.filter((s) => !s.startsWith("a:")),
          ["b:1:false", "b:2:false", "b:3:false"],
        );
      } finally {
        await a.close();
        await b.close();
        await other.close();
      }
    });

    test("sync on another instance waits for the notices sent before it and for its listeners' work", async () => {
      const scope = factory.newLocation();
      const a = await factory.open(scope);
      const b = await factory.open(scope);
      try {
        const done: number[] = [];
        b.subscribe("deploy", async (body) => {
          // Work that takes a while (a store read): sync must wait for it.
          await new Promise((resolve) => setTimeout(resolve, 30));
          done.push((body as { n: number }).n);
        });
        for (let round = 1; round <= 20; round++) {
          await a.publish("deploy", { n: round });
          await b.sync();
          assert.equal(done.at(-1), round, `round ${round}: sync returned before the notice's work`);
        }
        // Concurrent syncs all see it.
        await a.publish("deploy", { n: 99 });
        await Promise.all([b.sync(), b.sync(), b.sync()]);
        assert.equal(done.at(-1), 99);
      } finally {
        await a.close();
        await b.close();
      }
    });

    test("unsubscribe stops delivery; a listener's failure reaches neither the publisher nor other listeners", async () => {
      const scope = factory.newLocation();
      const a = await factory.open(scope);
      const b = await factory.open(scope);
      try {
        const seen: number[] = [];
        b.subscribe("live", () => {
          throw new Error("a broken listener");
        });
        b.subscribe("live", async () => {
          throw new Error("a broken async listener");
        });
        const stop = b.subscribe("live", (body) => {
          seen.push((body as { n: number }).n);
        });
        await a.publish("live", { n: 1 });
        await b.sync();
        stop();
        await a.publish("live", { n: 2 });
        await b.sync();
        assert.deepEqual(seen, [1]);
      } finally {
        await a.close();
        await b.close();
      }
    });

    test(`a notice over ${MAX_NOTICE_BYTES} bytes is refused before anything is delivered`, async () => {
      const scope = factory.newLocation();
      const a = await factory.open(scope);
      try {
        let heard = 0;
        a.subscribe("live", () => {
          heard++;
        });
        await assert.rejects(a.publish("live", { text: "x".repeat(MAX_NOTICE_BYTES) }), RangeError);
        await a.publish("live", { text: "x".repeat(MAX_NOTICE_BYTES - 20) });
        assert.equal(heard, 1);
      } finally {
        await a.close();
      }
    });

    test("an instance cut off announces a gap once it is back, then hears notices again", {
      skip: factory.cut === undefined ? "this adapter cannot lose notices" : false,
    }, async () => {
      const scope = factory.newLocation();
      const a = await factory.open(scope);
      const b = await factory.open(scope);
      try {
        let gaps = 0;
        const seen: number[] = [];
        b.onGap(() => {
          gaps++;
        });
        b.subscribe("registry", (body) => {
          seen.push((body as { n: number }).n);
        });
        await factory.cut?.(b);
        assert.ok(await eventually(() => gaps > 0), "b announced a gap");
        await a.publish("registry", { n: 7 });
        await b.sync();
        assert.deepEqual(seen, [7]);
      } finally {
        await a.close();
        await b.close();
      }
    });
  });
}
