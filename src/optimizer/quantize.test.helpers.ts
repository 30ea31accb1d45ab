import { readFileSync } from "node:fs";
import { decodeModel } from "../onnx/index.js";
import { repoPath } from "../testing/paths.js";
import type { OptimizationData, TechniqueContext } from "./technique.js";

interface ModelEntry {
  readonly dataset: string;
  readonly label: string;
  readonly input: string;
  readonly input_shape?: readonly number[];
  readonly input_transform?: string;
  readonly features?: readonly string[];
  readonly output: string;
  readonly test_rows: readonly number[];
}

/** A bundled classifier with its data split as models/models.json says: test rows held out. */
export interface BundledCase {
  readonly context: TechniqueContext;
  readonly test: OptimizationData;
}

function subset(
  x: Float32Array,
  labels: Float64Array,
  width: number,
  rows: readonly number[],
  classes: number,
): OptimizationData {
  const out = new Float32Array(rows.length * width);
  const y = new Float64Array(rows.length);
  rows.forEach((r, i) => {
    out.set(x.subarray(r * width, (r + 1) * width), i * width);
    y[i] = labels[r]!;
  });
  return { x: out, rows: rows.length, width, labels: y, task: "classification", classes };
}

/** Loads `models/<file>` and its CSV (pixels / 16 for digits), split into training and test rows. */
export function bundledCase(
  file: "digits_mlp.onnx" | "digits_cnn.onnx" | "breast_cancer_mlp.onnx",
): BundledCase {
  const entries = JSON.parse(readFileSync(repoPath("models", "models.json"), "utf8")) as Record<
    string,
    ModelEntry
  >;
  const entry = entries[file]!;
  const folder = entry.dataset.replace(/\.csv$/, "");
  const lines = readFileSync(repoPath("data", folder, entry.dataset), "utf8")
    .trim()
    .split("\n");
  const header = lines[0]!.split(",");
  const labelAt = header.indexOf(entry.label);
  const columns = entry.features
    ? entry.features.map((f) => header.indexOf(f))
    : header.map((_, i) => i).filter((i) => i !== labelAt);
  const scale = entry.input_transform === "pixel / 16" ? 1 / 16 : 1;
  const n = lines.length - 1;
  const width = columns.length;
  const x = new Float32Array(n * width);
  const labels = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const cells = lines[r + 1]!.split(",").map(Number);
    columns.forEach((c, k) => {
      x[r * width + k] = cells[c]! * scale;
    });
    labels[r] = cells[labelAt]!;
  }
  const classes = Math.max(...labels) + 1;
  const testSet = new Set(entry.test_rows);
  const trainRows = Array.from({ length: n }, (_, i) => i).filter((i) => !testSet.has(i));
  const bytes = new Uint8Array(readFileSync(repoPath("models", file)));
  const shape = entry.input_shape ? [-1, ...entry.input_shape] : [-1, width];
  return {
    context: {
      model: decodeModel(bytes),
      bytes,
      train: subset(x, labels, width, trainRows, classes),
      input: { name: entry.input, shape },
      output: entry.output,
      seed: 13,
    },
    test: subset(x, labels, width, entry.test_rows, classes),
  };
}
