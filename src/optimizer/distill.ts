import { encodeModel, indexGraph, type NodeProto } from "../onnx/index.js";
import { exportMlp, extractMlp, type MlpFrame, mlpFrame } from "../optimize/index.js";
import { seededRandom } from "../stats/index.js";
import { type Activation, createMlp, DEFAULT_DISTILLATION, MlpTrainer } from "../train/index.js";
import { fetchTensors, reasonOf } from "./mlp-data.js";
import type { Candidate, Technique, TechniqueContext } from "./technique.js";

/**
 * `distill` (issue #13): a small MLP student trained on the baseline's soft targets (Hinton et al.
 * 2015) with the TypeScript trainer, exported as an ONNX Gemm chain with the teacher's input and
 * output names.
 */

/**
 * Settings of the distillation technique.
 *
 * @example
 * ```ts
 * const options: DistillOptions = { hidden: [32], temperature: 2, alpha: 0.5, epochs: 150 };
 * ```
 */
export interface DistillOptions {
  /** Hidden layer widths of the student. Default [32]. */
  readonly hidden?: readonly number[];
  /** Activation of the hidden layers. Default relu. */
  readonly activation?: Activation;
  /** T. Default 2. */
  readonly temperature?: number;
  /** α, the weight of the soft term (1 − α weighs the labels). Default 0.5. */
  readonly alpha?: number;
  /** Default 150. */
  readonly epochs?: number;
  /** Adam's learning rate. Default 3e-3. */
  readonly learningRate?: number;
  /** Default 32. */
  readonly batchSize?: number;
}

/** What the student reads, where the teacher's logits are, and the frame around the layers. */
interface TeacherView {
  /** The tensor the student's first layer reads: the graph input or the teacher's normalised input. */
  readonly studentInput: string;
  readonly logits: string;
  readonly frame: MlpFrame;
}

/**
 * An MLP teacher lends its normalisation prefix and Softmax suffix; any other teacher (a CNN) gives
 * its raw input, and its logits are the input of a final Softmax when it has one.
 */
function teacherView(context: TechniqueContext): TeacherView {
  const found = extractMlp(context.model);
  if (found.ok)
    return {
      studentInput: found.graph.layerInput,
      logits: found.graph.logits,
      frame: mlpFrame(context.model, found.graph),
    };
  const graph = context.model.graph;
  const producer = graph === undefined ? undefined : indexGraph(graph).producers.get(context.output)?.node;
  if (producer?.opType === "Softmax") {
    const suffix: NodeProto[] = [producer];
    return {
      studentInput: context.input.name,
      logits: producer.input[0]!,
      frame: { suffix: { nodes: suffix, input: producer.input[0]! } },
    };
  }
  return { studentInput: context.input.name, logits: context.output, frame: {} };
}

/**
 * `distill`: runs the teacher (the baseline, in onnxruntime) on ctx.train for its logits, trains a
 * student MLP (input → `hidden` → outputs, seeded) for `epochs` of Adam on the distillation loss
 *
 *   ℓ = α · T² · KL(softmax(t/T) ‖ softmax(s/T)) + (1 − α) · CE(softmax(s), y)
 *
 * (T = 2, α = 0.5; regression: α · MSE(s, t) + (1 − α) · MSE(s, y)), and exports it: same input name
 * and shape and output name as the teacher, the teacher's normalisation prefix and Softmax kept,
 * opset 13.
 *
 * @example
 * ```ts
 * const { candidates } = await distillTechnique({ hidden: [32] }).run(ctx);
 * ```
 */
export function distillTechnique(options: DistillOptions = {}): Technique {
  return {
    name: "distill",
    async run(context) {
      try {
        const view = teacherView(context);
        const names =
          view.studentInput === context.input.name ? [view.logits] : [view.studentInput, view.logits];
        const fetched = await fetchTensors(context, context.model, names);
        const x = names.length === 1 ? context.train.x : fetched[0]!;
        const teacher = fetched.at(-1)!;
        const { train } = context;
        const rows = train.rows;
        const inputs = x.length / rows;
        const outputs = teacher.length / rows;
        const hidden = options.hidden ?? [32];
        const temperature = options.temperature ?? DEFAULT_DISTILLATION.temperature;
        const alpha = options.alpha ?? DEFAULT_DISTILLATION.alpha;
        const epochs = options.epochs ?? 150;
        const learningRate = options.learningRate ?? 3e-3;
        const batchSize = options.batchSize ?? 32;
        const classification = train.task === "classification";
        const student = createMlp(
          { sizes: [inputs, ...hidden, outputs], hidden: options.activation ?? "relu" },
          seededRandom(context.seed),
        );
        const trainer = new MlpTrainer(student, {
          loss: classification
            ? { kind: "distillation", temperature, alpha }
            : { kind: "regression-distillation", alpha },
          seed: context.seed,
          optimizer: { kind: "adam", learningRate },
          batchSize,
        });
        const data = classification
          ? { x, rows, teacher, labels: Int32Array.from(train.labels) }
          : { x, rows, teacher, targets: Float32Array.from(train.labels) };
        let firstLoss = Number.NaN;
        let lastLoss = Number.NaN;
        for (let e = 0; e < epochs; e++) {
          lastLoss = trainer.trainEpoch(data);
          if (e === 0) firstLoss = lastLoss;
          context.progress?.("distill", e + 1, epochs);
        }
        const model = exportMlp(trainer.model, {
          ...view.frame,
          input: { name: context.input.name, shape: context.input.shape },
          output: context.output,
        });
        const bytes = encodeModel(model);
        const widths = [inputs, ...hidden, outputs].join("-");
        const candidate: Candidate = {
          technique: "distill",
          label: `distilled student ${widths} (T = ${temperature}, α = ${alpha})`,
          bytes,
          notes: [
            classification
              ? `loss α·T²·KL(softmax(t/T) ‖ softmax(s/T)) + (1 − α)·CE(softmax(s), y), T = ${temperature}, α = ${alpha}; teacher logits from onnxruntime on ${rows} rows`
              : `loss α·MSE(s, teacher) + (1 − α)·MSE(s, y), α = ${alpha}; teacher outputs from onnxruntime on ${rows} rows`,
            `${epochs} epochs of Adam (η = ${learningRate}, batch ${batchSize}), seed ${context.seed}; loss ${firstLoss.toFixed(4)} → ${lastLoss.toFixed(4)}`,
            `exported as Gemm (transB = 1) + ${options.activation ?? "relu"}${view.frame.prefix ? ", with the teacher's normalisation prefix" : ""}${view.frame.suffix ? ", with the teacher's Softmax" : ""}; file ${context.bytes.length} → ${bytes.length} bytes`,
          ],
          parameters: {
            hidden,
            temperature,
            alpha,
            epochs,
            learningRate,
            batchSize,
            loss: [firstLoss, lastLoss],
          },
        };
        return { candidates: [candidate], skipped: [] };
      } catch (error) {
        return { candidates: [], skipped: [`distill: ${reasonOf(error)}`] };
      }
    },
  };
}
