import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { validateConfig } from "../../config/index.js";
import { isTikTokToeError } from "../../errors/index.js";
import { openSqliteStore, type Store } from "../../store/index.js";
import { MonitorService } from "../monitor-service.js";

const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-ingest-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const T0 = Date.UTC(2026, 0, 5, 10);

/** A monitor service on a fresh SQLite store with the default configuration and one model (version "1"). */
async function withService(
  file: string,
  model: Record<string, unknown>,
  run: (service: MonitorService, store: Store) => Promise<void>,
): Promise<void> {
  const store = await openSqliteStore({ file: join(dir, file) });
  try {
    const result = validateConfig({});
    assert.ok(result.ok);
    const service = await MonitorService.open({ store, config: result.config, clock: "wall", now: () => T0 });
    await service.registerModel(model);
    await service.registerVersion(String(model.name), { version: "1" });
    await run(service, store);
    await service.close();
  } finally {
    await store.close();
  }
}

test("ingestEvents takes the event objects as well as a request's text, validated the same", () =>
  withService(
    "objects.db",
    { name: "m", task: "regression", features: [{ name: "x", type: "numeric" }] },
    async (service) => {
      const event = (id: string, x: unknown) => ({
        id,
        time: T0,
        version: "1",
        features: { x },
        prediction: 1,
      });
      assert.deepEqual(await service.ingestEvents("m", [event("a", 1), event("b", 2)]), {
        accepted: 2,
        duplicates: 0,
      });
      assert.deepEqual(await service.ingestEvents("m", JSON.stringify(event("a", 1))), {
        accepted: 0,
        duplicates: 1,
      });
      await assert.rejects(
        service.ingestEvents("m", [event("c", 3), event("d", "high")]),
        (error: unknown) => {
          assert.ok(isTikTokToeError(error, "INGEST_INVALID"));
          const problems = error.problems as Array<{ line: number; field: string }>;
          assert.deepEqual(
            problems.map((p) => [p.line, p.field]),
            [[2, "features.x"]],
          );
          return true;
        },
      );
    },
  ));

const binary = { name: "c", task: "binary", classes: ["0", "1"], features: [{ name: "x", type: "numeric" }] };

test("an answered prediction that is not a valid event is dropped alone and counted; the others are recorded", () =>
  withService("answered.db", binary, async (service, store) => {
    const answer = (id: string, scores: number[]) => ({
      id,
      time: T0,
      version: "1",
      features: { x: 1 },
      prediction: "1",
      scores,
      latency_ms: 0.1,
    });
    service.recordAnswered("c", [answer("good-1", [0.2, 0.8])]);
    // A model whose outputs are not probabilities: its scores cannot be logged as an event's.
    service.recordAnswered("c", [answer("bad", [-3, 4])]);
    service.recordAnswered("c", [answer("good-2", [0.4, 0.6])]);
    await service.flushAnswered("c");
    assert.equal(service.counters.answeredDropped, 1);
    assert.equal(await store.countIndexedEvents("c"), 2);
  }));
