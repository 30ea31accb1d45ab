import assert from "node:assert/strict";
import { test } from "node:test";
import { seededRandom } from "../testing/random.js";
import { isPredictRequest, PredictRequest } from "./deploy.js";

// The fast check of /predict's body (Media.check) must never accept what the contract's schema
// refuses: a body it passes is served without the schema ever seeing it.

const SEED = Number(process.env.TIKTOKTOE_FUZZ_SEED ?? 20261207);

/** Values a mutation puts anywhere: the edge cases of each rule of the schema. */
const ODD: readonly unknown[] = [
  null,
  true,
  0,
  -0,
  1e308,
  Number.POSITIVE_INFINITY,
  Number.NaN,
  "",
  "x".repeat(256),
  "x".repeat(257),
  [],
  [{}],
  {},
  { a: [1] },
  { a: { b: 1 } },
  { a: true },
  { a: Number.NaN },
  Array.from({ length: 10_001 }, () => ({ a: 1 })),
];

function row(rng: ReturnType<typeof seededRandom>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const n = Math.floor(rng.uniform() * 6);
  for (let i = 0; i < n; i++) {
    const u = rng.uniform();
    out[`f${i}`] = u < 0.6 ? rng.normal() * 100 : u < 0.85 ? `c${i}` : null;
  }
  return out;
}

function validBody(rng: ReturnType<typeof seededRandom>): Record<string, unknown> {
  const body: Record<string, unknown> =
    rng.uniform() < 0.5
      ? { input: row(rng) }
      : { inputs: Array.from({ length: 1 + Math.floor(rng.uniform() * 4) }, () => row(rng)) };
  if (rng.uniform() < 0.3) body.key = `user-${Math.floor(rng.uniform() * 1000)}`;
  if (rng.uniform() < 0.3) body.time = rng.uniform() < 0.5 ? 1_700_000_000_000 : "2024-01-01T00:00:00Z";
  return body;
}

function mutate(rng: ReturnType<typeof seededRandom>, body: Record<string, unknown>): unknown {
  const pick = <T>(values: readonly T[]): T => values[Math.floor(rng.uniform() * values.length)]!;
  const odd = pick(ODD);
  switch (Math.floor(rng.uniform() * 7)) {
    case 0:
      return { ...body, [pick(["input", "inputs", "key", "time", "extra", "__proto__"])]: odd };
    case 1:
      return { ...body, input: { f0: 1 }, inputs: [{ f0: 1 }] };
    case 2: {
      const rows = (body.inputs as Record<string, unknown>[] | undefined) ?? [body.input];
      return { inputs: [...rows, odd] };
    }
    case 3:
      return { input: { ...(body.input as object), [pick(["f0", "zz", "__proto__"])]: odd } };
    case 4:
      return JSON.parse(`{"input": {"__proto__": ${JSON.stringify(odd) ?? "null"}}}`);
    case 5:
      return odd;
    default:
      return Object.fromEntries(Object.entries(body).filter(() => rng.uniform() < 0.5));
  }
}

test(`isPredictRequest never accepts what PredictRequest refuses (seed ${SEED})`, () => {
  const rng = seededRandom(SEED);
  let accepted = 0;
  for (let i = 0; i < 5000; i++) {
    const body = mutate(rng, validBody(rng));
    if (isPredictRequest(body)) {
      accepted++;
      assert.equal(PredictRequest.safeParse(body).success, true, `accepted ${JSON.stringify(body)}`);
    }
  }
  // The mutations must leave some bodies valid, or this test proves nothing.
  assert.ok(accepted > 100, `only ${accepted} mutated bodies were accepted`);
});

test("isPredictRequest accepts the usual bodies (else /predict pays for the schema every time)", () => {
  const rng = seededRandom(SEED + 1);
  for (let i = 0; i < 1000; i++) {
    const body = validBody(rng);
    assert.equal(PredictRequest.safeParse(body).success, true);
    assert.equal(isPredictRequest(body), true, JSON.stringify(body));
  }
  // Through JSON, as the route sees them.
  assert.equal(isPredictRequest(JSON.parse('{"input":{"a":1,"b":"x","c":null},"key":"k"}')), true);
  assert.equal(isPredictRequest(JSON.parse('{"inputs":[{"a":1}],"time":"2024-01-01T00:00:00Z"}')), true);
});

test("isPredictRequest leaves every refused shape to the schema", () => {
  for (const body of [
    null,
    [],
    {},
    { input: { a: 1 }, inputs: [{ a: 1 }] },
    { inputs: [] },
    { input: null },
    { input: { a: [1] } },
    { input: { a: true } },
    { input: { a: 1 }, key: "" },
    { input: { a: 1 }, key: "k".repeat(257) },
    { input: { a: 1 }, time: null },
    { input: { a: 1 }, extra: 1 },
  ])
    assert.equal(isPredictRequest(body), false, JSON.stringify(body));
});
