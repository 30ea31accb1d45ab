import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { analyzeDrift, type InputColumn, type InputTable } from "../drift/index.js";
import { type NativeKernels, useNativeKernels } from "../stats/kernels.js";
import { sortedFinite } from "../stats/sort.js";
import { ksWassersteinSorted } from "../stats/two-sample.js";
import { closeTo, loadScipyDriftCases } from "../testing/golden.js";
import { repoPath } from "../testing/paths.js";
import { seededRandom } from "../testing/random.js";
import { analyzeTablesParallel } from "./analyze-parallel.js";
import { loadNativeKernels, nativeKernelStatus } from "./native.js";
import { WorkerPool } from "./pool.js";

// The native kernels (native/, built by `npm run build` when a C compiler is there) must give exactly
// the JavaScript kernels' bits. Each test calls both directly; when the addon is not built they skip,
// but an addon that is built and fails to load is an error.
const status = nativeKernelStatus();
const native = loadNativeKernels();
const skip = native === null && !status.loaded && !status.reason.startsWith("failed") ? status.reason : false;

test("the native addon loads when it was built", { skip }, () => {
  assert.ok(status.loaded, status.loaded ? "" : status.reason);
  assert.equal(typeof native?.sortFinite, "function");
});

function kernels(): NativeKernels {
  if (native === null) throw new Error("native kernels not loaded");
  return native;
}

/** Asserts two arrays hold the same bits (so -0 differs from 0 and NaN payloads count). */
function sameBits(actual: Float64Array, expected: Float64Array, label: string): void {
  assert.equal(actual.length, expected.length, `${label}: length`);
  const a = Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength);
  const e = Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength);
  if (a.equals(e)) return;
  const index = actual.findIndex((v, i) => !Object.is(v, expected[i]));
  assert.fail(`${label}: index ${index}: ${actual[index]} vs ${expected[index]}`);
}

/** Sets raw bit patterns (NaN payloads, signalling NaN, negative NaN) without going through a number. */
function withBits(values: Float64Array, patterns: readonly bigint[], every: number): Float64Array {
  const view = new DataView(values.buffer, values.byteOffset, values.byteLength);
  for (let i = 0, p = 0; i < values.length; i += every, p++)
    view.setBigUint64(i * 8, patterns[p % patterns.length]!, true);
  return values;
}

function shuffled(values: Float64Array, rng: ReturnType<typeof seededRandom>): Float64Array {
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [values[i], values[j]] = [values[j]!, values[i]!];
  }
  return values;
}

function sortCases(): Array<{ name: string; values: Float64Array }> {
  const rng = seededRandom(2027);
  const n = 50_000;
  const specials = [0, -0, 5e-324, -5e-324, 2.2e-308, -2.2e-308, Number.MAX_VALUE, -Number.MAX_VALUE];
  const cases = [
    {
      name: "NaN of every kind, -0/+0, ±Infinity, subnormals and extremes among normals",
      values: withBits(
        Float64Array.from({ length: n }, (_, i) => {
          const r = rng.uniform();
          if (r < 0.05) return specials[i % specials.length]!;
          if (r < 0.08) return i % 2 === 0 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
          if (r < 0.15) return rng.uniform() * 2 ** -1060 * (i % 2 === 0 ? 1 : -1); // subnormals
          return rng.normal() * 10 ** Math.floor(rng.uniform() * 40 - 20);
        }),
        [0x7ff8000000000000n, 0xfff8000000000000n, 0x7ff0000000000001n, 0x7ff80000deadbeefn],
        97,
      ),
    },
    { name: "only -0 and +0", values: Float64Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 0 : -0)) },
    { name: "one repeated value (both digits shared)", values: new Float64Array(n).fill(1.5) },
    {
      name: "heavy ties (ten integers)",
      values: Float64Array.from({ length: n }, () => Math.floor(rng.uniform() * 10) - 5),
    },
    {
      name: "one upper word, random lower words (long unsorted runs)",
      values: shuffled(
        Float64Array.from({ length: n }, (_, i) => 1 + (i % 20_000) * 2 ** -52),
        rng,
      ),
    },
    {
      name: "millisecond timestamps (hundreds share each upper word)",
      values: Float64Array.from({ length: n }, () => 1.7e12 + Math.floor(rng.uniform() * 3.6e9)),
    },
    { name: "already sorted", values: Float64Array.from({ length: n }, (_, i) => i * 0.5 - 1000) },
    { name: "reversed", values: Float64Array.from({ length: n }, (_, i) => 1000 - i * 0.25) },
    { name: "only NaN", values: new Float64Array(n).fill(Number.NaN) },
    {
      name: "a million six-decimal normals",
      values: Float64Array.from({ length: 1_000_000 }, () => Math.round(rng.normal() * 1e6) / 1e6),
    },
    ...[4095, 4096, 4097].map((size) => ({ name: `${size} normals`, values: rng.normals(size) })),
  ];
  return cases;
}

