import assert from "node:assert/strict";
import { test } from "node:test";
import { chiSquareSf } from "../stats/gamma.js";
import { seededRandom } from "../testing/random.js";
import { float64FromBase64, float64ToBase64 } from "./float64-base64.js";
import { Reservoir, type ReservoirJSON } from "./reservoir.js";

/** Rows (i, 2i) for i in [from, to). */
function fill(reservoir: Reservoir, from: number, to: number): Reservoir {
  for (let i = from; i < to; i++) reservoir.add([i, 2 * i]);
  return reservoir;
}

/**
 * Over `runs` seeded runs of `sample()` (returning the kept item ids out of `items`), checks that every
 * item is kept with probability p: Σ (O − E)² / (runs·p·(1 − p)) over the items is ≈ χ²(items − 1)
 * (the counts sum to a constant), and its p-value must not be extreme.
 */
function assertUniformInclusion(
  items: number,
  p: number,
  runs: number,
  sample: (run: number) => Float64Array,
) {
  const kept = new Float64Array(items);
  for (let run = 0; run < runs; run++) {
    for (const id of sample(run)) kept[id]! += 1;
  }
  const expected = runs * p;
  let statistic = 0;
  for (const o of kept) statistic += (o - expected) ** 2 / (expected * (1 - p));
  const pValue = chiSquareSf(statistic, items - 1);
  assert.ok(pValue > 0.001, `inclusion not uniform: χ² ${statistic} on ${items - 1} df, p ${pValue}`);
  const total = kept.reduce((a, b) => a + b, 0);
  assert.equal(total, runs * Math.round(items * p), "every run keeps min(capacity, seen) rows");
}

test("exact below capacity: every row, in arrival order, with the seen count", () => {
  const r = fill(new Reservoir({ columns: 2, capacity: 100, random: seededRandom(1).uniform }), 0, 60);
  assert.equal(r.size, 60);
  assert.equal(r.seen, 60);
  assert.deepEqual(
    Array.from(r.column(0)),
    Array.from({ length: 60 }, (_, i) => i),
  );
  assert.deepEqual(
    Array.from(r.column(1)),
    Array.from({ length: 60 }, (_, i) => 2 * i),
  );
  fill(r, 60, 100);
  assert.equal(r.size, 100);
  assert.deepEqual(
    Array.from(r.column(0)),
    Array.from({ length: 100 }, (_, i) => i),
  );
  fill(r, 100, 1000);
  assert.equal(r.size, 100);
  assert.equal(r.seen, 1000);
  // Rows stay whole: column 1 is twice column 0 in every kept row.
  for (let s = 0; s < r.size; s++) assert.equal(r.get(s, 1), 2 * r.get(s, 0));
  assert.equal(new Set(r.column(0)).size, 100, "no row kept twice");
});

test("uniform: each of 50 rows is kept with probability capacity/seen = 10/50", () => {
  assertUniformInclusion(50, 10 / 50, 20_000, (run) =>
    fill(new Reservoir({ columns: 2, capacity: 10, random: seededRandom(run).uniform }), 0, 50).column(0),
  );
});

test("merge is uniform over the union, weighted by the seen counts", () => {
  // Both full: 30 + 50 rows seen, 10 kept, each of the 80 with probability 1/8.
  assertUniformInclusion(80, 10 / 80, 20_000, (run) => {
    const rng = seededRandom(run + 1_000_000);
    const a = fill(new Reservoir({ columns: 2, capacity: 10, random: rng.uniform }), 0, 30);
    const b = fill(new Reservoir({ columns: 2, capacity: 10, random: rng.uniform }), 30, 80);
    return a.merge(b).column(0);
  });
  // One side still exact (5 rows), the other full: each of the 105 rows with probability 10/105.
  assertUniformInclusion(105, 10 / 105, 20_000, (run) => {
    const rng = seededRandom(run + 2_000_000);
    const a = fill(new Reservoir({ columns: 2, capacity: 10, random: rng.uniform }), 0, 5);
    const b = fill(new Reservoir({ columns: 2, capacity: 10, random: rng.uniform }), 5, 105);
    return (run % 2 === 0 ? a.merge(b) : b.merge(a)).column(0);
  });
  // A tree of merges (three windows into one) is still uniform: 3 × 20 rows, each with probability 1/6.
  assertUniformInclusion(60, 10 / 60, 10_000, (run) => {
    const rng = seededRandom(run + 3_000_000);
    const parts = [0, 1, 2].map((w) =>
      fill(new Reservoir({ columns: 2, capacity: 10, random: rng.uniform }), 20 * w, 20 * w + 20),
    );
    return parts[0]!.merge(parts[1]!).merge(parts[2]!).column(0);
  });
});

test("merge stays exact while the union fits: first reservoir's rows, then the other's", () => {
  const rng = seededRandom(4);
  const a = fill(new Reservoir({ columns: 2, capacity: 100, random: rng.uniform }), 0, 30);
  const b = fill(new Reservoir({ columns: 2, capacity: 100, random: rng.uniform }), 30, 70);
  a.merge(b);
  assert.equal(a.seen, 70);
  assert.deepEqual(
    Array.from(a.column(0)),
    Array.from({ length: 70 }, (_, i) => i),
  );
  assert.equal(b.seen, 40, "the other reservoir is unchanged");
  a.merge(new Reservoir({ columns: 2, capacity: 100, random: rng.uniform }));
  assert.equal(a.seen, 70, "merging an empty reservoir changes nothing");
  fill(a, 70, 100);
  assert.deepEqual(
    Array.from(a.column(0)),
    Array.from({ length: 100 }, (_, i) => i),
  );
  const big = fill(new Reservoir({ columns: 2, capacity: 100, random: rng.uniform }), 0, 1000);
  const self = big.merge(big);
  assert.equal(self.seen, 2000);
  assert.equal(self.size, 100);
  assert.throws(() => a.merge(new Reservoir({ columns: 3, capacity: 100, random: rng.uniform })), RangeError);
  assert.throws(() => a.merge(new Reservoir({ columns: 2, capacity: 50, random: rng.uniform })), RangeError);
});

