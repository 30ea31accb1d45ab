import type { WindowSummary } from "../contract/index.js";
import type { ReportDocument, Section, Source } from "./document.js";
import { rangeText, timeText } from "./document.js";
import type { ModelCardInput } from "./model-card-input.js";
import { drift, fairness, limitations, metrics, productionWindow } from "./model-card-monitoring.js";
import { history, inputsOutputs, intendedUse, referenceData } from "./model-card-version.js";

// The card's public surface stays in this module: what it is built from and how it is read live in
// model-card-input.ts, its sections in model-card-version.ts and model-card-monitoring.ts.
export {
  type CardSource,
  gatherModelCard,
  type ModelCardInput,
  type QualitySpec,
  type VersionEvent,
  versionEventsFromDeployment,
} from "./model-card-input.js";
export { productionWindow } from "./model-card-monitoring.js";

/**
 * A model card of one version (after Google's Model Card Toolkit and Hugging Face's cards): intended
 * use and task, inputs and outputs, reference data, metrics on the reference and in production,
 * fairness with intervals, drift, known limitations and history — each section citing the API
 * answers it came from. Pure: `generatedMs` is passed in.
 *
 * @example
 * ```ts
 * renderMarkdown(buildModelCard(input, Date.now()));
 * ```
 */
export function buildModelCard(input: ModelCardInput, generatedMs: number): ReportDocument {
  const { model, version } = input;
  const m = encodeURIComponent(model.name);
  const v = encodeURIComponent(version.version);
  const src = {
    model: { ref: `GET /v1/models/${m}` },
    versions: { ref: `GET /v1/models/${m}/versions`, detail: `version ${version.version}` },
    windows: (detail?: string): Source => ({
      ref: `GET /v1/models/${m}/windows?version=${v}`,
      ...(detail === undefined ? {} : { detail }),
    }),
    series: { ref: `GET /v1/models/${m}/series?version=${v}`, detail: "quality and latency rules" },
    drift: (startMs: number): Source => ({
      ref: `GET /v1/models/${m}/windows/${new Date(startMs).toISOString()}/drift?version=${v}`,
      detail: `window ${rangeText(startMs, startMs + windowLength(input.windows))}`,
    }),
  };
  const production = productionWindow(input.windows);
  const sections: Section[] = [
    intendedUse(input, src.model, src.versions),
    inputsOutputs(model, src.model),
    referenceData(input, src.versions, input.drift === null ? null : src.drift(input.drift.startMs)),
    metrics(input, production, src.versions, src.windows, src.series),
    fairness(input, src.model, src.windows),
    drift(input, input.drift === null ? null : src.drift(input.drift.startMs), src.windows),
    limitations(input, production, src.model, src.windows),
    history(input, src.versions),
  ];
  return {
    kind: "model-card",
    title: `Model card: ${model.name} version ${version.version}`,
    summary: `A ${model.task} model with ${model.features.length} input columns, registered ${timeText(version.createdMs)}; ${input.windows.length} monitoring window(s) so far.`,
    generated: new Date(generatedMs).toISOString(),
    sections,
  };
}

function windowLength(windows: readonly WindowSummary[]): number {
  const w = windows[0];
  return w === undefined ? 0 : w.endMs - w.startMs;
}
