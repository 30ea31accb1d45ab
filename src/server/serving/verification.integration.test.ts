import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { decodeModel, encodeModel, float32Tensor, tensorToFloat32 } from "../../onnx/index.js";
import { repoPath } from "../../testing/paths.js";
import type { RunningServer } from "../start.js";
import {
  COLUMNS,
  call,
  degradedModel,
  ORIGINAL,
  ok,
  ROWS,
  row,
  servingFixture,
  T0,
} from "./deploy.test.helpers.js";

/**
 * Verification before any traffic (#14): breast_cancer_mlp.onnx in production with its reference rows;
 * a re-encoded copy passes every declared test and rolls out; a degraded copy (weights perturbed)
 * fails golden and agreement, is refused with 422 and gets no request; a copy made sensitive to one
 * feature fails its invariance; the digits MLP registered as a cancer version fails schema.
 */

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-verify-"));
  dirs.push(dir);
  return dir;
};

const REFERENCE = readFileSync(repoPath("data", "breast_cancer", "breast_cancer.csv"), "utf8");

/**
 * The model with the first layer's weights of mean_radius (feature 0) multiplied by 50: the original
 * flips no class when mean_radius moves by half its standard deviation (1.68); this one flips many.
 */
function sensitiveModel(): Uint8Array {
  const model = decodeModel(ORIGINAL);
  model.graph!.initializer = model.graph!.initializer.map((t) => {
    if (t.name !== "0.1.weight") return t;
    const w = tensorToFloat32(t);
    const [rows, cols] = t.dims.map(Number) as [number, number];
    for (let r = 0; r < rows; r++) w[r * cols] = w[r * cols]! * 50;
    return float32Tensor(t.name, [rows, cols], w);
  });
  return encodeModel(model);
}

/** The first 20 rows with their true classes (the original classifies all of them right). */
const golden = Array.from({ length: 20 }, (_, i) => ({
  input: row(i),
  expected: { prediction: String(ROWS[i]![30]) },
}));

const DECLARATION = {
  tests: {
    golden: { rows: golden },
    invariance: [{ name: "radius-shift", feature: "mean_radius", add: 1.5 }],
  },
  metrics: { latency: { budgetMs: 1000, runs: 50 }, agreement: { minAgreement: 0.99 } },
  by: "test",
};

async function withServer(candidate: Uint8Array, work: (server: RunningServer) => Promise<void>) {
  const server = await servingFixture(tempDir(), candidate);
  try {
    await ok(server, "PUT", "/v1/models/cancer/versions/v1/reference", REFERENCE, "text/csv");
    await work(server);
  } finally {
    await server.close();
  }
}

// biome-ignore lint/suspicious/noExplicitAny: answers are read as plain JSON
const byName = (tests: any[], name: string) => tests.find((t) => t.name === name);

test("a good candidate passes every declared test and rolls out; the results are stored with the rollout", async () => {
  await withServer(encodeModel(decodeModel(ORIGINAL)), async (server) => {
    const declared = await ok(server, "PUT", "/v1/models/cancer/verification", DECLARATION);
    assert.equal(declared.declared, true);
    assert.match(declared.by, /^test/);
    const started = await ok(server, "POST", "/v1/models/cancer/rollouts", {
      version: "v2",
      steps: [25, 100],
    });
    assert.equal(started.phase, "canary");
    assert.equal(started.weight, 25);
    const v = started.verification;
    assert.equal(v.outcome, "pass", JSON.stringify(v.tests));
    assert.equal(v.trigger, "rollout");
    assert.equal(v.rollout, started.id);
    assert.equal(v.reference, "v1");
    assert.deepEqual(
      v.tests.map((t: { name: string; outcome: string }) => [t.name, t.outcome]),
      [
        ["schema", "pass"],
        ["golden", "pass"],
        ["invariance:radius-shift", "pass"],
        ["latency", "pass"],
        ["agreement", "pass"],
      ],
    );
    assert.equal(byName(v.tests, "golden").n, 20);
    assert.equal(byName(v.tests, "invariance:radius-shift").n, ROWS.length);
    const latency = byName(v.tests, "latency");
    assert.equal(latency.n, 50);
    assert.ok(latency.figures.p50 > 0 && latency.figures.p50 <= latency.figures.p99, JSON.stringify(latency));
    const agreement = byName(v.tests, "agreement");
    assert.deepEqual([agreement.n, agreement.value, agreement.figures.agreed], [ROWS.length, 1, ROWS.length]);
    const { rollouts } = await ok(server, "GET", "/v1/models/cancer/rollouts");
    assert.equal(rollouts[0].verification.id, v.id);
    const { verifications } = await ok(server, "GET", "/v1/models/cancer/verifications");
    assert.deepEqual(
      verifications.map((r: { id: string }) => r.id),
      [v.id],
    );
  });
});

