import assert from "node:assert/strict";
import { test } from "node:test";
import { assertValidModel, checkModel } from "./checker.js";
import { decodeModel } from "./decode.js";
import { encodeModel } from "./encode.js";
import {
  addGraphOutputs,
  firstOutOfOrder,
  indexGraph,
  insertNodes,
  removeUnusedInitializers,
  renameTensor,
  replaceNode,
  sortTopologically,
} from "./graph.js";
import { modelBytes, modelNames } from "./models.test.helpers.js";
import { AttributeType, getAttribute, makeNode, makeValueInfo } from "./node.js";
import { float32Tensor } from "./tensor.js";
import type { GraphProto, OnnxModel } from "./types.js";

const mlp = (): OnnxModel => decodeModel(modelBytes("digits_mlp"));

test("the index finds producers, consumers, initializers and nodes by name", () => {
  const graph = mlp().graph!;
  const index = indexGraph(graph);
  assert.equal(index.producers.get("/0/Gemm_output_0")?.node.opType, "Gemm");
  assert.deepEqual(
    index.consumers.get("/0/Gemm_output_0")?.map((c) => c.node.opType),
    ["Relu"],
  );
  assert.deepEqual(
    index.consumers.get("input")?.map((c) => [c.index, c.input]),
    [[0, 0]],
  );
  assert.deepEqual(index.initializers.get("0.weight")?.dims, [512, 64]);
  assert.ok(index.inputs.has("input") && index.outputs.has("logits"));
  assert.equal(index.nodesByName.get(graph.node[0]!.name!)?.opType, "Gemm");
  assert.equal(getAttribute(graph.node[0]!, "transB")?.i, 1n);
});

test("every bundled model passes the checker and is in topological order", () => {
  for (const name of modelNames) {
    const model = decodeModel(modelBytes(name));
    assert.deepEqual(checkModel(model), [], name);
    assert.equal(firstOutOfOrder(model.graph!), undefined, name);
    assert.deepEqual(sortTopologically(model.graph!).node, model.graph!.node, name);
  }
});

test("a reversed graph is found out of order and sorted back; a cycle is ONNX_INVALID", () => {
  const graph = mlp().graph!;
  const reversed: GraphProto = { ...graph, node: [...graph.node].reverse() };
  assert.equal(firstOutOfOrder(reversed)?.index, 0);
  assert.ok(checkModel({ ...mlp(), graph: reversed }).some((p) => /is not a graph input/.test(p.message)));
  assert.deepEqual(sortTopologically(reversed).node, graph.node);
  const a = makeNode({ opType: "Relu", inputs: ["b"], outputs: ["a"] });
  const b = makeNode({ opType: "Relu", inputs: ["a"], outputs: ["b"] });
  assert.throws(() => sortTopologically({ ...graph, node: [a, b] }), {
    code: "ONNX_INVALID",
    message: /cycle/,
  });
});

test("edits return new graphs and leave the original untouched", () => {
  const model = mlp();
  const before = encodeModel(model);
  const graph = model.graph!;
  const relu = graph.node[1]!;
  // Relu → Clip(min 0) is the same function: replace, then check and round-trip.
  const clip = makeNode({
    opType: "Clip",
    inputs: [relu.input[0]!, "zero"],
    outputs: relu.output,
    name: "clip0",
  });
  let next = replaceNode(graph, relu, [clip]);
  next = { ...next, initializer: [...next.initializer, float32Tensor("zero", [], Float32Array.of(0))] };
  assert.deepEqual(checkModel({ ...model, graph: next }), []);
  assert.equal(next.node[1]!.opType, "Clip");
  const inserted = insertNodes(next, 2, [
    makeNode({ opType: "Identity", inputs: ["/1/Relu_output_0"], outputs: ["copy"] }),
  ]);
  assert.equal(inserted.node[2]!.opType, "Identity");
  assert.deepEqual(encodeModel(model), before);
  assert.throws(() => replaceNode(graph, "no such node", []), { code: "ONNX_INVALID" });
});

