import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isTikTokToeError } from "../errors/index.js";
import {
  type IngestQueue,
  MAX_HEADER_LENGTH,
  type PublishResult,
  type QueueConsumer,
  type QueueMessage,
} from "./port.js";

/** How a conformance run gets queues: a fresh location (a deployment), and a queue opened on it. */
export interface QueueFactory {
  readonly name: string;
  newLocation(): string;
  /** Opens a queue on `location` whose unacknowledged batches are redelivered after `ackWaitMs`. */
  open(location: string, options: { readonly ackWaitMs: number }): Promise<IngestQueue>;
  /**
   * Publishes through a queue whose broker cannot be reached (opening it may already fail); absent
   * for an adapter that has no broker (in-process).
   */
  publishUnreachable?(location: string): Promise<unknown>;
  /** Removes what the location left on the broker. */
  cleanup?(location: string): Promise<void>;
}

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (message: QueueMessage) => new TextDecoder().decode(message.payload);

/** Fetches until `count` messages came or `deadlineMs` passed (conditions, not timers: each fetch waits for data). */
async function collect(consumer: QueueConsumer, count: number, deadlineMs = 15_000): Promise<QueueMessage[]> {
  const out: QueueMessage[] = [];
  const until = Date.now() + deadlineMs;
  while (out.length < count && Date.now() < until)
    out.push(...(await consumer.fetch(count - out.length, 500)));
  return out;
}

/**
 * The ingest-log port's one conformance suite: every adapter must pass it unchanged (`memory/`,
 * `jetstream/`). Registers node:test tests.
 *
 * @example
 * ```ts
 * queueConformance({ name: "memory", newLocation: () => randomName(), open: (name, o) => Promise.resolve(openMemoryQueue({ name, ...o })) });
 * ```
 */
