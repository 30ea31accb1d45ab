import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import {
  defaultOptimizer,
  type EncodedBatch,
  FeatureEncoder,
  type LearnRowsKernel,
  type LearnTask,
  OnlineLinearModel,
  type OptimizerKind,
  useLearnKernel,
} from "../learn/index.js";
import { repoPath } from "../testing/paths.js";
import { seededRandom } from "../testing/random.js";
import { loadNativeExp, loadNativeLearnKernel, nativeKernelStatus } from "./native.js";

// The native update loop (native/learn.c) must make the JavaScript loop's model bit for bit, at
// every cut of the stream. When the addon is not built these tests skip; a built addon that fails
// to load is an error (native.test.ts).
const status = nativeKernelStatus();
const kernel = loadNativeLearnKernel();
const skip = kernel === null && !status.loaded ? status.reason : false;

function native(): LearnRowsKernel {
  if (kernel === null) throw new Error("native learn kernel not loaded");
  return kernel;
}

test("the addon's fdlibm exp gives Math.exp's bits (the sigmoid's exp)", { skip }, () => {
  const exp = loadNativeExp();
  assert.ok(exp !== null);
  const rng = seededRandom(15);
  const special = [
    0,
    -0,
    1,
    -1,
    0.5,
    -0.5,
    2 ** -28,
    -(2 ** -28),
    2 ** -29,
    1e-300,
    0.34657359027997264,
    0.3465735902799727,
    1.0397207708399179,
    1.039720770839918,
    709.782712893384,
    709.79,
    -745.1332191019411,
    -745.2,
    -708.4,
    -720,
    1e308,
    -1e308,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    Number.NaN,
  ];
  const n = 400_000;
  const values = new Float64Array(n + special.length);
  values.set(special);
  for (let i = special.length; i < values.length; i++) {
    // Margins as the learner sees them (mostly small), and the whole range where exp is finite.
    const u = rng.uniform() - 0.5;
    values[i] = i % 4 === 0 ? u * 1500 : i % 4 === 1 ? u * 40 : i % 4 === 2 ? u * 2 : u * 1e-6;
  }
  const out = new Float64Array(values.length);
  exp!(values, out);
  for (let i = 0; i < values.length; i++)
    if (!Object.is(out[i], Math.exp(values[i]!)))
      assert.fail(`exp(${values[i]}): native ${out[i]}, Math.exp ${Math.exp(values[i]!)}`);
});

const spec = { numeric: ["x1", "x2", "x3", "x4"], categorical: ["c"], hashed: ["h"], hashBuckets: 4 };

/**
 * Numeric columns on very different scales (one with 8 % missing, one constant for a while), one-hot
 * values appearing as the stream goes, hashed values colliding in 4 buckets, weights including 0, and
 * strong signals so the margins reach the sigmoid's tails.
 */
function stream(
  task: LearnTask,
  n: number,
  seed: number,
  scale = 1e4,
): { batch: EncodedBatch; encoder: FeatureEncoder } {
  const rng = seededRandom(seed);
  const encoder = new FeatureEncoder(spec);
  const numeric = new Float64Array(n * 4);
  const slots = new Int32Array(n * 2);
  const labels = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const x = [
      (rng.normal() + 3) * scale,
      rng.normal() * 1e-3,
      rng.uniform() < 0.08 ? Number.NaN : rng.normal() * 5,
      r < 50 ? 7 : rng.normal(),
    ];
    const c = rng.uniform() < 0.05 ? null : `v${Math.floor(rng.uniform() * Math.min(12, 2 + r / 40))}`;
    encoder.encode(
      { x1: x[0]!, x2: x[1]!, x3: x[2]!, x4: x[3]!, c, h: `k${Math.floor(rng.uniform() * 30)}` },
      numeric,
      r * 4,
      slots,
      r * 2,
      true,
    );
    const signal =
      8 * (x[0]! / scale - 3) + 3000 * x[1]! + (Number.isNaN(x[2]!) ? 0 : x[2]!) + (c === "v1" ? 6 : 0);
    labels[r] = task === "regression" ? signal * 40 + 500 + rng.normal() : signal + rng.normal() > 0 ? 1 : 0;
    weights[r] = r % 17 === 0 ? 0 : 0.25 + 2 * rng.uniform();
  }
  return { batch: { size: n, numeric, slots, labels, weights }, encoder };
}

function fresh(task: LearnTask, kind: OptimizerKind, encoder: FeatureEncoder, standardize: boolean) {
  return new OnlineLinearModel(
    {
      task,
      features: spec,
      ...(task === "binary" ? { classes: ["0", "1"] } : {}),
      optimizer: defaultOptimizer(kind),
      standardize,
    },
    FeatureEncoder.fromJSON(encoder.toJSON()),
  );
}

function slice(batch: EncodedBatch, from: number, to: number): EncodedBatch {
  return {
    size: to - from,
    numeric: batch.numeric.subarray(from * 4, to * 4),
    slots: batch.slots.subarray(from * 2, to * 2),
    labels: batch.labels.subarray(from, to),
    weights: batch.weights!.subarray(from, to),
  };
}

/** Runs `body` with `k` installed as this thread's learn kernel (null: JavaScript), then removes it. */
function withKernel<T>(k: LearnRowsKernel | null, body: () => T): T {
  useLearnKernel(k);
  try {
    return body();
  } finally {
    useLearnKernel(null);
  }
}

