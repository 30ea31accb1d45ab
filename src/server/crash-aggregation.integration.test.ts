// Issue #12: "a kill -9 during aggregation, then restart: every window equals that of an uninterrupted
// run on the same events". The real `tiktoktoe serve` is killed at random points of a sequential
// stream of labelled batches (right after an acknowledgement, while the server aggregates what it
// acknowledged, or while the next batch is in flight), restarted, and the stream is finished by
// resending from the first unacknowledged batch. Every window (counts, quality, latency, drift
// severities, fairness, estimates) and every window's full drift report must equal those of a fresh
// server that received the same stream without interruption.
//
// Batches are sent one after another: with the event clock, batches in flight together could carry
// times further apart than the lateness, and a window closed by one would refuse the other's events.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { seededRandom } from "../stats/random.js";
import { exited, spawnServe } from "../testing/serve-process.js";

const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-crash-aggregation-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const H = 3_600_000;
const T0 = Date.parse("2026-04-06T00:00:00Z");
const WINDOWS = 5;
/** Events per window: beyond the reservoir's 10,000 rows, so the sample's random choices matter. */
const PER_WINDOW = 12_000;
const BATCH = 1_000;
const CATEGORIES = ["a", "b", "c", "d"];

const config = join(dir, "monitor.yaml");
writeFileSync(config, "monitor: { window: 1h, lateness: 5m, min_samples: 1 }\n");

interface Request {
  readonly path: string;
  readonly type: string;
  readonly body: string;
}

/** The whole stream, in order: per batch of events, the batch, then labels for every other event. */
function stream(): Request[] {
  const random = seededRandom(20260406);
  const out: Request[] = [];
  const step = H / PER_WINDOW;
  for (let w = 0; w < WINDOWS; w++)
    for (let b = 0; b < PER_WINDOW / BATCH; b++) {
      const events = Array.from({ length: BATCH }, (_, i) => {
        const n = b * BATCH + i;
        // The distribution moves from window to window, so drift has something to measure.
        const x1 = random.normal() + 0.3 * w;
        return {
          id: `w${w}-${n}`,
          time: T0 + w * H + n * step,
          version: "1",
          features: {
            x1,
            x2: random.uniform() * 10,
            c: CATEGORIES[Math.floor(random.uniform() * (w === 4 ? 2 : 4))]!,
          },
          prediction: x1 * 2 + random.normal() * 0.1,
          latency_ms: 1 + random.uniform() * 20,
        };
      });
      out.push({
        path: "/v1/models/m/events",
        type: "application/x-ndjson",
        body: events.map((e) => JSON.stringify(e)).join("\n"),
      });
      out.push({
        path: "/v1/models/m/labels",
        type: "application/x-ndjson",
        body: events
          .filter((_, i) => i % 2 === 0)
          .map((e) => JSON.stringify({ id: e.id, value: e.prediction + random.normal(), time: e.time }))
          .join("\n"),
      });
    }
  return out;
}

const post = (url: string, request: Request) =>
  fetch(`${url}${request.path}`, {
    method: "POST",
    headers: { "content-type": request.type },
    body: request.body,
  });

