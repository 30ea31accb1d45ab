import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { VerificationDeclaration } from "../../contract/index.js";
import {
  checkAgreement,
  checkGolden,
  checkInvariance,
  checkLatency,
  checkSchema,
  type GoldenExpectation,
  type ModelSignature,
  skippedTest,
  type VerificationTestResult,
  type VerifiedOutput,
  verificationOutcome,
} from "../../deploy/index.js";
import { TikTokToeError } from "../../errors/index.js";
import { type OnnxSession, openSession } from "../../onnx/index.js";
import type { ModelRecord, Store } from "../../store/index.js";
import { decodeReferenceRows } from "../model-files.js";
import { parseReferenceColumns } from "../reference.js";
import { predictRows, readOutputs } from "./rows.js";
import { runBound, signatureSchema } from "./sessions.js";
import { bindSignature, feedsFor, type ServingSignature } from "./signature.js";

/**
 * Verification before any traffic (issue #14, docs/deployment.md): runs a model's declared tests —
 * schema compatibility, golden pairs, invariance, latency budget, agreement with production on the
 * reference rows — on a candidate version with its own onnxruntime sessions, decides each with the
 * pure checks of `src/deploy/verification.ts`, and stores the declaration and every run in the
 * store's documents. Without a declaration, schema compatibility and agreement on the reference run
 * by default: the two tests that need nothing declared and catch a wrong or broken model.
 */

/** Document collections: one declaration per model; the runs of each model. */
const DECLARATIONS = "deploy-verification";
const runsOf = (model: string) => `deploy-verifications/${model}`;

/** Defaults (docs/deployment.md). */
export const verificationDefaults = {
  absTolerance: 1e-4,
  relTolerance: 1e-3,
  latencyRuns: 200,
  latencyWarmup: 10,
  minAgreement: 0.9,
  /** Regression without `maxMeanAbsDiff`: 5 % of production's mean |value| on the reference. */
  relativeMeanAbsDiff: 0.05,
  agreementRows: 10_000,
  invarianceRows: 1_000,
} as const;

/** A verification run as stored and answered (the contract's `VerificationRecord`). */
export interface VerificationRun {
  readonly id: string;
  readonly model: string;
  readonly version: string;
  readonly production: string | null;
  readonly atMs: number;
  readonly by: string;
  readonly trigger: "command" | "rollout";
  readonly rollout: string | null;
  readonly declared: boolean;
  readonly reference: string | null;
  readonly outcome: "pass" | "fail";
  readonly tests: readonly VerificationTestResult[];
}

interface DeclarationDoc {
  readonly declaration: VerificationDeclaration;
  readonly atMs: number;
  readonly by: string;
}

/** What the runner needs of the server. */
export interface VerificationDeps {
  readonly store: Store;
  readonly now: () => number;
}

/** The rows of a test as the model's input: row-major float32 [rows, features]. */
interface Matrix {
  readonly data: Float32Array;
  readonly rows: number;
  readonly width: number;
}

const features = (record: ModelRecord) => record.features.filter((f) => f.role === "feature");

/**
 * Declarations and runs of verification. One per deployment service; stateless between calls (the
 * store holds everything).
 *
 * @example
 * ```ts
 * const verification = new Verification({ store, now: Date.now });
 * const run = await verification.run(record, "v2", "v1", { by: "cli", trigger: "command", rollout: null });
 * ```
 */
export class Verification {
  private seq = 0;

  constructor(private readonly deps: VerificationDeps) {}

  /**
   * Stores a model's declaration after checking it against the schema (the contract checked its
   * shape): golden and invariance rows must hold every feature, classes must be the model's, an
   * invariance's feature one of its features. A problem is REQUEST_INVALID with the field's path.
   */
  async declare(record: ModelRecord, declaration: VerificationDeclaration, by: string) {
    checkDeclaration(record, declaration);
    const { by: _by, reason: _reason, ...stored } = declaration;
    const doc: DeclarationDoc = { declaration: stored, atMs: this.deps.now(), by };
    await this.deps.store.putDocument({
      collection: DECLARATIONS,
      key: record.name,
      timeMs: doc.atMs,
      body: JSON.stringify(doc),
    });
    return view(record.name, doc);
  }

  /** The model's declaration, or the defaults' (declared: false). */
  async declaration(model: string) {
    return view(model, await this.load(model));
  }

