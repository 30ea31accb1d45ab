/**
 * The model card's sections about the version itself, from its registration record and schema:
 * intended use and task, inputs and outputs, reference data, and its history.
 */
import type { ModelRecord } from "../contract/index.js";
import type { Block, Section, Source } from "./document.js";
import { timeText } from "./document.js";
import { formatNumber } from "./format.js";
import type { ModelCardInput, VersionEvent } from "./model-card-input.js";

function scalarMeta(meta: Readonly<Record<string, unknown>>): Array<[string, string]> {
  return Object.entries(meta)
    .filter(([, value]) => ["string", "number", "boolean"].includes(typeof value))
    .map(([key, value]) => [key, typeof value === "number" ? formatNumber(value) : String(value)]);
}

/** The "Intended use and task" section: the stated use (meta.intended_use), else the task's. */
export function intendedUse(input: ModelCardInput, model: Source, versions: Source): Section {
  const meta = input.version.meta;
  const stated = [meta.intended_use, meta.description].find((t) => typeof t === "string") as
    | string
    | undefined;
  const task = {
    regression: "predicts a number (regression)",
    binary: "predicts one of two classes (binary classification)",
    multiclass: "predicts one of several classes (multiclass classification)",
  }[input.model.task];
  return {
    id: "intended-use",
    heading: "Intended use and task",
    sources: [model, versions],
    blocks: [
      {
        kind: "paragraph",
        text:
          stated ??
          `No intended use was recorded at registration (the version's meta.intended_use). The model ${task}; use it only on inputs like its reference data (below).`,
      },
      {
        kind: "facts",
        facts: [
          { label: "Model", value: input.model.name },
          { label: "Version", value: input.version.version },
          { label: "Task", value: input.model.task },
          ...(input.model.classes === undefined
            ? []
            : [{ label: "Classes", value: input.model.classes.join(", ") }]),
          { label: "Registered", value: timeText(input.version.createdMs) },
          ...scalarMeta(meta)
            .filter(([key]) => key !== "intended_use" && key !== "description")
            .map(([key, value]) => ({ label: `meta.${key}`, value })),
        ],
      },
    ],
  };
}

/** The "Inputs and outputs" section: every schema column, whether drift tests it, and the output. */
export function inputsOutputs(model: ModelRecord, source: Source): Section {
  const output =
    model.task === "regression"
      ? "`prediction`: a number"
      : `\`prediction\`: one of ${model.classes?.join(", ") ?? "the classes"}; optionally class scores`;
  return {
    id: "inputs-outputs",
    heading: "Inputs and outputs",
    sources: [source],
    blocks: [
      {
        kind: "table",
        columns: ["column", "type", "role", "drift-tested"],
        rows: model.features.map((f) => [
          f.name,
          f.type,
          f.role,
          f.role === "sensitive" ? "no (sensitive)" : f.drift === false ? "no" : "yes",
        ]),
      },
      { kind: "paragraph", text: `Output: ${output}. Labels arrive later as \`target\`.` },
    ],
  };
}

/** The "Reference data" section: its rows and columns (from a drift report) and its labelled rows. */
export function referenceData(input: ModelCardInput, versions: Source, drift: Source | null): Section {
  const rq = input.version.referenceQuality ?? null;
  const blocks: Block[] = [];
  if (input.drift === null)
    blocks.push({
      kind: "paragraph",
      text: "No window has been compared with the reference yet, so its per-column summary is not available.",
    });
  else {
    const columns = input.drift.report.columns;
    const rows = Math.max(0, ...columns.map((c) => c.n_reference + c.missing_reference));
    blocks.push(
      { kind: "facts", facts: [{ label: "Reference rows", value: String(rows) }] },
      {
        kind: "table",
        columns: ["column", "type", "rows", "missing"],
        numeric: [false, false, true, true],
        rows: columns.map((c) => [c.column, c.type, String(c.n_reference), String(c.missing_reference)]),
      },
    );
  }
  blocks.push({
    kind: "paragraph",
    text:
      rq === null
        ? "The reference has no labelled rows (prediction and target), so its quality is unknown."
        : `${rq.labelled} reference rows carry both a prediction and a target.`,
  });
  return {
    id: "reference-data",
    heading: "Reference data",
    sources: drift === null ? [versions] : [versions, drift],
    blocks,
  };
}

/** The "Version history" section: the registration and every later entry, oldest first. */
export function history(input: ModelCardInput, versions: Source): Section {
  const meta = input.version.meta;
  const registeredBy = [meta.registered_by, meta.owner].find((t) => typeof t === "string") as
    | string
    | undefined;
  const events: VersionEvent[] = [
    {
      timeMs: input.version.createdMs,
      action: "registered",
      ...(registeredBy === undefined ? {} : { actor: registeredBy }),
      source: versions,
    },
    ...input.history,
  ].sort((a, b) => a.timeMs - b.timeMs);
  const blocks: Block[] = [
    {
      kind: "table",
      columns: ["time", "action", "stage", "by", "reason", "record"],
      rows: events.map((e) => [
        timeText(e.timeMs),
        e.action,
        e.stage ?? "—",
        e.actor ?? "—",
        e.reason ?? "—",
        `\`${e.source.ref}\``,
      ]),
    },
  ];
  if (input.history.length === 0)
    blocks.push({
      kind: "paragraph",
      text: "No promotion, rollback or stage change is recorded for this version: its registration is its whole history.",
    });
  if (typeof meta.optimized_from === "string")
    blocks.push({
      kind: "paragraph",
      text: `Produced by \`tiktoktoe optimize\` from ${meta.optimized_from} (${String(meta.technique ?? "?")}: ${String(meta.label ?? "")}); its optimization report was written to ${String(meta.report ?? "an unrecorded file")} (render it with \`tiktoktoe report optimization\`).`,
    });
  return {
    id: "history",
    heading: "Version history",
    sources: [versions, ...input.history.map((e) => e.source)],
    blocks,
  };
}
