import type { Block, ReportDocument, Section, Source } from "./document.js";
import { rangeText } from "./document.js";
import { formatNumber } from "./format.js";

/**
 * One learning update (continual learning, src/learn, being built): the data it learned from, the
 * validation of that data, the batches put aside, the gate's tests of the candidate against the
 * incumbent, and the decision. The learning system writes this; the report renders it.
 *
 * @example
 * ```ts
 * const update: LearningUpdate = { model: "bike", incumbent: "2011", candidate: "2011-u1", fromMs: 0, toMs: 1, validation: [], batches: { accepted: 3, quarantined: [] }, gate: { tests: [], decision: "promote", reason: "all tests passed" } };
 * ```
 */
export interface LearningUpdate {
  readonly model: string;
  /** The version serving when the update started. */
  readonly incumbent: string;
  /** The version the update trained. */
  readonly candidate: string;
  /** The period of data learned from. */
  readonly fromMs: number;
  readonly toMs: number;
  readonly validation: readonly {
    readonly check: string;
    readonly passed: boolean;
    readonly value?: number | null;
    readonly threshold?: number | null;
    readonly detail?: string;
  }[];
  readonly batches: {
    readonly accepted: number;
    readonly quarantined: readonly {
      readonly id: string;
      readonly rows: number;
      readonly reason: string;
      readonly timeMs?: number;
    }[];
  };
  readonly gate: {
    readonly tests: readonly {
      readonly name: string;
      readonly metric: string;
      readonly candidate: number | null;
      readonly incumbent: number | null;
      readonly threshold?: number | null;
      readonly passed: boolean;
      readonly detail?: string;
    }[];
    /** e.g. `promote`, `reject`, `hold`. */
    readonly decision: string;
    readonly reason: string;
  };
}

/**
 * A learning update's report: validation results, quarantined batches, the gate's tests (with a
 * chart of candidate against incumbent per test) and its decision. Pure.
 *
 * @example
 * ```ts
 * const doc = buildLearningDoc({ update, source: { ref: "file: update.json" } }, Date.now());
 * ```
 */
export function buildLearningDoc(
  input: { readonly update: LearningUpdate; readonly source: Source },
  generatedMs: number,
): ReportDocument {
  const { update, source } = input;
  const failed = update.validation.filter((v) => !v.passed).length;
  const quarantinedRows = update.batches.quarantined.reduce((sum, b) => sum + b.rows, 0);
  const overview: Section = {
    id: "update",
    heading: "The update",
    sources: [source],
    blocks: [
      {
        kind: "facts",
        facts: [
          { label: "Model", value: update.model },
          { label: "Incumbent version", value: update.incumbent },
          { label: "Candidate version", value: update.candidate },
          { label: "Data period", value: rangeText(update.fromMs, update.toMs) },
          { label: "Decision", value: `${update.gate.decision}: ${update.gate.reason}` },
        ],
      },
    ],
  };
  const validation: Section = {
    id: "validation",
    heading: "Validation of the new data",
    sources: [{ ...source, detail: "validation" }],
    blocks:
      update.validation.length === 0
        ? [{ kind: "paragraph", text: "No validation check was recorded." }]
        : [
            {
              kind: "table",
              columns: ["check", "result", "value", "threshold", "detail"],
              numeric: [false, false, true, true, false],
              rows: update.validation.map((v) => [
                v.check,
                v.passed ? "passed" : "failed",
                formatNumber(v.value),
                formatNumber(v.threshold),
                v.detail ?? "",
              ]),
            },
            {
              kind: "paragraph",
              text: `${update.validation.length - failed} of ${update.validation.length} check(s) passed.`,
            },
          ],
  };
  const quarantine: Section = {
    id: "quarantine",
    heading: "Quarantined batches",
    sources: [{ ...source, detail: "batches" }],
    blocks: [
      {
        kind: "facts",
        facts: [
          { label: "Batches accepted", value: String(update.batches.accepted) },
          {
            label: "Batches quarantined",
            value: `${update.batches.quarantined.length} (${quarantinedRows} rows)`,
          },
        ],
      },
      ...(update.batches.quarantined.length === 0
        ? [{ kind: "paragraph", text: "No batch was quarantined." } as const]
        : [
            {
              kind: "table",
              columns: ["batch", "rows", "reason"],
              numeric: [false, true, false],
              rows: update.batches.quarantined.map((b) => [b.id, String(b.rows), b.reason]),
            } as const,
          ]),
    ],
  };
  const gateBlocks: Block[] =
    update.gate.tests.length === 0
      ? [{ kind: "paragraph", text: "The gate recorded no test." }]
      : [
          {
            kind: "table",
            columns: ["test", "metric", "candidate", "incumbent", "threshold", "result", "detail"],
            numeric: [false, false, true, true, true, false, false],
            rows: update.gate.tests.map((t) => [
              t.name,
              t.metric,
              formatNumber(t.candidate),
              formatNumber(t.incumbent),
              formatNumber(t.threshold),
              t.passed ? "passed" : "failed",
              t.detail ?? "",
            ]),
          },
          {
            kind: "chart",
            title: "Candidate against incumbent per gate test",
            x: "test",
            y: "value",
            style: "bar",
            series: [
              {
                name: `candidate ${update.candidate}`,
                points: update.gate.tests.map((t, i) => ({ x: i, y: t.candidate, label: t.name })),
              },
              {
                name: `incumbent ${update.incumbent}`,
                points: update.gate.tests.map((t, i) => ({ x: i, y: t.incumbent, label: t.name })),
              },
            ],
          },
        ];
  const gate: Section = {
    id: "gate",
    heading: "Gate tests and decision",
    sources: [{ ...source, detail: "gate" }],
    blocks: [
      ...gateBlocks,
      {
        kind: "paragraph",
        text: `Decision: ${update.gate.decision}. ${update.gate.reason}`,
      },
    ],
  };
  return {
    kind: "learning-report",
    title: `Learning update: ${update.model} ${update.incumbent} to ${update.candidate}`,
    summary: `${update.gate.tests.filter((t) => t.passed).length} of ${update.gate.tests.length} gate test(s) passed; ${update.batches.quarantined.length} batch(es) quarantined; decision: ${update.gate.decision}.`,
    generated: new Date(generatedMs).toISOString(),
    sections: [overview, validation, quarantine, gate],
  };
}