  /** Every run of a model, oldest first (at most 10,000). */
  async list(model: string): Promise<VerificationRun[]> {
    const docs = await this.deps.store.listDocuments(
      runsOf(model),
      Number.NEGATIVE_INFINITY,
      Number.POSITIVE_INFINITY,
      10_000,
    );
    return docs.map((d) => JSON.parse(d.body) as VerificationRun);
  }

  /**
   * Runs the model's tests on `version` against `production` (null: no production, so schema and
   * agreement are skipped) and stores the run. A failed test is in the answer, not thrown.
   */
  async run(
    record: ModelRecord,
    version: string,
    production: string | null,
    context: {
      readonly by: string;
      readonly trigger: "command" | "rollout";
      readonly rollout: string | null;
      /** What produced the candidate (the rollout's source), when known. */
      readonly source?: { readonly kind: string } | null;
    },
  ): Promise<VerificationRun> {
    const doc = await this.load(record.name);
    const declaration = doc?.declaration ?? {};
    const model = record.name;
    const candidateBytes = await this.deps.store.getArtifact(model, version, "onnx");
    if (candidateBytes === undefined)
      throw new TikTokToeError("NOT_SERVING", `version "${version}" of "${model}" has no ONNX model`, {
        path: "version",
        hint: `upload it: PUT /v1/models/${model}/versions/${version}/model`,
      });
    const other = production !== null && production !== version ? production : null;
    const sessions: OnnxSession[] = [];
    const open = async (bytes: Uint8Array) => {
      // One thread, as serving runs it: the latency measured is the latency served.
      const session = await openSession(bytes, { intraOpNumThreads: 1, graphOptimizationLevel: "all" });
      sessions.push(session);
      return session;
    };
    try {
      const candidate = await open(candidateBytes);
      const productionBytes =
        other === null ? undefined : await this.deps.store.getArtifact(model, other, "onnx");
      const prod = productionBytes === undefined ? null : await open(productionBytes);
      const tests: VerificationTestResult[] = [];
      const width = features(record).length;
      const classes = record.task === "regression" ? null : (record.classes?.length ?? 0);
      // Schema: against production's graph, and always the serving convention itself (the candidate
      // must take the schema's features), since no other test can run without it.
      const schema = signatureSchema(record);
      const bound = bindSignature(candidate.inputs, candidate.outputs, schema);
      const fits = typeof bound === "string" ? bound : null;
      // Production serves already, so it binds; a graph that no longer does is compared by schema only.
      const prodBound = prod === null ? null : bindSignature(prod.inputs, prod.outputs, schema);
      const signatures = new Map<OnnxSession, ServingSignature>();
      if (typeof bound !== "string") signatures.set(candidate, bound);
      if (prod !== null && prodBound !== null && typeof prodBound !== "string")
        signatures.set(prod, prodBound);
      if (declaration.tests?.schema !== false || fits !== null) {
        const compared = prod === null ? null : checkSchema(signature(prod), signature(candidate), classes);
        if (fits !== null)
          tests.push({
            name: "schema",
            kind: "schema",
            outcome: "fail",
            value: (compared?.value ?? 0) + 1,
            limit: 0,
            n: compared?.n ?? null,
            figures: { problems: (compared?.figures.problems ?? 0) + 1 },
            reason: compared === null || compared.outcome === "pass" ? fits : `${fits}; ${compared.reason}`,
          });
        else
          tests.push(
            compared ??
              skippedTest(
                "schema",
                "schema",
                "no production version to compare with: only the serving convention was checked",
              ),
          );
      }
      const broken = tests.some((t) => t.kind === "schema" && t.outcome === "fail");
      const blocked = (name: string, kind: VerificationTestResult["kind"]) =>
        skippedTest(name, kind, "not run: the schema is incompatible");
      const run = async (session: OnnxSession, m: Matrix) =>
        runRows(record, session, signatures.get(session)!, m);

      // The reference rows: production's upload, else the candidate's.
      const reference = await this.reference(record, other, version);

      const golden = declaration.tests?.golden;
      if (golden !== undefined) {
        if (broken) tests.push(blocked("golden", "golden"));
        else {
          const m = rowsMatrix(
            record,
            golden.rows.map((r) => r.input),
          );
          tests.push(
            checkGolden(
              record.task,
              golden.rows.map((r) => expectation(record, r.expected)),
              await run(candidate, m),
              {
                abs: golden.absTolerance ?? verificationDefaults.absTolerance,
                rel: golden.relTolerance ?? verificationDefaults.relTolerance,
              },
            ),
          );
        }
      }

      for (const check of declaration.tests?.invariance ?? []) {
        const name = `invariance:${check.name}`;
        if (broken) {
          tests.push(blocked(name, "invariance"));
          continue;
        }
        const onRows = check.on === "rows" || (check.on === undefined && check.rows !== undefined);
        const base = onRows
          ? rowsMatrix(record, check.rows ?? [])
          : reference === null
            ? null
            : head(reference.matrix, check.maxRows ?? verificationDefaults.invarianceRows);
        if (base === null) {
          tests.push(
            skippedTest(
              name,
              "invariance",
              "no reference rows to perturb: upload a reference or declare rows",
            ),
          );
          continue;
        }
        const k = features(record).findIndex((f) => f.name === check.feature);
        const settings = check.values ?? [check.add!];
        const perturbed = new Float32Array(base.data.length * settings.length);
        for (const [s, setting] of settings.entries()) {
          const offset = s * base.data.length;
          perturbed.set(base.data, offset);
          for (let i = 0; i < base.rows; i++) {
            const at = offset + i * base.width + k;
            perturbed[at] = check.values === undefined ? perturbed[at]! + setting : setting;
          }
        }
        tests.push(
          checkInvariance(
            name,
            record.task,
            await run(candidate, base),
            await run(candidate, { data: perturbed, rows: base.rows * settings.length, width: base.width }),
            {
              tolerance: check.tolerance ?? 0,
              maxViolationRate: check.maxViolationRate ?? 0,
            },
          ),
        );
      }

      const latency = declaration.metrics?.latency;
      if (latency !== undefined) {
        if (broken) tests.push(blocked("latency", "latency"));
        else {
          const one =
            reference !== null && reference.matrix.rows > 0
              ? head(reference.matrix, 1)
              : golden !== undefined
                ? rowsMatrix(record, [golden.rows[0]!.input])
                : { data: new Float32Array(width), rows: 1, width };
          tests.push(
            checkLatency(
              await timeRuns(
                candidate,
                signatures.get(candidate)!,
                one,
                latency.runs ?? verificationDefaults.latencyRuns,
              ),
              latency.budgetMs,
            ),
          );
        }
      }

      const agreement = declaration.metrics?.agreement;
      if (broken) tests.push(blocked("agreement", "agreement"));
      else if (agreement === undefined && context.source?.kind === "learning")
        // A retrained model answers differently by design; the learning loop's gate judges how much
        // (prediction churn, flip rate, PSI of the scores). A declared agreement still applies.
        tests.push(
          skippedTest(
            "agreement",
            "agreement",
            "a learning candidate: its stability against production is the promotion gate's to judge",
          ),
        );
      else if (prod === null)
        tests.push(skippedTest("agreement", "agreement", "no production version to compare with"));
      else if (!signatures.has(prod))
        tests.push(
          skippedTest(
            "agreement",
            "agreement",
            `production does not bind to the schema any more: ${String(prodBound)}`,
          ),
        );
      else if (reference === null)
        tests.push(
          skippedTest(
            "agreement",
            "agreement",
            `no reference rows: upload them (PUT /v1/models/${model}/versions/${other}/reference)`,
          ),
        );
      else {
        const m = head(reference.matrix, agreement?.maxRows ?? verificationDefaults.agreementRows);
        const ours = await run(candidate, m);
        const theirs = await run(prod, m);
        let maxMeanAbsDiff: number | null = agreement?.maxMeanAbsDiff ?? null;
        if (record.task === "regression" && maxMeanAbsDiff === null) {
          const mean = theirs.reduce((s, o) => s + Math.abs(Number(o.prediction)), 0) / theirs.length;
          maxMeanAbsDiff = verificationDefaults.relativeMeanAbsDiff * mean;
        }
        tests.push(
          checkAgreement(record.task, ours, theirs, {
            minAgreement: agreement?.minAgreement ?? verificationDefaults.minAgreement,
            maxMeanAbsDiff,
          }),
        );
      }

      const atMs = this.deps.now();
      const result: VerificationRun = {
        id: `${String(atMs).padStart(16, "0")}-${String(this.seq++).padStart(6, "0")}-${randomUUID().slice(0, 8)}`,
        model,
        version,
        production: other,
        atMs,
        by: context.by,
        trigger: context.trigger,
        rollout: context.rollout,
        declared: doc !== undefined,
        reference: reference?.version ?? null,
        outcome: verificationOutcome(tests),
        tests: tests.map(finite),
      };
      await this.deps.store.putDocument({
        collection: runsOf(model),
        key: result.id,
        timeMs: atMs,
        body: JSON.stringify(result),
      });
      return result;
    } finally {
      for (const session of sessions) await session.release();
    }
  }