test("unused initializers go (with their stale graph input); used ones stay", () => {
  const graph = mlp().graph!;
  const extra = float32Tensor("stale", [1], Float32Array.of(1));
  const withStale: GraphProto = {
    ...graph,
    initializer: [...graph.initializer, extra],
    input: [...graph.input, makeValueInfo("stale")],
  };
  const cleaned = removeUnusedInitializers(withStale);
  assert.deepEqual(
    cleaned.initializer.map((t) => t.name),
    graph.initializer.map((t) => t.name),
  );
  assert.deepEqual(
    cleaned.input.map((v) => v.name),
    ["input"],
  );
  assert.equal(removeUnusedInitializers(graph), graph);
});

test("renaming a tensor changes every reference and refuses a name in use", () => {
  const graph = mlp().graph!;
  const renamed = renameTensor(renameTensor(graph, "input", "pixels"), "0.weight", "fc1.w");
  assert.deepEqual(renamed.node[0]!.input, ["pixels", "fc1.w", "0.bias"]);
  assert.equal(renamed.input[0]!.name, "pixels");
  assert.ok(renamed.initializer.some((t) => t.name === "fc1.w"));
  assert.deepEqual(checkModel({ ...mlp(), graph: renamed }), []);
  assert.throws(() => renameTensor(graph, "input", "logits"), {
    code: "ONNX_INVALID",
    message: /already used/,
  });
});

test("outputs are added once and without type; the checker lists every problem", () => {
  const model = addGraphOutputs(mlp(), ["/0/Gemm_output_0", "/0/Gemm_output_0", "logits"]);
  assert.deepEqual(
    model.graph!.output.map((v) => [v.name, v.type === undefined]),
    [
      ["logits", false],
      ["/0/Gemm_output_0", true],
    ],
  );
  const broken: OnnxModel = {
    ...model,
    opsetImport: [],
    graph: {
      ...model.graph!,
      node: [
        ...model.graph!.node,
        makeNode({
          opType: "Relu",
          inputs: ["ghost"],
          outputs: ["logits"],
          name: model.graph!.node[0]!.name!,
        }),
        makeNode({ opType: "Foo", inputs: [], outputs: ["foo"], domain: "com.example" }),
      ],
      output: [...model.graph!.output, makeValueInfo("nowhere")],
    },
  };
  const messages = checkModel(broken).map((p) => p.message);
  for (const expected of [
    /no entry for the default domain/,
    /input "ghost" is not a graph input/,
    /"logits" is defined more than once/,
    /node name .* is used twice/,
    /domain "com.example" has no opset_import entry/,
    /graph output "nowhere" is not defined/,
  ])
    assert.ok(
      messages.some((m) => expected.test(m)),
      `${expected} not in ${messages.join(" | ")}`,
    );
  assert.throws(() => assertValidModel(broken), { code: "ONNX_INVALID", message: /fails the checker/ });
});

test("subgraphs: outer names count as used, are renamed and are visible to the checker", () => {
  const model = mlp();
  const graph = model.graph!;
  const body: GraphProto = {
    node: [makeNode({ opType: "Add", inputs: ["/3/Relu_output_0", "shift"], outputs: ["then_out"] })],
    name: "then",
    initializer: [],
    input: [],
    output: [makeValueInfo("then_out")],
    valueInfo: [],
    metadataProps: [],
    rawFields: [],
  };
  const cond = makeNode({ opType: "If", inputs: ["flag"], outputs: ["chosen"], name: "if0" });
  cond.attribute.push({
    name: "then_branch",
    g: body,
    type: AttributeType.GRAPH,
    floats: [],
    ints: [],
    strings: [],
    tensors: [],
    graphs: [],
    rawFields: [],
  });
  const withIf: GraphProto = {
    ...graph,
    node: [...graph.node, cond],
    initializer: [
      ...graph.initializer,
      float32Tensor("shift", [], Float32Array.of(1)),
      float32Tensor("flag", [], Float32Array.of(1)),
    ],
  };
  assert.ok(
    indexGraph(withIf)
      .consumers.get("shift")
      ?.some((c) => c.input === -1),
  );
  assert.ok(removeUnusedInitializers(withIf).initializer.some((t) => t.name === "shift"));
  const renamed = renameTensor(withIf, "shift", "offset");
  assert.deepEqual(renamed.node.at(-1)!.attribute[0]!.g!.node[0]!.input, ["/3/Relu_output_0", "offset"]);
  assert.deepEqual(checkModel({ ...model, graph: withIf }), []);
});