test("a degraded candidate fails golden and agreement: 422 VERIFICATION_FAILED, it stays candidate, nothing routed", async () => {
  await withServer(degradedModel(), async (server) => {
    await ok(server, "PUT", "/v1/models/cancer/verification", DECLARATION);
    const refused = await call(server, "POST", "/v1/models/cancer/rollouts", { version: "v2", by: "test" });
    assert.equal(refused.status, 422, JSON.stringify(refused.body));
    assert.equal(refused.body.code, "VERIFICATION_FAILED");
    assert.match(refused.body.message, /version "v2" failed verification: golden: \d+ of 20 golden rows/);
    assert.match(
      refused.body.message,
      /agreement: \d+ of 569 rows \(\d+\.\d %\) predict production's class; < 0\.99/,
    );
    const failed = refused.body.problems.map((p: { name: string }) => p.name);
    assert.ok(failed.includes("golden") && failed.includes("agreement"), failed.join());
    const agreement = byName(refused.body.problems, "agreement");
    assert.ok(
      agreement.value < 0.9 && agreement.limit === 0.99 && agreement.n === 569,
      JSON.stringify(agreement),
    );
    // Nothing routed: the state has no rollout, v2 is a candidate, every key gets production.
    const state = await ok(server, "GET", "/v1/models/cancer/deployment");
    assert.equal(state.rollout, null);
    assert.equal(state.stages.v2 ?? "candidate", "candidate");
    for (let i = 0; i < 40; i++) {
      const answer = await ok(server, "POST", "/v1/models/cancer/predict", {
        input: row(i),
        key: `user-${i}`,
        time: T0 + 1000 * (i + 1),
      });
      assert.equal(answer.version, "v1");
    }
    // The refused rollout is recorded, aborted before any traffic, with its verification.
    const { rollouts } = await ok(server, "GET", "/v1/models/cancer/rollouts");
    assert.equal(rollouts.length, 1);
    assert.equal(rollouts[0].phase, "aborted");
    assert.equal(rollouts[0].weight, 0);
    assert.equal(rollouts[0].analyses, 0);
    assert.match(rollouts[0].reason, /^verification failed: golden/);
    assert.equal(rollouts[0].verification.outcome, "fail");
    const { history } = await ok(server, "GET", "/v1/models/cancer/deployment/history");
    assert.equal(history.at(-1).action, "rollout-refused");
    const { verifications } = await ok(server, "GET", "/v1/models/cancer/verifications");
    assert.equal(verifications.length, 1);
    assert.equal(verifications[0].outcome, "fail");
  });
});

test("an invariance check fails on a model made sensitive to the feature, and passes on the original", async () => {
  await withServer(sensitiveModel(), async (server) => {
    await ok(server, "PUT", "/v1/models/cancer/verification", {
      tests: { invariance: [{ name: "radius-shift", feature: "mean_radius", add: 1.5 }] },
    });
    const sensitive = await ok(server, "POST", "/v1/models/cancer/versions/v2/verify", {});
    assert.equal(sensitive.outcome, "fail");
    assert.equal(sensitive.trigger, "command");
    const invariance = byName(sensitive.tests, "invariance:radius-shift");
    assert.equal(invariance.outcome, "fail");
    assert.ok(invariance.figures.violations > 0 && invariance.n === 569, JSON.stringify(invariance));
    assert.match(invariance.reason, /perturbed rows flipped the class/);
    // The same declaration on production's own model: no flip.
    const original = await ok(server, "POST", "/v1/models/cancer/versions/v1/verify", {});
    assert.equal(byName(original.tests, "invariance:radius-shift").outcome, "pass");
    assert.equal(byName(original.tests, "invariance:radius-shift").figures.violations, 0);
    const refused = await call(server, "POST", "/v1/models/cancer/rollouts", { version: "v2" });
    assert.equal(refused.status, 422);
    assert.ok(refused.body.problems.some((p: { name: string }) => p.name === "invariance:radius-shift"));
  });
});