test("missing values (NaN) are kept as NaN through adding, merging and serialising", () => {
  const rng = seededRandom(6);
  const a = new Reservoir({ columns: 2, capacity: 50, random: rng.uniform });
  for (let i = 0; i < 200; i++) a.add([i, i % 3 === 0 ? Number.NaN : i]);
  const b = new Reservoir({ columns: 2, capacity: 50, random: rng.uniform });
  for (let i = 200; i < 300; i++) b.add([i, i % 3 === 0 ? Number.NaN : i]);
  a.merge(b);
  const again = Reservoir.fromJSON(JSON.parse(JSON.stringify(a)), rng.uniform);
  for (const r of [a, again]) {
    let missing = 0;
    for (let s = 0; s < r.size; s++) {
      const id = r.get(s, 0);
      if (id % 3 === 0) {
        assert.ok(Number.isNaN(r.get(s, 1)), `row ${id}`);
        missing++;
      } else {
        assert.equal(r.get(s, 1), id);
      }
    }
    assert.ok(missing > 0);
  }
});

test("offer/set write a kept row in place; an unwritten column reads as missing", () => {
  const r = new Reservoir({ columns: 3, capacity: 4, random: seededRandom(8).uniform });
  let kept = 0;
  for (let i = 0; i < 100; i++) {
    const slot = r.offer();
    if (slot < 0) continue;
    kept++;
    r.set(slot, 0, i);
    r.set(slot, 1, -i);
  }
  assert.equal(r.seen, 100);
  assert.ok(kept > 4 && kept < 100);
  for (let s = 0; s < 4; s++) {
    assert.equal(r.get(s, 1), -r.get(s, 0));
    assert.ok(Number.isNaN(r.get(s, 2)));
  }
  assert.throws(() => r.get(4, 0), RangeError);
  assert.throws(() => r.set(0, 3, 1), RangeError);
  assert.throws(() => r.column(-1), RangeError);
  assert.throws(() => r.add([1, 2]), RangeError);
  assert.equal(r.seen, 100, "a rejected row is not counted");
  assert.throws(() => new Reservoir({ columns: 0, random: Math.random }), RangeError);
  assert.throws(() => new Reservoir({ columns: 1, capacity: 1.5, random: Math.random }), RangeError);
  assert.equal(new Reservoir({ columns: 1, random: Math.random }).capacity, 10_000);
});

test("toJSON/fromJSON round-trips exactly and the copy continues as the original would", () => {
  for (const n of [0, 7, 64, 65, 500, 5000]) {
    const original = fill(
      new Reservoir({ columns: 2, capacity: 300, random: seededRandom(n).uniform }),
      0,
      n,
    );
    const text = JSON.stringify(original);
    const json = JSON.parse(text) as ReservoirJSON;
    assert.equal(json.rows, Math.min(300, n));
    const copy = Reservoir.fromJSON(json, seededRandom(99).uniform);
    assert.equal(JSON.stringify(copy), text);
    // Same random stream from here on: the two evolve identically.
    const twin = Reservoir.fromJSON(json, seededRandom(99).uniform);
    fill(copy, n, n + 1000);
    fill(twin, n, n + 1000);
    assert.deepEqual(copy.toJSON(), twin.toJSON());
  }
  const good = fill(new Reservoir({ columns: 2, capacity: 3, random: Math.random }), 0, 5).toJSON();
  const bad: unknown[] = [
    null,
    { ...good, version: 2 },
    { ...good, rows: 2 },
    { ...good, seen: -1 },
    { ...good, columns: 3 },
    { ...good, values: "AAAA" },
    { ...good, values: `!${good.values.slice(1)}` },
  ];
  for (const b of bad) assert.throws(() => Reservoir.fromJSON(b, Math.random), RangeError, JSON.stringify(b));
});

test("float64 base64 matches Buffer's encoding and round-trips every bit pattern it is given", () => {
  const rng = seededRandom(12);
  for (const n of [0, 1, 2, 3, 10, 1000]) {
    const values = Float64Array.from({ length: n }, () => rng.normal() * 1e6);
    if (n > 2) values.set([Number.NaN, -0, Number.NEGATIVE_INFINITY]);
    const text = float64ToBase64(values);
    assert.equal(text, Buffer.from(values.buffer).toString("base64"));
    assert.deepEqual(float64FromBase64(text), values);
    // A view into a larger buffer encodes only its own values.
    const view = values.subarray(1, Math.max(1, n - 1));
    assert.deepEqual(float64FromBase64(float64ToBase64(view)), view.slice());
  }
  assert.equal(float64ToBase64(Float64Array.of(1)), "AAAAAAAA8D8=");
  for (const bad of ["A", "AAAA", "AAAAAAAA8D8", "AAAAAAAA8D*="]) {
    assert.throws(() => float64FromBase64(bad), RangeError, bad);
  }
});
