import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { decodeModel } from "./decode.js";
import { encodeModel } from "./encode.js";
import { addGraphOutputs, renameTensor, replaceNode } from "./graph.js";
import { castAddModel, modelBytes, modelNames } from "./models.test.helpers.js";
import { makeNode } from "./node.js";
import { float32Tensor, tensorToFloat32 } from "./tensor.js";

/**
 * The reference checker is ONNX's own (`onnx.checker.check_model`, full check with strict shape
 * inference off), from Debian's python3-onnx. `python3` on PATH may be a pyenv shim without onnx,
 * so the system interpreter is asked directly.
 */
const PYTHON = "/usr/bin/python3";
const probe = spawnSync(PYTHON, ["-c", "import onnx; print(onnx.__version__)"], { encoding: "utf8" });
const onnxMissing: string | false =
  probe.status === 0
    ? false
    : `Debian's python3-onnx is not installed for ${PYTHON} (apt-get install python3-onnx)`;

const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-onnx-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs onnx's checker on each file; returns a message per file that fails (empty when all pass). */
function checkWithOnnx(files: Record<string, Uint8Array>): string[] {
  const paths = Object.entries(files).map(([name, bytes]) => {
    const path = join(dir, `${name}.onnx`);
    writeFileSync(path, bytes);
    return path;
  });
  const script = [
    "import sys, onnx",
    "for p in sys.argv[1:]:",
    "    try:",
    "        onnx.checker.check_model(onnx.load(p), full_check=True)",
    "    except Exception as e:",
    "        print(p + ': ' + str(e).splitlines()[0])",
  ].join("\n");
  const run = spawnSync(PYTHON, ["-c", script, ...paths], { encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout.split("\n").filter((line) => line !== "");
}

test(`onnx.checker accepts what we write (${probe.stdout.trim() || "onnx"})`, { skip: onnxMissing }, () => {
  const files: Record<string, Uint8Array> = {};
  for (const name of modelNames) files[`roundtrip_${name}`] = encodeModel(decodeModel(modelBytes(name)));
  // Edits the optimizer will make: a Relu replaced, an initializer changed, a tensor renamed.
  const model = decodeModel(modelBytes("digits_mlp"));
  const graph = model.graph!;
  const relu = graph.node[1]!;
  let edited = replaceNode(graph, relu, [
    makeNode({ opType: "Clip", inputs: [relu.input[0]!, "zero"], outputs: relu.output, name: "clip0" }),
  ]);
  const bias = tensorToFloat32(edited.initializer.find((t) => t.name === "4.bias")!);
  bias[0] = 42;
  edited = {
    ...edited,
    initializer: [
      ...edited.initializer.filter((t) => t.name !== "4.bias"),
      float32Tensor("4.bias", [10], bias),
      float32Tensor("zero", [], Float32Array.of(0)),
    ],
  };
  files.edited_digits_mlp = encodeModel({ ...model, graph: renameTensor(edited, "input", "pixels") });
  files.built_cast_add = encodeModel(castAddModel());
  assert.deepEqual(checkWithOnnx(files), []);
});

test("onnx.checker rejects a model our checker also rejects (the harness can fail)", {
  skip: onnxMissing,
}, () => {
  const model = decodeModel(modelBytes("bike_mlp"));
  const graph = model.graph!;
  const broken = { ...model, graph: { ...graph, node: [...graph.node].reverse() } };
  assert.equal(checkWithOnnx({ broken: encodeModel(broken) }).length, 1);
  // Calibration's untyped outputs are for onnxruntime only: onnx's checker wants a type on each.
  const augmented = addGraphOutputs(decodeModel(modelBytes("digits_mlp")), ["/1/Relu_output_0"]);
  assert.match(
    checkWithOnnx({ augmented: encodeModel(augmented) })[0] ?? "",
    /'type' of 'value_info' is required/,
  );
});