async function setUp(url: string): Promise<void> {
  const json = (path: string, body: unknown, method = "POST") =>
    fetch(`${url}${path}`, {
      method,
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  assert.equal(
    (
      await json("/v1/models", {
        name: "m",
        task: "regression",
        features: [
          { name: "x1", type: "numeric" },
          { name: "x2", type: "numeric" },
          { name: "c", type: "categorical" },
        ],
      })
    ).status,
    201,
  );
  assert.equal((await json("/v1/models/m/versions", { version: "1" })).status, 201);
  const random = seededRandom(7);
  const rows = Array.from({ length: 2_000 }, () => {
    const x1 = random.normal();
    return `${x1},${random.uniform() * 10},${CATEGORIES[Math.floor(random.uniform() * 4)]},${x1 * 2},${x1 * 2 + random.normal()}`;
  });
  const reference = await fetch(`${url}/v1/models/m/versions/1/reference`, {
    method: "PUT",
    headers: { "content-type": "text/csv" },
    body: ["x1,x2,c,prediction,target", ...rows].join("\n"),
  });
  assert.equal(reference.status, 200, await reference.text());
}

/** Closes the last window, then reads every window and every window's drift report. */
async function finish(url: string) {
  const clock = await fetch(`${url}/v1/models/m/clock`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ time: T0 + (WINDOWS + 1) * H }),
  });
  assert.equal(clock.status, 200, await clock.text());
  const { windows } = (await (await fetch(`${url}/v1/models/m/windows`)).json()) as {
    windows: Array<{ startMs: number; final: boolean; events: number; labels: number }>;
  };
  const drift = [];
  for (const w of windows) {
    const answer = await fetch(`${url}/v1/models/m/windows/${w.startMs}/drift?version=1`);
    assert.equal(answer.status, 200);
    drift.push(await answer.json());
  }
  return { windows, drift };
}

const serve = (data: string) =>
  spawnServe(["--data-dir", data, "--port", "0", "--clock", "event", "--config", config]);

test("kill -9 at random points while aggregating: after restarts every window equals an uninterrupted run's", async (t) => {
  const requests = stream();
  const seed = Number(process.env.TIKTOKTOE_CRASH_SEED ?? Date.now() % 2 ** 31);
  t.diagnostic(`kill points drawn with seed ${seed} (TIKTOKTOE_CRASH_SEED=${seed} repeats them)`);
  const random = seededRandom(seed);
  const kills = new Set<number>();
  while (kills.size < 3) {
    const at = 2 + Math.floor(random.uniform() * (requests.length - 4));
    // Apart, so that a batch acknowledged in flight does not step over the next kill.
    if (![...kills].some((k) => Math.abs(k - at) < 3)) kills.add(at);
  }

  // The uninterrupted run.
  const expected = await (async () => {
    const { child, url } = await serve(join(dir, "reference"));
    try {
      await setUp(url);
      for (const request of requests) {
        const answer = await post(url, request);
        const text = await answer.text();
        assert.equal(answer.status, 200, text);
      }
      return await finish(url);
    } finally {
      child.kill("SIGTERM");
      await exited(child);
    }
  })();
  assert.equal(expected.windows.length, WINDOWS);
  assert.ok(expected.windows.every((w) => w.final && w.events === PER_WINDOW && w.labels === PER_WINDOW / 2));

  // The interrupted run.
  const data = join(dir, "crashed");
  let { child, url } = await serve(data);
  try {
    await setUp(url);
    let next = 0;
    const outcomes: string[] = [];
    while (next < requests.length) {
      const answer = await post(url, requests[next]!);
      const text = await answer.text();
      assert.equal(answer.status, 200, text);
      next++;
      if (!kills.has(next - 1)) continue;
      // Acknowledged: the server now aggregates it. Half the time the next batch is sent too; the kill
      // lands 0–10 ms later, while the server aggregates, flushes or appends.
      const inFlight =
        random.uniform() < 0.5 && next < requests.length
          ? post(url, requests[next]!).then(
              async (r) => {
                await r.text();
                return r.status === 200;
              },
              () => false,
            )
          : Promise.resolve(false);
      await new Promise((resolve) => setTimeout(resolve, Math.floor(random.uniform() * 10)));
      child.kill("SIGKILL");
      await exited(child);
      if (await inFlight) next++;
      outcomes.push(`killed after request ${next} of ${requests.length}`);
      ({ child, url } = await serve(data));
    }
    t.diagnostic(outcomes.join("; "));
    const actual = await finish(url);
    assert.equal(actual.windows.length, expected.windows.length);
    for (const [i, window] of actual.windows.entries())
      assert.deepEqual(window, expected.windows[i], `window ${new Date(window.startMs).toISOString()}`);
    for (const [i, report] of actual.drift.entries())
      assert.deepEqual(report, expected.drift[i], `drift report of window ${i}`);
  } finally {
    child.kill("SIGTERM");
    await exited(child);
  }
});
