import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { CandidateEntry, OptimizationReport } from "../optimizer/index.js";
import { runCli } from "../testing/cli.js";
import { repoPath } from "../testing/paths.js";
import { deployChosen } from "./optimize-deploy.js";

const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-optimize-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const mlp = repoPath("models", "digits_mlp.onnx");
const digits = repoPath("data", "digits", "digits.csv");
const digitsArgs = ["--data", digits, "--label", "target", "--input-scale", "0.0625"];
const fast = ["--folds", "3", "--runs", "5"];

async function jsonReport(args: string[]): Promise<OptimizationReport> {
  const run = await runCli(["optimize", ...args, "--format", "json"]);
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as OptimizationReport;
}

const contractFields = [
  "technique",
  "path",
  "accuracy",
  "accuracy_drop",
  "latency_ms",
  "speedup",
  "size_bytes",
  "accepted",
  "reasons",
  "score",
];

test("--techniques none: the JSON contract with the baseline only", async () => {
  const report = await jsonReport([mlp, ...digitsArgs, ...fast, "--techniques", "none"]);
  assert.equal(report.rows, 1797);
  assert.equal(report.metric, "accuracy");
  assert.deepEqual(report.input, { name: "input", shape: [-1, 64], features: 64 });
  assert.equal(report.baseline.technique, "baseline");
  assert.equal(report.baseline.path, mlp);
  assert.ok(report.baseline.accuracy > 0.97);
  for (const batch of ["batch_1", "batch_64"]) {
    const l = report.baseline.latency_ms[batch]!;
    assert.ok(l.p50 > 0 && l.p99 >= l.p50, batch);
    assert.equal(l.runs, 25);
  }
  assert.equal(report.baseline.size_bytes, readFileSync(mlp).length);
  assert.deepEqual(report.candidates, []);
  assert.deepEqual(report.skipped, []);
  assert.equal(report.chosen, null);
  assert.match(report.cpu.int8, /\(.*\)/);
  assert.equal(report.latency_settings.threads, 1);
});