export function queueConformance(factory: QueueFactory): void {
  const ACK_WAIT = 1_000;
  const withQueues = async (count: number, run: (...queues: IngestQueue[]) => Promise<void>) => {
    const location = factory.newLocation();
    const queues: IngestQueue[] = [];
    try {
      for (let i = 0; i < count; i++) queues.push(await factory.open(location, { ackWaitMs: ACK_WAIT }));
      await run(...queues);
    } finally {
      for (const queue of queues) await queue.close();
      await factory.cleanup?.(location);
    }
  };

  describe(`queue conformance: ${factory.name}`, () => {
    test("batches are delivered in publish order with their ids; acknowledged ones are not delivered again", () =>
      withQueues(2, async (queue, other) => {
        const published: PublishResult[] = [];
        for (let i = 0; i < 5; i++)
          published.push(await queue.publish({ id: `b${i}`, payload: bytes(`p${i}`) }));
        assert.deepEqual(
          published.map((p) => p.duplicate),
          [false, false, false, false, false],
        );
        assert.ok(published.every((p, i) => i === 0 || p.sequence > published[i - 1]!.sequence));
        const consumer = await queue.consumer("writer");
        const got = await collect(consumer, 5);
        assert.deepEqual(
          got.map((m) => [m.id, text(m), m.sequence, m.deliveries]),
          published.map((p, i) => [`b${i}`, `p${i}`, p.sequence, 1]),
        );
        for (const message of got.slice(0, 3)) await message.ack();
        await consumer.close();
        // The position is the broker's: a consumer of the same name elsewhere continues after b2
        // (b3 and b4 come back once their ack wait ran out).
        const again = await (await other.consumer("writer")).fetch(10, 3 * ACK_WAIT);
        assert.deepEqual(
          again.map((m) => m.id),
          ["b3", "b4"],
        );
      }));

    test("a batch's header comes back with it, on every delivery; a batch without one has none", () =>
      withQueues(2, async (queue, other) => {
        const start = `{"v":3,"model":"bike \\u00e9"}`;
        const header = `${start}${"x".repeat(MAX_HEADER_LENGTH - start.length)}`;
        assert.equal(header.length, MAX_HEADER_LENGTH);
        await queue.publish({ id: "with", payload: bytes("p0"), header });
        await queue.publish({ id: "without", payload: bytes("p1") });
        await queue.publish({ id: "empty", payload: new Uint8Array(0), header: "" });
        const consumer = await queue.consumer("writer");
        const got = await collect(consumer, 3);
        assert.deepEqual(
          got.map((m) => [m.id, text(m), m.header]),
          [
            ["with", "p0", header],
            ["without", "p1", undefined],
            ["empty", "", ""],
          ],
        );
        await got[0]!.nak();
        const [again] = await collect(await other.consumer("writer"), 1);
        assert.deepEqual([again!.id, again!.header, again!.deliveries], ["with", header, 2]);
        for (const bad of ["line\r\nbreak", "caf\u00e9", "x".repeat(MAX_HEADER_LENGTH + 1)])
          await assert.rejects(
            queue.publish({ id: `bad-${bad.length}`, payload: bytes("p"), header: bad }),
            (error) => isTikTokToeError(error, "INTERNAL"),
          );
      }));

    test("a fetch waits for a batch published after it started", () =>
      withQueues(2, async (queue, publisher) => {
        const consumer = await queue.consumer("writer");
        const fetching = consumer.fetch(10, 10_000);
        await publisher.publish({ id: "late", payload: bytes("x") });
        assert.deepEqual(
          (await fetching).map((m) => m.id),
          ["late"],
        );
      }));

    test("batches a consumer took and did not acknowledge are delivered again after it died", () =>
      withQueues(2, async (dying, survivor) => {
        for (let i = 0; i < 4; i++) await dying.publish({ id: `b${i}`, payload: bytes(`p${i}`) });
        const first = await collect(await dying.consumer("writer"), 4);
        await first[0]!.ack();
        await first[1]!.ack();
        await dying.close(); // the process holding b2 and b3 is gone
        const redelivered = await collect(await survivor.consumer("writer"), 2);
        assert.deepEqual(
          redelivered.map((m) => [m.id, text(m), m.deliveries]),
          [
            ["b2", "p2", 2],
            ["b3", "p3", 2],
          ],
        );
        for (const message of redelivered) await message.ack();
        assert.deepEqual(await (await survivor.consumer("writer")).fetch(10, 2 * ACK_WAIT), []);
      }));

    test("nak gives a batch back at once", () =>
      withQueues(1, async (queue) => {
        await queue.publish({ id: "b0", payload: bytes("p0") });
        const consumer = await queue.consumer("writer");
        const [first] = await collect(consumer, 1);
        await first!.nak();
        const [second] = await collect(consumer, 1);
        assert.deepEqual([second!.id, second!.deliveries], ["b0", 2]);
        await second!.ack();
      }));

    test("nak with a delay gives a batch back after the delay, not before", () =>
      withQueues(1, async (queue) => {
        await queue.publish({ id: "later", payload: bytes("p") });
        const consumer = await queue.consumer("writer");
        const [first] = await collect(consumer, 1);
        const nakedAt = Date.now();
        await first!.nak(1_500);
        assert.deepEqual(await consumer.fetch(10, 700), [], "not within the delay");
        const [again] = await collect(consumer, 1);
        assert.ok(Date.now() - nakedAt >= 1_400, `came back after ${Date.now() - nakedAt} ms`);
        assert.deepEqual([again!.id, again!.deliveries], ["later", 2]);
        await again!.ack();
      }));

    test("a batch id published again is stored once (a retried publish)", () =>
      withQueues(2, async (a, b) => {
        const first = await a.publish({ id: "same", payload: bytes("one") });
        const retried = await b.publish({ id: "same", payload: bytes("one") });
        await a.publish({ id: "next", payload: bytes("two") });
        assert.deepEqual(retried, { sequence: first.sequence, duplicate: true });
        const consumer = await a.consumer("writer");
        const got = await collect(consumer, 2);
        for (const message of got) await message.ack();
        assert.deepEqual(
          got.map((m) => m.id),
          ["same", "next"],
        );
        assert.deepEqual(await consumer.fetch(10, 300), []);
      }));

    test("two consumers of one durable name share the batches: none lost, none delivered to both", () =>
      withQueues(3, async (publisher, x, y) => {
        const ids = Array.from({ length: 60 }, (_, i) => `b${i}`);
        for (const id of ids) await publisher.publish({ id, payload: bytes(id) });
        const seen: Record<string, string[]> = { x: [], y: [] };
        const work = async (queue: IngestQueue, name: "x" | "y") => {
          const consumer = await queue.consumer("writer");
          for (let idle = 0; idle < 2; ) {
            const got = await consumer.fetch(7, 300);
            idle = got.length === 0 ? idle + 1 : 0;
            for (const message of got) {
              seen[name]!.push(message.id);
              await message.ack();
            }
          }
        };
        await Promise.all([work(x, "x"), work(y, "y")]);
        assert.deepEqual([...seen.x!, ...seen.y!].sort(), [...ids].sort());
      }));

    test("a publish the broker cannot take fails with the retryable QUEUE_UNAVAILABLE", {
      skip: factory.publishUnreachable === undefined ? "an in-process queue has no broker to lose" : false,
    }, async () => {
      await assert.rejects(
        factory.publishUnreachable!(factory.newLocation()),
        (error: unknown) =>
          isTikTokToeError(error, "QUEUE_UNAVAILABLE") &&
          error.status === 503 &&
          error.retryAfterS !== undefined,
      );
    });
  });
}
