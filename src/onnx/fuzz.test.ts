import assert from "node:assert/strict";
import { test } from "node:test";
import { TikTokToeError } from "../errors/index.js";
import { seededRandom } from "../testing/random.js";
import { decodeModel } from "./decode.js";
import { encodeModel } from "./encode.js";
import { modelBytes } from "./models.test.helpers.js";
import { WireType, WireWriter } from "./wire.js";

/**
 * Hostile input must end in ONNX_INVALID (or decode, when the damage happens to be valid
 * protobuf) and never in another exception, a hang or a stack overflow. The budget check catches
 * a decoder that stops making progress: a few thousand decodes of a 20 KB model take well under
 * a second.
 */
function decodesOrRejects(bytes: Uint8Array, what: string): "decoded" | "rejected" {
  try {
    const model = decodeModel(bytes);
    // Whatever decodes must also encode (the encoder accepts everything the decoder makes).
    encodeModel(model);
    return "decoded";
  } catch (error) {
    assert.ok(error instanceof TikTokToeError, `${what}: threw ${String(error)}`);
    assert.equal(error.code, "ONNX_INVALID", `${what}: ${error.message}`);
    return "rejected";
  }
}

test("every truncation of a model is rejected with ONNX_INVALID or decodes, never crashes", () => {
  const bytes = modelBytes("bike_mlp");
  const started = performance.now();
  let rejected = 0;
  for (let end = 0; end < bytes.length; end += end < 512 ? 1 : 37)
    if (decodesOrRejects(bytes.subarray(0, end), `first ${end} bytes`) === "rejected") rejected += 1;
  assert.ok(rejected > 100, `only ${rejected} truncations were rejected`);
  assert.ok(performance.now() - started < 20_000);
});

test("garbled bytes (random flips, random runs, random files) never crash the decoder", () => {
  const rng = seededRandom(13);
  const int = (n: number) => Math.floor(rng.uniform() * n);
  const original = modelBytes("breast_cancer_mlp");
  const outcomes = { decoded: 0, rejected: 0 };
  for (let trial = 0; trial < 1500; trial++) {
    const bytes = original.slice();
    const edits = 1 + int(8);
    for (let e = 0; e < edits; e++) {
      const at = int(bytes.length);
      if (trial % 3 === 0) bytes[at] = int(256);
      else if (trial % 3 === 1) bytes[at]! ^= 1 << int(8);
      else bytes.fill(int(2) === 0 ? 0xff : 0x80, at, at + 1 + int(12)); // varints that never end
    }
    outcomes[decodesOrRejects(bytes, `trial ${trial}`)] += 1;
  }
  for (let trial = 0; trial < 500; trial++) {
    const bytes = Uint8Array.from({ length: 1 + int(300) }, () => int(256));
    outcomes[decodesOrRejects(bytes, `random file ${trial}`)] += 1;
  }
  assert.ok(outcomes.rejected > 500, JSON.stringify(outcomes));
});

test("empty input, non-protobuf text and a model of nested subgraphs 2,000 deep are ONNX_INVALID", () => {
  assert.throws(() => decodeModel(new Uint8Array()), { code: "ONNX_INVALID" });
  assert.throws(() => decodeModel(new TextEncoder().encode("<html>not a model</html>")), {
    code: "ONNX_INVALID",
  });
  // graph → node → attribute g → graph … built inside out: a stack-overflow attempt.
  let graph: Uint8Array = new Uint8Array();
  for (let depth = 0; depth < 2_000; depth++) {
    const attribute = new WireWriter();
    attribute.bytesField(6, graph);
    const node = new WireWriter();
    node.bytesField(5, attribute.finish());
    const next = new WireWriter();
    next.bytesField(1, node.finish());
    graph = next.finish();
  }
  const model = new WireWriter();
  model.tag(1, WireType.varint);
  model.varint(8);
  model.bytesField(7, graph);
  assert.throws(() => decodeModel(model.finish()), { code: "ONNX_INVALID", message: /nest deeper/ });
});