  private async load(model: string): Promise<DeclarationDoc | undefined> {
    const doc = await this.deps.store.getDocument(DECLARATIONS, model);
    return doc === undefined ? undefined : (JSON.parse(doc.body) as DeclarationDoc);
  }

  /** The reference rows of `production` (else of `candidate`) as the model's input; null when none. */
  private async reference(
    record: ModelRecord,
    production: string | null,
    candidate: string,
  ): Promise<{ version: string; matrix: Matrix } | null> {
    for (const version of production === null ? [candidate] : [production, candidate]) {
      const stored = await this.deps.store.getArtifact(record.name, version, "reference-rows");
      if (stored === undefined) continue;
      const { mediaType, bytes } = decodeReferenceRows(stored);
      const parsed = parseReferenceColumns(record, bytes, mediaType);
      const list = features(record);
      const data = new Float32Array(parsed.rows * list.length);
      let usable = true;
      list.forEach((feature, k) => {
        const column = parsed.columns[feature.name];
        if (column === undefined) {
          usable = false;
          return;
        }
        for (let i = 0; i < parsed.rows; i++) {
          const v = column instanceof Float64Array ? column[i]! : Number(column[i] ?? Number.NaN);
          if (!Number.isFinite(v)) usable = false;
          data[i * list.length + k] = v;
        }
      });
      // Rows with a missing or non-numeric feature cannot be fed: such a reference is not used.
      if (!usable) continue;
      return { version, matrix: { data, rows: parsed.rows, width: list.length } };
    }
    return null;
  }
}

