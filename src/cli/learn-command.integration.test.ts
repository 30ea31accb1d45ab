import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { runCli } from "../testing/cli.js";
import { repoPath } from "../testing/paths.js";
import type { LearnReport } from "./learn-command.js";

const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-learn-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

/**
 * scikit-learn 1.2.1 (Debian python3-sklearn), SGDClassifier(loss="log_loss", penalty="elasticnet",
 * learning_rate="adaptive", eta0=0.01) with partial_fit one row at a time, predict then learn, on
 * data/adult/adult.csv in file order (numeric columns standardised online, text one-hot):
 *   /usr/bin/python3 tools/bench/sklearn_learn.py prequential data/adult/adult.csv income 0.01
 * → {"accuracy": 0.84095882235926, "samples": 30162}. The issue asks for ours to be within 0.5 point.
 */
const SKLEARN_ADULT_ACCURACY = 0.84095882235926;

test("adult in file order with default settings: prequential accuracy within 0.5 point of scikit-learn's SGD", async () => {
  const run = await runCli([
    "learn",
    "--data",
    repoPath("data", "adult", "adult.csv"),
    "--label",
    "income",
    "--format",
    "json",
  ]);
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as LearnReport;
  assert.equal(report.samples, 30162);
  assert.equal(report.metric, "accuracy");
  assert.equal(report.task, "binary");
  assert.deepEqual(report.classes, ["<=50K", ">50K"]);
  assert.ok(report.prequential >= 0.835, `prequential accuracy ${report.prequential}`);
  assert.ok(
    report.prequential >= SKLEARN_ADULT_ACCURACY - 0.005,
    `${report.prequential} vs scikit-learn ${SKLEARN_ADULT_ACCURACY}`,
  );
  // The majority class of adult is <=50K, 75.1%: the baseline the model must beat.
  assert.equal(report.baseline.name, "majority class");
  assert.ok(Math.abs(report.baseline.value - 0.7511) < 1e-4);
  assert.ok(
    report.nonzero_weights > 0 && report.nonzero_weights < report.coordinates - 1,
    "FTRL's L1 zeroes some weights",
  );
  assert.ok(report.throughput_per_s > 0);
  assert.deepEqual(report.categorical, [
    "type_employer",
    "education",
    "marital",
    "occupation",
    "relationship",
    "race",
    "sex",
    "country",
  ]);
});

test("delay, optimizer and elastic-net options reach the learner", async () => {
  const run = await runCli([
    "learn",
    "-d",
    repoPath("data", "adult", "adult.csv"),
    "-l",
    "income",
    "--optimizer",
    "sgd",
    "--alpha",
    "1e-4",
    "--l1-ratio",
    "0.15",
    "--delay",
    "1000",
    "--features",
    "age,education_num,hr_per_week,sex",
    "--categorical",
    "sex",
    "--format",
    "json",
  ]);
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as LearnReport;
  assert.equal(report.learned, 30162 - 1000);
  assert.equal(report.delay, 1000);
  assert.deepEqual(report.numeric, ["age", "education_num", "hr_per_week"]);
  assert.deepEqual(report.categorical, ["sex"]);
  assert.equal(report.optimizer.kind, "sgd");
  assert.ok(Math.abs(report.optimizer.l1 - 1.5e-5) < 1e-18 && Math.abs(report.optimizer.l2 - 8.5e-5) < 1e-18);
});

test("regression reports MAE beside the mean baseline", async () => {
  const stream = file(
    "reg.csv",
    `x,y\n${Array.from({ length: 2000 }, (_, i) => `${i % 10},${(i % 10) * 0.3 + 1}`).join("\n")}\n`,
  );
  const run = await runCli(["learn", "-d", stream, "-l", "y", "--format", "json"]);
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as LearnReport;
  assert.equal(report.task, "regression");
  assert.equal(report.metric, "mae");
  assert.equal(report.baseline.name, "mean");
  assert.ok(report.prequential < report.baseline.value, JSON.stringify(report));
});

test("bad input exits 2 with the line and column: missing label column, a third class, text in a numeric feature, a missing label", async () => {
  const good = "a,b,y\n1,x,yes\n2,y,no\n";
  const noLabel = await runCli(["learn", "-d", file("g.csv", good), "-l", "target"]);
  assert.equal(noLabel.code, 2);
  assert.match(noLabel.stderr, /INPUT_COLUMN_MISSING/);
  assert.match(noLabel.stderr, /target/);

  const third = await runCli([
    "learn",
    "-d",
    file("t.csv", "a,y\n1,yes\n2,no\n3,maybe\n4,no\n"),
    "-l",
    "y",
    "--task",
    "binary",
  ]);
  assert.equal(third.code, 2);
  assert.match(third.stderr, /INPUT_BAD_LABEL/);
  assert.match(third.stderr, /t\.csv:4/);
  assert.match(third.stderr, /maybe/);

  const text = await runCli([
    "learn",
    "-d",
    file("n.csv", "a,b,y\n1,x,yes\n2,y,no\nabc,x,no\n"),
    "-l",
    "y",
    "--features",
    "a,b",
    "--categorical",
    "b",
  ]);
  assert.equal(text.code, 2);
  assert.match(text.stderr, /INPUT_NOT_NUMERIC/);
  assert.match(text.stderr, /n\.csv:4/);
  assert.match(text.stderr, /"a"|column a|a:/);

  const regression = await runCli([
    "learn",
    "-d",
    file("r.csv", "a,y\n1,2.5\n2,oops\n"),
    "-l",
    "y",
    "--task",
    "regression",
  ]);
  assert.equal(regression.code, 2);
  assert.match(regression.stderr, /INPUT_NOT_NUMERIC/);
  assert.match(regression.stderr, /r\.csv:3/);

  const missing = await runCli(["learn", "-d", file("m.csv", "a,y\n1,yes\n2,\n3,no\n"), "-l", "y"]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /INPUT_BAD_LABEL/);
  assert.match(missing.stderr, /m\.csv:3/);

  const usage = await runCli(["learn", "-d", file("u.csv", good), "-l", "y", "--optimizer", "adam"]);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /--optimizer/);
});