for (const task of ["binary", "regression"] as const)
  for (const kind of ["ftrl", "adagrad", "sgd"] as const)
    for (const standardize of [true, false])
      test(`${task} ${kind}${standardize ? "" : " (not standardised)"}: the native loop makes the JavaScript loop's model bit for bit, per sample and in batches`, {
        skip,
      }, () => {
        const n = 1500;
        // Unstandardised, a column in the tens of thousands makes plain SGD diverge: scale it down there.
        const { batch, encoder } = stream(task, n, task === "binary" ? 21 : 22, standardize ? 1e4 : 1);
        const reference = withKernel(null, () => {
          const model = fresh(task, kind, encoder, standardize);
          for (let r = 0; r < n; r++)
            model.learnEncoded(
              batch.numeric,
              r * 4,
              batch.slots,
              r * 2,
              batch.labels[r]!,
              batch.weights![r]!,
            );
          return model;
        });
        const perSample = withKernel(native(), () => {
          const model = fresh(task, kind, encoder, standardize);
          for (let r = 0; r < n; r++)
            model.learnEncoded(
              batch.numeric,
              r * 4,
              batch.slots,
              r * 2,
              batch.labels[r]!,
              batch.weights![r]!,
            );
          return model;
        });
        const batched = withKernel(native(), () => {
          const model = fresh(task, kind, encoder, standardize);
          const cuts = [0, 1, 2, 35, 290, 291, 1024, n];
          for (let i = 0; i + 1 < cuts.length; i++) model.update(slice(batch, cuts[i]!, cuts[i + 1]!));
          return model;
        });
        const expected = reference.toJSON();
        assert.deepEqual(perSample.toJSON(), expected);
        assert.deepEqual(batched.toJSON(), expected);
        assert.equal(reference.updateCount, n - Math.ceil(n / 17));
        // A model that learned something, not one gone to NaN or left at 0.
        const { coef } = reference.weights();
        assert.ok(coef.every(Number.isFinite) && coef.filter((v) => v !== 0).length >= 10);
        // The caches derived from the state (FTRL's w and √n, 1/sd) match too: the same predictions.
        const width = task === "regression" ? 1 : 2;
        for (let r = 0; r < n; r += 97) {
          const a = new Float64Array(width);
          const b = new Float64Array(width);
          reference.predictEncoded(batch.numeric, r * 4, batch.slots, r * 2, a);
          batched.predictEncoded(batch.numeric, r * 4, batch.slots, r * 2, b);
          assert.deepEqual(b, a);
        }
      });

test("a restored model keeps learning natively as the JavaScript loop does", { skip }, () => {
  const { batch, encoder } = stream("binary", 600, 23);
  const js = withKernel(null, () => {
    const model = fresh("binary", "ftrl", encoder, true);
    model.update(slice(batch, 0, 300));
    const restored = OnlineLinearModel.fromJSON(JSON.parse(JSON.stringify(model.toJSON())));
    restored.update(slice(batch, 300, 600));
    return restored;
  });
  const compiled = withKernel(native(), () => {
    const model = fresh("binary", "ftrl", encoder, true);
    model.update(slice(batch, 0, 300));
    const restored = OnlineLinearModel.fromJSON(JSON.parse(JSON.stringify(model.toJSON())));
    restored.update(slice(batch, 300, 600));
    return restored;
  });
  assert.deepEqual(compiled.toJSON(), js.toJSON());
});

test("the native loop refuses arrays shorter than its sizes say, before writing anything", { skip }, () => {
  const k = native();
  const io = new Float64Array(21);
  io.set([0, 0, 1, 3, 0, 16, 4, 0.1, 1, 1, 1]);
  io[16] = 2; // rows
  io[20] = 1; // weight
  const state = new Float64Array(4 * 3 + 4 * 16);
  const before = state.slice();
  assert.throws(() => k(state, io, new Float64Array(5), new Int32Array(0), null, null), RangeError);
  assert.throws(
    () => k(state.subarray(0, 20), io, new Float64Array(6), new Int32Array(0), null, null),
    RangeError,
  );
  assert.throws(
    () => k(state, io, new Float64Array(6), new Int32Array(0), new Float64Array(1), null),
    RangeError,
  );
  io[6] = 17; // more coordinates than room
  assert.throws(() => k(state, io, new Float64Array(6), new Int32Array(0), null, null), RangeError);
  assert.deepEqual(state, before);
});

test("TIKTOKTOE_NATIVE=0 leaves the JavaScript loop, and `tiktoktoe learn` reports the same either way", {
  skip,
}, () => {
  const off = spawnSync(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      `import { loadNativeLearnKernel } from ${JSON.stringify(repoPath("dist", "parallel", "native.js"))};
       console.log(loadNativeLearnKernel() === null);`,
    ],
    { env: { ...process.env, TIKTOKTOE_NATIVE: "0" }, encoding: "utf8" },
  );
  assert.equal(off.status, 0, off.stderr);
  assert.equal(off.stdout.trim(), "true");
  const learn = (native: string, optimizer: string) => {
    const run = spawnSync(
      process.execPath,
      [
        repoPath("dist", "cli", "bin.js"),
        "learn",
        "--data",
        repoPath("data", "adult", "adult.csv"),
        "--label",
        "income",
        "--optimizer",
        optimizer,
        "--format",
        "json",
      ],
      { env: { ...process.env, TIKTOKTOE_NATIVE: native }, encoding: "utf8", maxBuffer: 1 << 24 },
    );
    assert.equal(run.status, 0, run.stderr);
    const { throughput_per_s: _, ...report } = JSON.parse(run.stdout) as Record<string, unknown>;
    return report;
  };
  for (const optimizer of ["ftrl", "sgd"]) assert.deepEqual(learn("1", optimizer), learn("0", optimizer));
});