test("native sort = JS radix sort = Float64Array.prototype.sort, bit for bit", { skip }, () => {
  const k = kernels();
  for (const { name, values } of sortCases()) {
    const original = values.slice();
    const expected = values.filter((v) => !Number.isNaN(v)).sort();
    const js = sortedFinite(values, true, undefined, null);
    const compiled = sortedFinite(values, true, undefined, k);
    sameBits(js, expected, `${name} (JS)`);
    sameBits(compiled, expected, `${name} (native)`);
    sameBits(values, original, `${name}: the column is left as it was`);
    // Into a reused, longer buffer holding garbage, as a worker's arena does.
    const into = new Float64Array(values.length + 7).fill(Number.NaN);
    sameBits(sortedFinite(values, true, into, k), expected, `${name} (native, into)`);
    if (expected.length === values.length) {
      // The no-copy path for columns known to hold no NaN, and sorting a column in place.
      sameBits(sortedFinite(values, false, undefined, k), expected, `${name} (native, no NaN)`);
      sameBits(sortedFinite(values, false, undefined, null), expected, `${name} (JS, no NaN)`);
      const inPlace = values.slice();
      sameBits(sortedFinite(inPlace, false, inPlace, k), expected, `${name} (native, in place)`);
    }
  }
});

test("the native sort rejects what it cannot sort", { skip }, () => {
  const k = kernels();
  assert.throws(() => k.sortFinite(new Float64Array(10), true, new Float64Array(9)), RangeError);
  assert.throws(
    () => k.sortFinite(new Int32Array(10) as unknown as Float64Array, true, new Float64Array(10)),
    TypeError,
  );
  assert.equal(k.sortFinite(new Float64Array(0), true, new Float64Array(0)), 0);
});

/** The addon's walk with its test switch: `inDoubles` takes the path of samples over 2^53 products. */
type WalkWithSwitch = (a: Float64Array, b: Float64Array, state: Float64Array, inDoubles: boolean) => void;

/** Both walks on the same samples must give the same D and W, to the bit. */
function sameWalk(a: Float64Array, b: Float64Array, label: string): { d: number; w: number } {
  const js = ksWassersteinSorted(a, b, null);
  const compiled = ksWassersteinSorted(a, b, kernels());
  assert.ok(Object.is(compiled.d, js.d), `${label}: D ${compiled.d} vs ${js.d}`);
  assert.ok(Object.is(compiled.w, js.w), `${label}: W ${compiled.w} vs ${js.w}`);
  // The native walk counts in int64 unless na·nb reaches 2^53, where it keeps the JS code's doubles;
  // samples that large do not fit a test, so that path is forced here and must end in the same state.
  const walk = kernels().ksWasserstein as WalkWithSwitch;
  const [exact, doubles] = [new Float64Array(6), new Float64Array(6)];
  walk(a, b, exact, false);
  walk(a, b, doubles, true);
  sameBits(doubles, exact, `${label}: the walk in doubles`);
  return js;
}

test("golden: both walks give scipy's D and Wasserstein-1 for all 80 cases, to the same bits", {
  skip,
}, () => {
  for (const c of loadScipyDriftCases()) {
    for (const sortWith of [null, kernels()]) {
      const a = sortedFinite(Float64Array.from(c.reference), true, undefined, sortWith);
      const b = sortedFinite(Float64Array.from(c.current), true, undefined, sortWith);
      const { d, w } = sameWalk(a, b, c.id);
      assert.ok(closeTo(d, c.ks_statistic, 0, 1e-12), `${c.id} D ${d} vs ${c.ks_statistic}`);
      assert.ok(closeTo(w, c.wasserstein, 1e-12, 1e-12), `${c.id} W ${w} vs ${c.wasserstein}`);
    }
  }
});