function view(model: string, doc: DeclarationDoc | undefined) {
  return {
    model,
    declared: doc !== undefined,
    declaration: (doc?.declaration ?? {}) as Record<string, unknown>,
    atMs: doc?.atMs ?? null,
    by: doc?.by ?? null,
  };
}

/** JSON has no NaN or infinity: such a figure is stored as null. */
function finite(t: VerificationTestResult): VerificationTestResult {
  const f = (x: number | null) => (x !== null && Number.isFinite(x) ? x : null);
  return {
    ...t,
    value: f(t.value),
    limit: f(t.limit),
    n: f(t.n),
    figures: Object.fromEntries(Object.entries(t.figures).map(([k, v]) => [k, f(v)])),
  };
}

function signature(session: OnnxSession): ModelSignature {
  const describe = (v: { name: string; type?: string; shape: readonly (number | string)[] }) => ({
    name: v.name,
    type: v.type,
    shape: [...v.shape],
  });
  return {
    inputs: session.inputs.map(describe),
    outputs: session.outputs.filter((o) => o.isTensor).map(describe),
  };
}

function head(m: Matrix, rows: number): Matrix {
  const n = Math.min(rows, m.rows);
  return { data: m.data.subarray(0, n * m.width), rows: n, width: m.width };
}

function rowsMatrix(record: ModelRecord, rows: ReadonlyArray<Readonly<Record<string, unknown>>>): Matrix {
  const built = predictRows(record, rows);
  return { data: built.matrix, rows: built.rows, width: features(record).length };
}

/** Runs a session over rows in batches of 1,000 (a reference of 100,000 rows stays bounded). */
async function runRows(
  record: ModelRecord,
  session: OnnxSession,
  bound: ServingSignature,
  m: Matrix,
): Promise<VerifiedOutput[]> {
  const out: VerifiedOutput[] = [];
  for (let start = 0; start < m.rows; start += 1000) {
    const rows = Math.min(1000, m.rows - start);
    const data = m.data.slice(start * m.width, (start + rows) * m.width);
    out.push(...readOutputs(record, await runBound(session, bound, data, rows, m.width), rows));
  }
  return out;
}

