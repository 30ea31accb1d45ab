import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { isTikTokToeError } from "../errors/index.js";
import { decodeModel } from "../onnx/decode.js";
import { seededRandom } from "../stats/index.js";
import { repoPath } from "../testing/paths.js";
import { exportOnnxMlp, fineTuneOnnxMlp, readOnnxMlp } from "./mlp-finetune.js";

const BIKE_FEATURES = [
  "season",
  "mnth",
  "hr",
  "holiday",
  "weekday",
  "workingday",
  "weathersit",
  "temp",
  "atemp",
  "hum",
  "windspeed",
];

/** The first `limit` rows of a bike CSV as the model's 11 features and the hourly count. */
function bikeRows(file: string, limit: number): { x: number[][]; y: number[] } {
  const [header, ...lines] = readFileSync(repoPath("data", "bike", file), "utf8")
    .trim()
    .split("\n");
  const columns = header!.split(",");
  const at = BIKE_FEATURES.map((c) => columns.indexOf(c));
  const cnt = columns.indexOf("cnt");
  const x: number[][] = [];
  const y: number[] = [];
  for (const line of lines.slice(0, limit)) {
    const v = line.split(",").map(Number);
    x.push(at.map((i) => v[i]!));
    y.push(v[cnt]!);
  }
  return { x, y };
}

const bike = () => new Uint8Array(readFileSync(repoPath("models", "bike_mlp.onnx")));

describe("readOnnxMlp", () => {
  it("reads the bike model: frozen standardisation, three dense layers, a regression head", () => {
    const found = readOnnxMlp(bike());
    assert.equal(found.head, "regression");
    assert.equal(found.inputWidth, 11);
    assert.deepEqual(
      found.mlp.layers.map((l) => [l.inputs, l.outputs, l.activation]),
      [
        [11, 64, "relu"],
        [64, 64, "relu"],
        [64, 1, "identity"],
      ],
    );
    assert.deepEqual(
      found.normalisation.map((s) => s.op),
      ["Sub", "Div"],
    );
  });

  it("reads a Softmax classifier and a logits classifier", () => {
    const cancer = readOnnxMlp(new Uint8Array(readFileSync(repoPath("models", "breast_cancer_mlp.onnx"))));
    assert.equal(cancer.head, "softmax");
    assert.equal(cancer.classes, 2);
    const digits = readOnnxMlp(new Uint8Array(readFileSync(repoPath("models", "digits_mlp.onnx"))));
    assert.equal(digits.head, "logits");
    assert.equal(digits.classes, 10);
  });

  it("refuses a CNN with ONNX_UNSUPPORTED naming the Conv node", () => {
    const cnn = new Uint8Array(readFileSync(repoPath("models", "digits_cnn.onnx")));
    const first = decodeModel(cnn).graph!.node[0]!;
    assert.throws(
      () => readOnnxMlp(cnn),
      (e) =>
        isTikTokToeError(e, "ONNX_UNSUPPORTED") &&
        e.message.includes("Conv") &&
        e.message.includes(`"${first.name}"`),
    );
    assert.throws(
      () => fineTuneOnnxMlp(cnn, [[0]], [0]),
      (e) => isTikTokToeError(e, "ONNX_UNSUPPORTED"),
    );
  });

  it("refuses bytes that are not ONNX with ONNX_INVALID", () => {
    assert.throws(
      () => readOnnxMlp(new TextEncoder().encode("not a model")),
      (e) => isTikTokToeError(e, "ONNX_INVALID"),
    );
  });

  it("keeps every node, the input, the output and the opset when writing the weights back", () => {
    const bytes = bike();
    const again = decodeModel(exportOnnxMlp(readOnnxMlp(bytes)));
    const original = decodeModel(bytes);
    assert.deepEqual(
      again.graph!.node.map((n) => [n.opType, n.input, n.output]),
      original.graph!.node.map((n) => [n.opType, n.input, n.output]),
    );
    assert.deepEqual(again.opsetImport, original.opsetImport);
    assert.deepEqual(again.graph!.input, original.graph!.input);
    assert.deepEqual(again.graph!.output, original.graph!.output);
  });
});