test("both walks agree on single values, ties, disjoint and million-value samples", { skip }, () => {
  const rng = seededRandom(2028);
  const sorted = (values: Float64Array) => sortedFinite(values, true, undefined, null);
  const cases: Array<[string, Float64Array, Float64Array]> = [
    ["single values", Float64Array.of(1), Float64Array.of(2)],
    ["equal single values", Float64Array.of(2), Float64Array.of(2)],
    ["one against many", Float64Array.of(0), sorted(rng.normals(1000))],
    ["disjoint", Float64Array.of(5, 6, 7), Float64Array.of(1, 2, 3)],
    ["-0 and +0", Float64Array.of(-0, -0, 0, 1), Float64Array.of(-0, 0, 0, 0.5)],
    [
      "huge finite values",
      Float64Array.of(-Number.MAX_VALUE, 0, 1),
      Float64Array.of(0, Number.MAX_VALUE / 2),
    ],
    [
      "heavy ties",
      sorted(Float64Array.from({ length: 100_000 }, () => Math.floor(rng.uniform() * 7))),
      sorted(Float64Array.from({ length: 70_001 }, () => Math.floor(rng.uniform() * 9))),
    ],
    [
      "a few ties among distinct values",
      sorted(Float64Array.from({ length: 20_000 }, () => Math.round(rng.normal() * 400) / 400)),
      sorted(Float64Array.from({ length: 30_000 }, () => rng.normal() + 0.1)),
    ],
    ["a million per side, shifted", sorted(rng.normals(1_000_000)), sorted(rng.normals(1_000_000, 0.01))],
    [
      "a million six-decimal lognormals per side",
      sorted(Float64Array.from({ length: 1_000_000 }, () => Math.round(Math.exp(rng.normal()) * 1e6) / 1e6)),
      sorted(Float64Array.from({ length: 999_999 }, () => Math.round(Math.exp(rng.normal()) * 1e6) / 1e6)),
    ],
  ];
  for (const [name, a, b] of cases) {
    sameWalk(a, b, name);
    sameWalk(b, a, `${name}, swapped`);
  }
  assert.throws(() => ksWassersteinSorted(new Float64Array(0), Float64Array.of(1), kernels()), RangeError);
});

function table(source: string, columns: Float64Array[]): InputTable {
  const map = new Map<string, InputColumn>(
    columns.map((values, c) => [
      `f${c}`,
      { kind: "numeric", values, missing: values.filter((v) => Number.isNaN(v)).length },
    ]),
  );
  return { source, rowCount: columns[0]!.length, columnNames: [...map.keys()], columns: map };
}

function sides(): [Float64Array[], Float64Array[]] {
  const rng = seededRandom(2029);
  const make = (shift: number) =>
    Array.from({ length: 6 }, (_, c) =>
      Float64Array.from({ length: 30_000 + c * 1000 }, (_, i) => {
        if (c === 5 && i % 50 === 0) return Number.NaN; // a column with missing values
        const v = c % 2 === 0 ? rng.normal() + shift * c : Math.floor(rng.uniform() * 40 + shift * 10);
        return Math.round(v * 1e6) / 1e6;
      }),
    );
  return [make(0), make(0.1)];
}

test("drift reports are the same with the native kernels on and off, in thread and on workers", {
  skip,
}, async () => {
  const [reference, current] = sides();
  const copy = (columns: Float64Array[]) => columns.map((c) => c.slice());
  useNativeKernels(null);
  const jsReport = analyzeDrift(table("ref", reference), table("cur", current));
  useNativeKernels(kernels());
  const nativeReport = analyzeDrift(table("ref", reference), table("cur", current));
  useNativeKernels(null);
  assert.deepEqual(nativeReport, jsReport);
  assert.ok(jsReport.columns.some((c) => c.drifted));

  for (const nativeKernels of [false, true]) {
    const pool = new WorkerPool(2, { nativeKernels });
    try {
      const parallel = await analyzeTablesParallel(
        table("ref", copy(reference)),
        table("cur", copy(current)),
        { pool },
      );
      const { reference: _r, current: _c, ...expected } = jsReport;
      assert.deepEqual(parallel, expected, `workers with nativeKernels: ${nativeKernels}`);
    } finally {
      await pool.close();
    }
  }
});

test("TIKTOKTOE_NATIVE=0 switches the native kernels off", () => {
  const run = spawnSync(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      `import { nativeKernelStatus } from ${JSON.stringify(repoPath("dist", "parallel", "native.js"))};
       console.log(JSON.stringify(nativeKernelStatus()));`,
    ],
    { env: { ...process.env, TIKTOKTOE_NATIVE: "0" }, encoding: "utf8" },
  );
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), { loaded: false, reason: "switched off by TIKTOKTOE_NATIVE=0" });
});