test("without a declaration, schema and agreement run by default; the digits MLP fails schema", async () => {
  await withServer(encodeModel(decodeModel(ORIGINAL)), async (server) => {
    const none = await ok(server, "GET", "/v1/models/cancer/verification");
    assert.deepEqual([none.declared, none.declaration], [false, {}]);
    // Registered with its bytes (the registry does not check the fit; serving and verification do).
    const digits = readFileSync(repoPath("models", "digits_mlp.onnx")).toString("base64");
    await ok(server, "POST", "/v1/models/cancer/versions", { version: "v3", onnx: digits });
    const run = await ok(server, "POST", "/v1/models/cancer/versions/v3/verify", {});
    assert.equal(run.declared, false);
    assert.equal(run.outcome, "fail");
    const schema = byName(run.tests, "schema");
    assert.equal(schema.outcome, "fail");
    assert.match(schema.reason, /shape \[.+, 64\]/);
    assert.equal(byName(run.tests, "agreement").outcome, "skipped");
    assert.match(byName(run.tests, "agreement").reason, /schema is incompatible/);
    const refused = await call(server, "POST", "/v1/models/cancer/rollouts", { version: "v3" });
    assert.equal(refused.status, 422);
    assert.deepEqual(
      refused.body.problems.map((p: { name: string }) => p.name),
      ["schema"],
    );
    // The default on a good candidate: schema and agreement pass, nothing else runs.
    const good = await ok(server, "POST", "/v1/models/cancer/versions/v2/verify", {});
    assert.deepEqual(
      good.tests.map((t: { name: string; outcome: string }) => [t.name, t.outcome]),
      [
        ["schema", "pass"],
        ["agreement", "pass"],
      ],
    );
    assert.equal(byName(good.tests, "agreement").limit, 0.9);
  });
});

test("a bad declaration is a 400 naming the field, and nothing is stored", async () => {
  await withServer(encodeModel(decodeModel(ORIGINAL)), async (server) => {
    const { mean_radius: _dropped, ...lacking } = row(0);
    const cases: Array<[unknown, string]> = [
      [
        { tests: { golden: { rows: [{ input: lacking, expected: { prediction: "1" } }] } } },
        "tests.golden.rows[0].input.mean_radius",
      ],
      [
        { tests: { golden: { rows: [{ input: row(0), expected: { prediction: "7" } }] } } },
        "tests.golden.rows[0].expected.prediction",
      ],
      [{ tests: { golden: { rows: [{ input: row(0), expected: {} }] } } }, "tests.golden.rows[0].expected"],
      [{ tests: { invariance: [{ name: "x", feature: "nope", add: 1 }] } }, "tests.invariance[0].feature"],
      [
        { tests: { invariance: [{ name: "x", feature: "mean_radius", add: 1, values: [2] }] } },
        "tests.invariance[0].add",
      ],
      [
        {
          tests: {
            invariance: [{ name: "x", feature: "mean_radius", add: 1, rows: [{ ...row(0), extra: 1 }] }],
          },
        },
        "tests.invariance[0].rows[0].extra",
      ],
      [{ metrics: { latency: { budgetMs: -1 } } }, "metrics.latency.budgetMs"],
      [{ metrics: { agreement: { maxMeanAbsDiff: 0.1 } } }, "metrics.agreement.maxMeanAbsDiff"],
      [{ tests: { golden: { rows: [] } } }, "tests.golden.rows"],
    ];
    for (const [body, path] of cases) {
      const answer = await call(server, "PUT", "/v1/models/cancer/verification", body);
      assert.equal(answer.status, 400, `${path}: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.code, "REQUEST_INVALID");
      assert.equal(answer.body.location.path, path, JSON.stringify(answer.body));
    }
    const unknown = await call(server, "PUT", "/v1/models/cancer/verification", { tests: { fuzz: true } });
    assert.equal(unknown.status, 400);
    assert.match(unknown.body.message, /fuzz/);
    assert.equal((await ok(server, "GET", "/v1/models/cancer/verification")).declared, false);
    assert.equal(COLUMNS.length, 30);
  });
});