/** Single-row run times (ms) after a warm-up, as serving runs a one-row request. */
async function timeRuns(
  session: OnnxSession,
  bound: ServingSignature,
  one: Matrix,
  runs: number,
): Promise<number[]> {
  const feeds = feedsFor(bound, one.data.slice(0, one.width), 1, one.width);
  const output = bound.output.name;
  for (let i = 0; i < verificationDefaults.latencyWarmup; i++) await session.run(feeds, [output]);
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await session.run(feeds, [output]);
    samples.push(performance.now() - start);
  }
  return samples;
}

function expectation(
  record: ModelRecord,
  expected: { prediction?: string | number | undefined; scores?: Record<string, number> | undefined },
): GoldenExpectation {
  const classes = record.classes ?? [];
  return {
    ...(expected.prediction === undefined ? {} : { prediction: expected.prediction }),
    ...(expected.scores === undefined
      ? {}
      : { scores: classes.map((c) => (Object.hasOwn(expected.scores!, c) ? expected.scores![c]! : null)) }),
  };
}

/** The declaration's fit with the schema; the first problem is thrown with its path. */
function checkDeclaration(record: ModelRecord, declaration: VerificationDeclaration): void {
  const invalid = (path: string, message: string, hint?: string) =>
    new TikTokToeError("REQUEST_INVALID", `${path}: ${message}`, {
      path,
      ...(hint === undefined ? {} : { hint }),
    });
  const rows = (list: ReadonlyArray<Record<string, number>>, path: (i: number) => string) => {
    for (const [i, row] of list.entries()) {
      try {
        predictRows(record, [row]);
      } catch (error) {
        if (!(error instanceof TikTokToeError)) throw error;
        const where = (error.location.path ?? "").replace(/^inputs\.0\.?/, "");
        const at = where === "" ? path(i) : `${path(i)}.${where}`;
        throw invalid(at, error.message.replace(/^row 0:? ?/, ""), error.hint);
      }
    }
  };
  const classes = record.classes ?? [];
  const golden = declaration.tests?.golden;
  if (golden !== undefined) {
    rows(
      golden.rows.map((r) => r.input),
      (i) => `tests.golden.rows[${i}].input`,
    );
    for (const [i, r] of golden.rows.entries()) {
      const at = `tests.golden.rows[${i}].expected`;
      const p = r.expected.prediction;
      if (record.task === "regression") {
        if (p !== undefined && typeof p !== "number")
          throw invalid(`${at}.prediction`, "a regression's expected value must be a number");
        if (r.expected.scores !== undefined)
          throw invalid(`${at}.scores`, "a regression has no class scores");
      } else {
        if (p !== undefined && !classes.includes(String(p)))
          throw invalid(
            `${at}.prediction`,
            `"${p}" is not a class of the model`,
            `classes: ${classes.join(", ")}`,
          );
        for (const c of Object.keys(r.expected.scores ?? {}))
          if (!classes.includes(c))
            throw invalid(
              `${at}.scores.${c}`,
              `"${c}" is not a class of the model`,
              `classes: ${classes.join(", ")}`,
            );
      }
    }
  }
  const names = new Set(features(record).map((f) => f.name));
  const seen = new Set<string>();
  for (const [j, check] of (declaration.tests?.invariance ?? []).entries()) {
    const at = `tests.invariance[${j}]`;
    if (seen.has(check.name)) throw invalid(`${at}.name`, `"${check.name}" is declared twice`);
    seen.add(check.name);
    if (!names.has(check.feature))
      throw invalid(
        `${at}.feature`,
        `"${check.feature}" is not a feature of model "${record.name}"`,
        `features: ${[...names].slice(0, 20).join(", ")}`,
      );
    if (check.rows !== undefined) rows(check.rows, (i) => `${at}.rows[${i}]`);
    if (check.tolerance !== undefined && record.task !== "regression")
      throw invalid(`${at}.tolerance`, "a classifier's invariance is its class: tolerance is for regression");
  }
  const agreement = declaration.metrics?.agreement;
  if (agreement?.maxMeanAbsDiff !== undefined && record.task !== "regression")
    throw invalid("metrics.agreement.maxMeanAbsDiff", "is for regression; a classifier's is minAgreement");
  if (agreement?.minAgreement !== undefined && record.task === "regression")
    throw invalid("metrics.agreement.minAgreement", "is for classifiers; a regression's is maxMeanAbsDiff");
}
