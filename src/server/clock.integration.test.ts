import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { type RunningServer, startServer } from "./index.js";

const DAY = 86_400_000;
const WEEK = 7 * DAY;
// Weekly windows start at the epoch's weekday (Thursday): 2012-01-05 is one.
const START = Date.UTC(2012, 0, 5);
const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-clock-"));
after(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, "monitor.yaml"), "monitor: { window: 1w, lateness: 2d, min_samples: 10 }\n");

async function call(
  server: RunningServer,
  method: string,
  path: string,
  body?: string,
  type = "application/json",
) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { "content-type": type }, body }),
  });
  // biome-ignore lint/suspicious/noExplicitAny: the test reads loose JSON answers
  return { status: response.status, body: (await response.json()) as any };
}

const open = (clock: "event" | "wall" = "event") =>
  startServer({
    port: 0,
    dataDir: join(dir, clock),
    configFile: join(dir, "monitor.yaml"),
    clock,
    flushIntervalMs: 60_000,
  });

test("a schema's drift: false is validated: a boolean, and never true on a sensitive attribute", async () => {
  const server = await open();
  try {
    const bad = await call(
      server,
      "POST",
      "/v1/models",
      JSON.stringify({
        name: "m",
        task: "regression",
        features: [
          { name: "a", type: "numeric", drift: "no" },
          { name: "s", type: "categorical", role: "sensitive", drift: true },
        ],
      }),
    );
    assert.equal(bad.status, 400);
    assert.deepEqual(
      bad.body.problems.map((p: { path: string }) => p.path),
      ["features[0].drift", "features[1].drift"],
    );
  } finally {
    await server.close();
  }
});

test("drift: false columns are kept and shown but not tested; POST /clock closes the last window without an event, durably", async () => {
  let server = await open();
  try {
    const created = await call(
      server,
      "POST",
      "/v1/models",
      JSON.stringify({
        name: "m",
        task: "regression",
        features: [
          { name: "x", type: "numeric" },
          { name: "hour", type: "numeric", drift: false },
          { name: "day", type: "categorical", drift: false },
        ],
      }),
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal((await call(server, "POST", "/v1/models/m/versions", '{"version":"1"}')).status, 201);
    // The clock has not started: nothing to advance.
    const early = await call(server, "POST", "/v1/models/m/clock", JSON.stringify({ time: START }));
    assert.equal(early.status, 400);
    assert.match(early.body.message, /no events yet/);

    // Reference: x around 0, hours 0–23, days a–g. The window: x shifted far (drift), the calendar
    // columns a single hour and a single day, which would be critical were they tested.
    const reference = ["x,hour,day,target"];
    for (let i = 0; i < 700; i++) reference.push(`${(i % 50) / 50},${i % 24},${"abcdefg"[i % 7]},${i % 10}`);
    const put = await call(
      server,
      "PUT",
      "/v1/models/m/versions/1/reference",
      reference.join("\n"),
      "text/csv",
    );
    assert.equal(put.status, 200, JSON.stringify(put.body));
    const events = Array.from({ length: 40 }, (_, i) =>
      JSON.stringify({
        id: `e${i}`,
        time: START + i * 3_600_000,
        version: "1",
        features: { x: 5 + (i % 50) / 50, hour: 3, day: "a" },
        prediction: 1,
      }),
    );
    assert.equal(
      (await call(server, "POST", "/v1/models/m/events", events.join("\n"), "application/x-ndjson")).status,
      200,
    );

    // The jump bound: max(monitor.max_clock_jump = 7 d, 2 windows + lateness = 16 d) past the newest event.
    const newest = START + 39 * 3_600_000;
    const far = await call(
      server,
      "POST",
      "/v1/models/m/clock",
      JSON.stringify({ time: newest + 16 * DAY + 1 }),
    );
    assert.equal(far.status, 400);
    assert.equal(far.body.location?.path ?? far.body.path, "time");
    assert.match(far.body.message, /max_clock_jump/);
    for (const time of ["2012-02-01", "soon", 1e20])
      assert.equal((await call(server, "POST", "/v1/models/m/clock", JSON.stringify({ time }))).status, 400);

    const end = START + WEEK + 2 * DAY; // the window's end plus the lateness: it is final from here
    const moved = await call(
      server,
      "POST",
      "/v1/models/m/clock",
      JSON.stringify({ time: new Date(end).toISOString() }),
    );
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
    assert.deepEqual(moved.body, {
      clock: new Date(end).toISOString(),
      previous: new Date(newest).toISOString(),
    });
    // An earlier time (a retry, say) leaves the clock where it is.
    const back = await call(server, "POST", "/v1/models/m/clock", JSON.stringify({ time: START }));
    assert.equal(back.body.clock, new Date(end).toISOString());

    const check = async (s: RunningServer) => {
      const { windows } = (await call(s, "GET", "/v1/models/m/windows")).body;
      assert.equal(windows.length, 1, "no window was opened for the clock");
      const w = windows[0];
      assert.equal(w.final, true);
      assert.equal(w.events, 40, "exactly the events sent");
      assert.deepEqual(w.drift.untested, ["hour", "day"]);
      assert.deepEqual(
        w.drift.columns.map((c: { column: string }) => c.column),
        ["x"],
        "only the tested feature (no target or prediction without labels and a reference prediction)",
      );
      const report = (await call(s, "GET", `/v1/models/m/windows/${START}/drift?version=1`)).body;
      assert.equal(report.families.feature.tests, 1, "the family counts the tested feature only");
      assert.equal(report.columns[0].severity, "critical");
      const series = (await call(s, "GET", `/v1/models/m/series?from=${START}&to=${START + WEEK}`)).body;
      const matrix = series.drift[0];
      assert.deepEqual(matrix.columns, ["x", "hour", "day"]);
      assert.deepEqual(matrix.cells, [[2], [-1], [-1]], "the calendar rows are shown, not tested");
    };
    await check(server);
    // The clock's advance is in the log: after a restart the window is still final.
    await server.close();
    server = await open();
    await check(server);
  } finally {
    await server.close();
  }
});

test("a wall-clock server refuses to move its clock", async () => {
  const server = await open("wall");
  try {
    await call(
      server,
      "POST",
      "/v1/models",
      JSON.stringify({ name: "w", task: "regression", features: [{ name: "x", type: "numeric" }] }),
    );
    const answer = await call(server, "POST", "/v1/models/w/clock", JSON.stringify({ time: Date.now() }));
    assert.equal(answer.status, 400);
    assert.match(answer.body.message, /wall clock/);
  } finally {
    await server.close();
  }
});