test("a named technique is a candidate with the contract's fields, or skipped as not in this build", async () => {
  const out = join(dir, "quantize");
  const report = await jsonReport([mlp, ...digitsArgs, ...fast, "--techniques", "quantize", "--out", out]);
  if (report.candidates.length === 0)
    assert.deepEqual(report.skipped, [{ technique: "quantize", reason: "not available in this build" }]);
  for (const c of report.candidates) {
    for (const field of contractFields) assert.ok(field in c, field);
    assert.ok(existsSync(c.path!));
  }
  assert.deepEqual(JSON.parse(readFileSync(join(out, "report.json"), "utf8")), report);
  assert.match(readFileSync(join(out, "report.md"), "utf8"), /^# Optimization report/);
});

test("digits_cnn's [batch, 1, 8, 8] input is filled from 64 columns", async () => {
  const report = await jsonReport([
    repoPath("models", "digits_cnn.onnx"),
    ...digitsArgs,
    ...fast,
    "--techniques",
    "none",
  ]);
  assert.deepEqual(report.input, { name: "image", shape: [-1, 1, 8, 8], features: 64 });
  assert.ok(report.baseline.accuracy > 0.97);
});

test("a regression is scored by MAE: bike_mlp's on 2011 is models.json's 23.55", async () => {
  const report = await jsonReport([
    repoPath("models", "bike_mlp.onnx"),
    "--data",
    repoPath("data", "bike", "bike_2011.csv"),
    "--label",
    "cnt",
    "--features",
    "season,mnth,hr,holiday,weekday,workingday,weathersit,temp,atemp,hum,windspeed",
    ...fast,
    "--techniques",
    "none",
  ]);
  assert.equal(report.task, "regression");
  assert.equal(report.metric, "mae");
  assert.ok(Math.abs(report.baseline.accuracy - 23.5503) < 0.01, String(report.baseline.accuracy));
});

test("the table names the CPU, the rules and why nothing was chosen", async () => {
  const run = await runCli([
    "optimize",
    mlp,
    ...digitsArgs,
    ...fast,
    "--techniques",
    "none",
    "--format",
    "table",
  ]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /CPU: /);
  assert.match(run.stdout, /latency improvement ≥ 20%/);
  assert.match(run.stdout, /Chosen: none/);
  const failing = await runCli([
    "optimize",
    mlp,
    ...digitsArgs,
    ...fast,
    "--techniques",
    "none",
    "--fail-if-none",
  ]);
  assert.equal(failing.code, 1);
});

const badInputs: { name: string; args: string[]; code: string; message: RegExp }[] = [
  {
    name: "a non-ONNX file",
    args: [digits, ...digitsArgs],
    code: "ONNX_INVALID",
    message: /ONNX/,
  },
  {
    name: "a missing model file",
    args: [join(dir, "nope.onnx"), ...digitsArgs],
    code: "INPUT_NOT_FOUND",
    message: /nope\.onnx.*no such file/,
  },
  {
    name: "a missing label column",
    args: [mlp, "--data", digits, "--label", "targt"],
    code: "INPUT_COLUMN_MISSING",
    message: /column "targt" \(from --label\) is not in .*digits\.csv; did you mean "target"\?/,
  },
  {
    name: "more columns than the input takes",
    args: [
      repoPath("models", "bike_mlp.onnx"),
      "--data",
      repoPath("data", "bike", "bike_2011.csv"),
      "--label",
      "cnt",
    ],
    code: "USAGE",
    message:
      /bike_2011\.csv has 13 feature columns \(every column but the label "cnt"\) but the model's input "features" \[batch, 11\] takes 11 per row[\s\S]*hint: name the 11 columns/,
  },
  {
    name: "an unknown technique",
    args: [mlp, ...digitsArgs, "--techniques", "quantise"],
    code: "USAGE",
    message: /unknown technique "quantise"; known: quantize, prune, prune-structured, distill/,
  },
  {
    name: "a missing --label",
    args: [mlp, "--data", digits],
    code: "USAGE",
    message: /--label/,
  },
  {
    name: "a bad --sparsity",
    args: [mlp, ...digitsArgs, "--sparsity", "1.5"],
    code: "USAGE",
    message: /--sparsity must be a number in \(0, 1\)/,
  },
  {
    name: "--deploy without --out",
    args: [mlp, ...digitsArgs, "--deploy", "digits", "--server", "http://127.0.0.1:1"],
    code: "USAGE",
    message: /--deploy needs --out DIR/,
  },
  {
    name: "a served version on a server that does not answer",
    args: ["--server", "http://127.0.0.1:1", "--model", "digits"],
    code: "USAGE",
    message: /cannot reach http:\/\/127\.0\.0\.1:1/,
  },
  {
    name: "a served version and a model file",
    args: [mlp, "--server", "http://127.0.0.1:1", "--model", "digits"],
    code: "USAGE",
    message: /give either MODEL\.onnx or --server URL --model NAME, not both/,
  },
  {
    name: "--model with --data",
    args: ["--server", "http://127.0.0.1:1", "--model", "digits", "--data", digits],
    code: "USAGE",
    message: /--data is not used with --model/,
  },
  {
    name: "--model without --server",
    args: ["--model", "digits"],
    code: "USAGE",
    message: /--model NAME needs --server URL/,
  },
  {
    name: "--version without --model",
    args: [mlp, ...digitsArgs, "--version", "1"],
    code: "USAGE",
    message: /--version is used with --server URL --model NAME/,
  },
];

for (const bad of badInputs)
  test(`bad input exits 2 with a precise message: ${bad.name}`, async () => {
    const run = await runCli(["optimize", ...bad.args, "--format", "json"]);
    assert.equal(run.code, 2, run.stderr);
    assert.equal(run.stdout, "");
    assert.match(run.stderr, new RegExp(`error ${bad.code}: `));
    assert.match(run.stderr, bad.message);
  });

test("a label that is not a class index names its line", async () => {
  const lines = readFileSync(digits, "utf8").split("\n");
  lines[3] = lines[3]!.replace(/,\d+$/, ",12");
  const file = join(dir, "bad_label.csv");
  writeFileSync(file, lines.join("\n"));
  const run = await runCli(["optimize", mlp, "--data", file, "--label", "target"]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /bad_label\.csv:4, column "target": label 12 is not a class index in \[0, 10\)/);
});

test("--deploy with nothing accepted sends nothing and exits 1, the report still written", async () => {
  let requests = 0;
  const server = createServer((_request, response) => {
    requests += 1;
    response.writeHead(201).end("{}");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const out = join(dir, "deploy");
    const run = await runCli([
      "optimize",
      mlp,
      ...digitsArgs,
      ...fast,
      "--techniques",
      "none",
      "--out",
      out,
      "--deploy",
      "digits",
      "--server",
      url,
    ]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /nothing deployed to .*: no candidate passed the acceptance rules/);
    assert.equal(requests, 0);
    assert.ok(existsSync(join(out, "report.json")));
  } finally {
    server.close();
  }
});

test("optimize --help shows the options and examples; main help lists the command", async () => {
  const help = await runCli(["optimize", "--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--techniques LIST/);
  assert.match(help.stdout, /--input-scale K/);
  assert.match(help.stdout, /Examples:\n {2}tiktoktoe optimize models\/digits_mlp\.onnx/);
  const main = await runCli(["--help"]);
  assert.match(main.stdout, /optimize +make a model cheaper/);
});

test("deployChosen registers the candidate with its report link; a refusal is reported", async () => {
  const seen: { url: string; auth: string | undefined; body: Record<string, unknown> }[] = [];
  let status = 201;
  const server = createServer((request, response) => {
    let text = "";
    request.on("data", (chunk: Buffer) => {
      text += chunk.toString("utf8");
    });
    request.on("end", () => {
      seen.push({ url: request.url ?? "", auth: request.headers.authorization, body: JSON.parse(text) });
      response
        .writeHead(status, { "content-type": "application/json" })
        .end(status === 201 ? "{}" : JSON.stringify({ code: "STORE_CONFLICT", message: "version exists" }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const path = join(dir, "chosen.onnx");
    writeFileSync(path, Uint8Array.of(1, 2, 3));
    const chosen = {
      id: "quantize",
      technique: "quantize",
      label: "int8",
      path,
      accuracy: 0.99,
      accuracy_drop: 0.001,
      speedup: 2,
      size_bytes: 3,
    } as unknown as CandidateEntry;
    const report = {
      candidates: [chosen],
      chosen: path,
      chosen_id: "quantize",
    } as unknown as OptimizationReport;
    const stderr: string[] = [];
    const io = { stdout: { write: () => true }, stderr: { write: (t: string) => stderr.push(t) }, env: {} };
    const deploy = { model: "digits", server: url, version: undefined, token: "s3cret" };
    assert.equal(await deployChosen(report, deploy, "digits_mlp.onnx", "/abs/report.json", io), true);
    const sent = seen[0]!;
    assert.equal(sent.url, "/v1/models/digits/versions");
    assert.equal(sent.auth, "Bearer s3cret");
    assert.match(String(sent.body.version), /^quantize-[0-9a-f]{12}$/);
    assert.equal(sent.body.onnx, "AQID");
    assert.deepEqual(sent.body.meta, {
      optimized_from: "digits_mlp.onnx",
      technique: "quantize",
      label: "int8",
      report: "/abs/report.json",
      accuracy: 0.99,
      accuracy_drop: 0.001,
      speedup: 2,
      size_bytes: 3,
    });
    status = 409;
    assert.equal(
      await deployChosen(
        report,
        { ...deploy, version: "v2" },
        "models/digits_mlp.onnx",
        "/abs/report.json",
        io,
      ),
      false,
    );
    assert.match(
      stderr.join(""),
      /refused version "v2" of "digits" \(HTTP 409\): STORE_CONFLICT version exists/,
    );
  } finally {
    server.close();
  }
});
