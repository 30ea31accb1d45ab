import assert from "node:assert/strict";
import { test } from "node:test";
import { readTable } from "../data/index.js";
import { analyzeDrift } from "../drift/index.js";
import { repoPath } from "../testing/paths.js";
import { analyzeFilesParallel } from "./analyze-parallel.js";
import { WorkerPool } from "./pool.js";

const ref = repoPath("data", "bike", "bike_2011.csv");
const cur = repoPath("data", "bike", "bike_2012.csv");

test("the parallel run gives exactly the in-thread report", async () => {
  const selection = { target: "cnt", categorical: ["weekday"] };
  const inThread = analyzeDrift(
    await readTable(ref, { text: new Set(["weekday"]) }),
    await readTable(cur, { text: new Set(["weekday"]) }),
    selection,
    {
      correction: "holm",
    },
  );
  const parallel = await analyzeFilesParallel(ref, cur, { selection, drift: { correction: "holm" } });
  assert.deepEqual(parallel, inThread);
  assert.equal(parallel.columns.find((c) => c.column === "weekday")?.type, "categorical");
});

test("an input error inside a worker arrives as the same TikTokToeError, and a shared pool survives it", async () => {
  const pool = new WorkerPool(2);
  try {
    await assert.rejects(analyzeFilesParallel(ref, repoPath("data", "bike", "missing.csv"), { pool }), {
      name: "TikTokToeError",
      code: "INPUT_NOT_FOUND",
    });
    const report = await analyzeFilesParallel(ref, cur, { pool, selection: { columns: ["temp", "hum"] } });
    assert.deepEqual(
      report.columns.map((c) => c.column),
      ["temp", "hum"],
    );
  } finally {
    await pool.close();
  }
});

test("a claimable read runs in the worker only when no other thread has claimed the file", async () => {
  const pool = new WorkerPool(1);
  try {
    const taken = new SharedArrayBuffer(4);
    new Int32Array(taken)[0] = 2;
    assert.equal(await pool.run("read", { file: cur, options: {}, claim: taken }), null);
    const free = new SharedArrayBuffer(4);
    const table = await pool.run<{ rowCount: number }>("read", { file: cur, options: {}, claim: free });
    assert.equal(table.rowCount, (await readTable(cur)).rowCount);
    assert.equal(new Int32Array(free)[0], 1);
  } finally {
    await pool.close();
  }
});
