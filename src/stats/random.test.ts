import assert from "node:assert/strict";
import { test } from "node:test";
import { randomFromState, seededRandom } from "./random.js";

test("a generator restored from its state continues the same sequence", () => {
  const a = seededRandom(12345);
  for (let i = 0; i < 1000; i++) a.uniform();
  const state = a.state();
  assert.ok(state.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff));
  const b = randomFromState(JSON.parse(JSON.stringify(state)));
  for (let i = 0; i < 100; i++) assert.equal(b.uniform(), a.uniform());
});

test("a state that is not four unsigned 32-bit words, or all zeros, is refused", () => {
  assert.throws(() => randomFromState([1, 2, 3] as unknown as [number, number, number, number]), RangeError);
  assert.throws(() => randomFromState([1, 2, 3, -1]), RangeError);
  assert.throws(() => randomFromState([0, 0, 0, 0]), RangeError);
});