describe("fineTuneOnnxMlp", () => {
  const { x, y } = bikeRows("bike_2012.csv", 900);

  it("is deterministic for a seed", () => {
    const a = fineTuneOnnxMlp(bike(), x, y, { seed: 5, epochs: 2 });
    const b = fineTuneOnnxMlp(bike(), x, y, { seed: 5, epochs: 2 });
    assert.deepEqual(a.onnx, b.onnx);
    assert.ok(a.startValidationLoss !== null && a.validationLoss !== null);
    // Early stopping keeps the best of the start and every epoch.
    assert.ok(a.validationLoss <= a.startValidationLoss);
  });

  it("gives rows of weight 0 no effect: the same model as dropping them", () => {
    const random = seededRandom(11);
    const weights = x.map(() => (random.uniform() < 0.3 ? 0 : 0.5 + random.uniform()));
    const keep = weights.map((w, r) => (w > 0 ? r : -1)).filter((r) => r >= 0);
    const withZeros = fineTuneOnnxMlp(bike(), x, y, { seed: 3, epochs: 2, weights });
    const dropped = fineTuneOnnxMlp(
      bike(),
      keep.map((r) => x[r]!),
      keep.map((r) => y[r]!),
      { seed: 3, epochs: 2, weights: keep.map((r) => weights[r]!) },
    );
    assert.deepEqual(withZeros.onnx, dropped.onnx);
    // …while the weights themselves do matter.
    const unweighted = fineTuneOnnxMlp(
      bike(),
      keep.map((r) => x[r]!),
      keep.map((r) => y[r]!),
      { seed: 3, epochs: 2 },
    );
    assert.notDeepEqual(unweighted.onnx, dropped.onnx);
  });

  it("holds the weights at the deployed ones under a huge L2-to-start penalty, and moves them without it", () => {
    const start = readOnnxMlp(bike()).mlp;
    const maxChange = (onnx: Uint8Array) =>
      Math.max(
        ...readOnnxMlp(onnx).mlp.layers.map((layer, l) =>
          Math.max(...layer.weight.map((w, i) => Math.abs(w - start.layers[l]!.weight[i]!))),
        ),
      );
    const held = fineTuneOnnxMlp(bike(), x, y, { seed: 2, epochs: 2, l2: 1e12, validationFraction: 0 });
    assert.ok(maxChange(held.onnx) <= 1e-7, `weights moved by ${maxChange(held.onnx)}`);
    const free = fineTuneOnnxMlp(bike(), x, y, { seed: 2, epochs: 2, validationFraction: 0 });
    assert.ok(maxChange(free.onnx) > 1e-3);
  });

  it("keeps more weights exactly at their deployed value as the L1-to-start penalty grows", () => {
    const start = readOnnxMlp(bike()).mlp;
    const unchangedShare = (onnx: Uint8Array) => {
      let same = 0;
      let all = 0;
      readOnnxMlp(onnx).mlp.layers.forEach((layer, l) => {
        layer.weight.forEach((w, i) => {
          all++;
          if (w === start.layers[l]!.weight[i]) same++;
        });
      });
      return same / all;
    };
    const shareAt = (l1: number) =>
      unchangedShare(fineTuneOnnxMlp(bike(), x, y, { seed: 2, epochs: 2, l1, validationFraction: 0 }).onnx);
    // Without a penalty only the weights of units that never fire on these rows stay put.
    const free = shareAt(0);
    const some = shareAt(0.8);
    assert.ok(some > free + 0.1, `${some} vs ${free}`);
    // Adam's steps are about η each, the prox removes η·λ₁: λ₁ above 1 holds every weight.
    assert.equal(shareAt(10), 1);
  });

  it("fine-tunes a Softmax classifier with class-index targets", () => {
    const [header, ...lines] = readFileSync(repoPath("data", "breast_cancer", "breast_cancer.csv"), "utf8")
      .trim()
      .split("\n");
    const columns = header!.split(",");
    const label = columns.length - 1;
    const rows = lines.map((line) => line.split(",").map(Number));
    const model = new Uint8Array(readFileSync(repoPath("models", "breast_cancer_mlp.onnx")));
    const result = fineTuneOnnxMlp(
      model,
      rows.map((r) => r.slice(0, label)),
      rows.map((r) => r[label]!),
      { seed: 4, epochs: 2 },
    );
    assert.ok(result.startValidationLoss !== null && result.validationLoss !== null);
    assert.ok(result.validationLoss <= result.startValidationLoss);
    assert.throws(
      () =>
        fineTuneOnnxMlp(
          model,
          rows.slice(0, 3).map((r) => r.slice(0, label)),
          [0, 1, 2],
        ),
      (e) => isTikTokToeError(e, "INPUT_BAD_LABEL") && e.location.path === "targets[2]",
    );
  });

  it("refuses bad input with REQUEST_INVALID and the field's path", () => {
    const cases: [() => unknown, string][] = [
      [() => fineTuneOnnxMlp(bike(), [[1, 2, 3]], [1]), "rows[0]"],
      [() => fineTuneOnnxMlp(bike(), [x[0]!.map((v, i) => (i === 7 ? Number.NaN : v))], [1]), "rows[0][7]"],
      [() => fineTuneOnnxMlp(bike(), x.slice(0, 2), [1]), "targets"],
      [() => fineTuneOnnxMlp(bike(), x.slice(0, 2), [1, Number.NaN]), "targets[1]"],
      [() => fineTuneOnnxMlp(bike(), x.slice(0, 2), [1, 2], { weights: [1, -1] }), "weights[1]"],
      [() => fineTuneOnnxMlp(bike(), x.slice(0, 2), [1, 2], { weights: [0, 0] }), "rows"],
      [() => fineTuneOnnxMlp(bike(), x.slice(0, 2), [1, 2], { learningRate: 0 }), "learningRate"],
      [() => fineTuneOnnxMlp(bike(), x.slice(0, 2), [1, 2], { epochs: 1.5 }), "epochs"],
      [() => fineTuneOnnxMlp(bike(), x.slice(0, 2), [1, 2], { validationFraction: 1 }), "validationFraction"],
      [() => fineTuneOnnxMlp(bike(), x.slice(0, 2), [1, 2], { l2: -1 }), "l2"],
    ];
    for (const [run, path] of cases)
      assert.throws(run, (e) => isTikTokToeError(e, "REQUEST_INVALID") && e.location.path === path, path);
  });
});
