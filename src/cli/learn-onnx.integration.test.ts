import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { openSession } from "../onnx/runtime.js";
import { runCli } from "../testing/cli.js";
import { repoPath } from "../testing/paths.js";
import type { LearnOnnxReport } from "./learn-onnx.js";

const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-learn-onnx-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const BIKE_FEATURES = "season,mnth,hr,holiday,weekday,workingday,weathersit,temp,atemp,hum,windspeed";
const bike2012 = repoPath("data", "bike", "bike_2012.csv");

test("learn --onnx fine-tunes the 2011 bike model on 2012 and writes a model that errs less on the held-out tail", async () => {
  const out = join(dir, "bike_v2.onnx");
  const run = await runCli([
    "learn",
    "--data",
    bike2012,
    "--label",
    "cnt",
    "--onnx",
    repoPath("models", "bike_mlp.onnx"),
    "--features",
    BIKE_FEATURES,
    "--out",
    out,
    "--format",
    "json",
  ]);
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as LearnOnnxReport;
  assert.equal(report.metric, "mae");
  assert.equal(report.rows, 8734);
  assert.equal(report.holdout_rows, Math.floor(8734 * 0.2));
  assert.ok(report.after < 0.8 * report.before, `MAE ${report.before} → ${report.after}`);
  // The written file is the model that was judged: its MAE on the tail, measured here, is the report's.
  const lines = readFileSync(bike2012, "utf8").trim().split("\n");
  const header = lines[0]!.split(",");
  const at = BIKE_FEATURES.split(",").map((c) => header.indexOf(c));
  const tail = lines.slice(1 + report.trained_rows).map((line) => line.split(",").map(Number));
  const data = Float32Array.from(tail.flatMap((v) => at.map((i) => v[i]!)));
  const session = await openSession(new Uint8Array(readFileSync(out)));
  try {
    const result = await session.run({ features: { data, dims: [tail.length, 11] } });
    const predicted = result.cnt!.data as Float32Array;
    const cnt = header.indexOf("cnt");
    const mae = tail.reduce((s, v, r) => s + Math.abs(predicted[r]! - v[cnt]!), 0) / tail.length;
    assert.ok(Math.abs(mae - report.after) < 1e-9 * mae, `${mae} vs ${report.after}`);
  } finally {
    await session.release();
  }
});

test("learn --onnx exits 2 with a stable code on bad input, and writes nothing", async () => {
  const out = join(dir, "never.onnx");
  const bike = repoPath("models", "bike_mlp.onnx");
  const missing = join(dir, "missing.csv");
  const text = readFileSync(bike2012, "utf8").split("\n").slice(0, 50);
  // Row 10 of the file (line 10) loses its temperature.
  text[9] = text[9]!.replace(/^((?:[^,]*,){7})[^,]*/, "$1");
  writeFileSync(missing, `${text.join("\n")}\n`);
  const cases: [string[], string, RegExp?][] = [
    [
      ["-d", bike2012, "-l", "cnt", "--onnx", repoPath("models", "digits_cnn.onnx")],
      "ONNX_UNSUPPORTED",
      /Conv/,
    ],
    [["-d", bike2012, "-l", "cnt", "--onnx", bike], "USAGE", /11 inputs but 13/],
    [["-d", missing, "-l", "cnt", "--onnx", bike, "--features", BIKE_FEATURES], "INPUT_NOT_NUMERIC", /:10/],
    [
      [
        "-d",
        repoPath("data", "bike", "bike_2012.csv"),
        "-l",
        "weathersit",
        "--onnx",
        repoPath("models", "breast_cancer_mlp.onnx"),
      ],
      "USAGE",
      /30 inputs/,
    ],
    [["-d", bike2012, "-l", "cnt", "--onnx", join(dir, "nope.onnx")], "INPUT_NOT_FOUND"],
    [["-d", bike2012, "-l", "cnt", "--epochs", "3"], "USAGE", /--onnx/],
    [["-d", bike2012, "-l", "cnt", "--onnx", bike, "--delay", "3"], "USAGE", /linear learner/],
    [
      ["-d", bike2012, "-l", "cnt", "--onnx", bike, "--features", BIKE_FEATURES, "--rate", "0"],
      "USAGE",
      /--rate/,
    ],
  ];
  for (const [args, code, message] of cases) {
    const run = await runCli(["learn", ...args, "--out", out]);
    assert.equal(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
    assert.ok(run.stderr.includes(code), `${args.join(" ")}: ${run.stderr}`);
    if (message !== undefined) assert.match(run.stderr, message);
  }
  assert.equal(existsSync(out), false);
});

test("learn --onnx reads class indices for a classifier and refuses a label that is not one", async () => {
  const csv = readFileSync(repoPath("data", "breast_cancer", "breast_cancer.csv"), "utf8")
    .trim()
    .split("\n");
  const bad = join(dir, "bad_label.csv");
  csv[5] = csv[5]!.replace(/,[^,]*$/, ",2");
  writeFileSync(bad, `${csv.join("\n")}\n`);
  const model = repoPath("models", "breast_cancer_mlp.onnx");
  const run = await runCli(["learn", "-d", bad, "-l", "target", "--onnx", model]);
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /INPUT_BAD_LABEL/);
  assert.match(run.stderr, /:6/);
  const good = await runCli([
    "learn",
    "-d",
    repoPath("data", "breast_cancer", "breast_cancer.csv"),
    "-l",
    "target",
    "--onnx",
    model,
    "--format",
    "json",
  ]);
  assert.equal(good.code, 0, good.stderr);
  const report = JSON.parse(good.stdout) as LearnOnnxReport;
  assert.equal(report.metric, "accuracy");
  assert.equal(report.head, "softmax");
  assert.ok(report.after >= 0.95, `accuracy ${report.before} → ${report.after}`);
});
