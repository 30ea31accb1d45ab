import { z } from "zod";
import type { ErrorCode } from "../errors/index.js";
import {
  AckAnswer,
  AckRequest,
  AlertList,
  SilenceCreated,
  SilenceExpired,
  SilenceList,
  SilenceRequest,
} from "./alerts.js";
import {
  AnalysisList,
  DeploymentHistory,
  DeploymentState,
  isPredictRequest,
  ModelUploaded,
  PredictAnswer,
  PredictRequest,
  RolloutCommand,
  RolloutList,
  RolloutRecord,
  RolloutRequest,
  StageChange,
  VerificationDeclaration,
  VerificationDeclared,
  VerificationList,
  VerificationRecord,
  VerifyRequest,
} from "./deploy.js";
import { Importance } from "./explanations.js";
import { ClockAdvance, ClockAnswer, EventBatch, IngestQueued, IngestResult, LabelBatch } from "./ingest.js";
import { LabelledEvent } from "./labelled.js";
import { LearningDeclaration, LearningRunList, LearningState } from "./learning.js";
import {
  ModelDefinition,
  ModelList,
  ModelRecord,
  ReferenceStored,
  VersionCreated,
  VersionList,
  VersionRegistration,
} from "./models.js";
import { DriftReport, HealthReport, Overview, ReportList, Series, WindowList } from "./monitoring.js";
import { ResourcesReport } from "./resources.js";
import { Liveness, NotReady, OpenApiDocument, Ready } from "./system.js";

/** The scope a token needs for a route (docs/server.md); `null`: open to anyone who reaches the server. */
export type Scope = "read" | "ingest" | "admin";

/**
 * A media type's schema: a zod schema of the whole body, or, for a stream or a file format that is not
 * JSON (NDJSON, CSV, server-sent events, Prometheus text), a text body described in words; `items`
 * then names the schema of one NDJSON line.
 */
export interface Media {
  readonly schema?: z.ZodType;
  /**
   * A hand-written test for the hot routes (`/predict`): true only for values the schema accepts,
   * decided without allocating (a zod parse of a 30-feature row builds copies of it, and that garbage
   * is what a served model's tail latency is made of). False is "not sure": the schema then decides
   * and explains. Must never be true where the schema says no (a property test holds it to that).
   */
  readonly check?: (value: unknown) => boolean;
  readonly text?: string;
  readonly items?: z.ZodType;
}

/** A non-error answer of a route. */
export interface Answer {
  readonly description: string;
  readonly content?: Readonly<Record<string, Media>>;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * One route of the HTTP API: everything the server validates, the OpenAPI document describes and the
 * clients' types derive from. `errors` lists the codes this route itself answers; those of every route
 * (authentication, 405, 500, body limits) are added by {@link errorsOf}.
 *
 * @example
 * ```ts
 * const route: RouteContract = api.listModels;
 * route.method; // "get"
 * ```
 */
export interface RouteContract {
  readonly method: "get" | "post" | "put" | "delete";
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tag: string;
  readonly scope: Scope | null;
  readonly params?: z.ZodObject;
  readonly query?: z.ZodObject;
  readonly body?: { readonly description: string; readonly content: Readonly<Record<string, Media>> };
  readonly answers: Readonly<Record<number, Answer>>;
  readonly errors: readonly ErrorCode[];
}

// ---- parameters -------------------------------------------------------------------------------

const model = z.string().min(1).describe("the model's name");
const version = z.string().min(1).describe("the version's name");
const time = (name: string, what: string) =>
  z.string().describe(`${what}: ISO 8601 or epoch milliseconds (${name})`);
const integer = (name: string, low: number, high: number) =>
  z
    .string()
    .refine((value) => {
      const n = Number(value);
      return Number.isInteger(n) && n >= low && n <= high;
    }, `${name} must be an integer from ${low} to ${high}`)
    .describe(`an integer from ${low} to ${high}`);

const ModelParams = z.object({ model });
const RangeQuery = z.object({
  last: z.string().optional().describe("a duration back from the clock: 24h, 7d, 30d (instead of from/to)"),
  from: time("from", "start, inclusive").optional(),
  to: time("to", "end, exclusive").optional(),
  points: integer("points", 2, 10_000).optional().describe("the most points per series (default 1000)"),
});

// ---- media ------------------------------------------------------------------------------------

const json = (schema: z.ZodType, check?: (value: unknown) => boolean): Readonly<Record<string, Media>> => ({
  "application/json": check === undefined ? { schema } : { schema, check },
});
const ndjsonOf = (items: z.ZodType, what: string): Media => ({
  text: `${what}, one JSON object per line`,
  items,
});
const batch = (items: z.ZodType, array: z.ZodType, what: string): Readonly<Record<string, Media>> => ({
  "application/x-ndjson": ndjsonOf(items, what),
  "application/ndjson": ndjsonOf(items, what),
  "application/jsonl": ndjsonOf(items, what),
  "application/json": { schema: array },
});
const ok = (description: string, schema: z.ZodType): Answer => ({ description, content: json(schema) });

/** `?format=` of a document (issue #17): Markdown (default) or one self-contained HTML file. */
const DocumentQuery = z.object({
  format: z
    .enum(["markdown", "html"], 'format must be one of "markdown", "html"')
    .optional()
    .describe("markdown (default) or html"),
});
const documentAnswer = (what: string): Answer => ({
  description: `${what}, rendered`,
  content: {
    "text/markdown": { text: `${what} as Markdown (passes markdownlint's default rules)` },
    "text/html": { text: `${what} as one self-contained HTML file: inline CSS and SVG, no script` },
  },
});

/** Errors of a route that reads a model's records: an unknown model is a 404. */
const MODEL: readonly ErrorCode[] = ["NOT_FOUND"];
/** Errors of a route that writes to the store. */
const WRITE: readonly ErrorCode[] = ["STORE_UNAVAILABLE"];
/** Routes that write ingest batches: through the queue when the server has one (`serve --queue`). */
const INGEST_WRITE: readonly ErrorCode[] = [...WRITE, "QUEUE_UNAVAILABLE"];

/**
 * Every route of the HTTP API but the dashboard's HTML pages and assets, by operationId.
 *
 * @example
 * ```ts
 * for (const route of Object.values(api)) console.log(route.method, route.path);
 * ```
 */
export const api = {
  liveness: {
    method: "get",
    path: "/healthz",
    operationId: "liveness",
    summary: "Liveness: the process answers",
    tag: "operations",
    scope: null,
    answers: { 200: ok("alive", Liveness) },
    errors: [],
  },
  readiness: {
    method: "get",
    path: "/readyz",
    operationId: "readiness",
    summary: "Readiness: 503 with the reason while the store refuses writes (a full disk)",
    tag: "operations",
    scope: null,
    answers: { 200: ok("ready", Ready), 503: ok("not ready: the store's failure and since when", NotReady) },
    errors: [],
  },
  metrics: {
    method: "get",
    path: "/metrics",
    operationId: "metrics",
    summary: "Prometheus exposition: ingest, HTTP, notification and process series, and the machine's",
    tag: "operations",
    scope: "read",
    answers: {
      200: {
        description: "Prometheus text format 0.0.4",
        content: { "text/plain": { text: "Prometheus exposition format, version 0.0.4" } },
      },
    },
    errors: [],
  },
  openapi: {
    method: "get",
    path: "/openapi.json",
    operationId: "openapi",
    summary: "This document",
    tag: "operations",
    scope: null,
    answers: { 200: ok("OpenAPI 3.1", OpenApiDocument) },
    errors: [],
  },
  overview: {
    method: "get",
    path: "/v1/overview",
    operationId: "getOverview",
    summary: "Every model with its health and reasons, newest quality, firing alerts and a sparkline",
    tag: "dashboard",
    scope: "read",
    answers: { 200: ok("the overview", Overview) },
    errors: [],
  },
  stream: {
    method: "get",
    path: "/v1/stream",
    operationId: "stream",
    summary: "Live updates as server-sent events",
    description:
      "Events `window` (written or closed), `report`, `alert` (state changes) and `reset` (reload: the gap since Last-Event-ID is too old).",
    tag: "dashboard",
    scope: "read",
    answers: {
      200: {
        description: "an event stream",
        content: { "text/event-stream": { text: "server-sent events: window, report, alert, reset" } },
      },
    },
    errors: ["SERVER_BUSY"],
  },
  resources: {
    method: "get",
    path: "/v1/resources",
    operationId: "getResources",
    summary: "The machine's resources per window over from/to or last (default 24h), oldest first",
    description:
      "CPU, memory, GPUs, filesystems, disks, network, caches and probes (docs/resources.md), at most `points` points (windows merged beyond it); with the newest snapshot, the rule thresholds and the resource alerts firing. 404 when resource monitoring is not running.",
    tag: "resources",
    scope: "read",
    query: RangeQuery,
    answers: { 200: ok("the resources report", ResourcesReport) },
    errors: ["REQUEST_INVALID", "NOT_FOUND"],
  },
  listModels: {
    method: "get",
    path: "/v1/models",
    operationId: "listModels",
    summary: "List the registered models",
    tag: "models",
    scope: "read",
    answers: { 200: ok("the models, by name", ModelList) },
    errors: [],
  },
  registerModel: {
    method: "post",
    path: "/v1/models",
    operationId: "registerModel",
    summary: "Register a model: its task, columns and classes",
    tag: "models",
    scope: "admin",
    body: { description: "the model", content: json(ModelDefinition) },
    answers: { 201: ok("registered", ModelRecord) },
    errors: ["REQUEST_INVALID", "STORE_CONFLICT", ...WRITE],
  },
  getModel: {
    method: "get",
    path: "/v1/models/{model}",
    operationId: "getModel",
    summary: "A model",
    tag: "models",
    scope: "read",
    params: ModelParams,
    answers: { 200: ok("the model", ModelRecord) },
    errors: MODEL,
  },
  listVersions: {
    method: "get",
    path: "/v1/models/{model}/versions",
    operationId: "listVersions",
    summary: "A model's versions",
    tag: "models",
    scope: "read",
    params: ModelParams,
    answers: { 200: ok("the versions", VersionList) },
    errors: MODEL,
  },
  registerVersion: {
    method: "post",
    path: "/v1/models/{model}/versions",
    operationId: "registerVersion",
    summary: "Register a version, optionally with its ONNX model (base64), checked to load first",
    tag: "models",
    scope: "admin",
    params: ModelParams,
    body: { description: "the version", content: json(VersionRegistration) },
    answers: { 201: ok("registered", VersionCreated) },
    errors: ["REQUEST_INVALID", "ONNX_INVALID", "STORE_CONFLICT", ...MODEL, ...WRITE],
  },
  putReference: {
    method: "put",
    path: "/v1/models/{model}/versions/{version}/reference",
    operationId: "putReference",
    summary: "Upload a version's reference data; its profile is what windows are compared with",
    description:
      "CSV with a header, or NDJSON: the schema's columns, optionally `prediction` and `target` (and class scores). Without predictions, a version's ONNX model predicts them.",
    tag: "models",
    scope: "admin",
    params: z.object({ model, version }),
    body: {
      description: "the reference rows",
      content: {
        "text/csv": { text: "CSV with a header line: the model's columns, optionally prediction and target" },
        "application/x-ndjson": {
          text: "one JSON object per row: the model's columns, optionally prediction and target",
        },
      },
    },
    answers: { 200: ok("the profile is stored", ReferenceStored) },
    errors: [
      "REQUEST_INVALID",
      "INPUT_EMPTY",
      "INPUT_RAGGED_ROW",
      "INPUT_BAD_JSON",
      "INPUT_NOT_NUMERIC",
      "INPUT_COLUMN_MISSING",
      "INPUT_FORMAT",
      "ONNX_INVALID",
      "STORE_NOT_FOUND",
      ...MODEL,
      ...WRITE,
    ],
  },
  ingestEvents: {
    method: "post",
    path: "/v1/models/{model}/events",
    operationId: "ingestEvents",
    summary: "Ingest prediction events: NDJSON or a JSON array; the whole batch is validated first",
    description:
      "A batch with bad records is refused whole with INGEST_INVALID, its problems listing line, field and code; nothing is stored. Resent ids are counted as duplicates.",
    tag: "ingest",
    scope: "ingest",
    params: ModelParams,
    body: { description: "the events", content: batch(EventBatch.element, EventBatch, "prediction events") },
    answers: {
      200: ok("stored", IngestResult),
      202: ok("queued (serve --queue): durable in the ingest log, stored by a worker shortly", IngestQueued),
    },
    errors: ["INGEST_INVALID", ...MODEL, ...INGEST_WRITE],
  },
  ingestLabels: {
    method: "post",
    path: "/v1/models/{model}/labels",
    operationId: "ingestLabels",
    summary: "Ingest labels, joined to their events by id: NDJSON or a JSON array",
    tag: "ingest",
    scope: "ingest",
    params: ModelParams,
    body: { description: "the labels", content: batch(LabelBatch.element, LabelBatch, "labels") },
    answers: {
      200: ok("stored (unmatched: labels of unknown events)", IngestResult),
      202: ok("queued (serve --queue): durable in the ingest log, stored by a worker shortly", IngestQueued),
    },
    errors: ["INGEST_INVALID", ...MODEL, ...INGEST_WRITE],
  },
  advanceClock: {
    method: "post",
    path: "/v1/models/{model}/clock",
    operationId: "advanceClock",
    summary: "Advance a model's event clock without an event (--clock event only)",
    description:
      "At most monitor.max_clock_jump ahead; closes the windows it passes, so a replay's last window holds only its own events. An earlier time leaves the clock unchanged. 400 on a wall-clock server, before any event, out of range or beyond the jump bound.",
    tag: "ingest",
    scope: "admin",
    params: ModelParams,
    body: { description: "the new clock", content: json(ClockAdvance) },
    answers: { 200: ok("the clock and the previous one (ISO 8601)", ClockAnswer) },
    errors: ["REQUEST_INVALID", ...MODEL, ...WRITE],
  },
  listWindows: {
    method: "get",
    path: "/v1/models/{model}/windows",
    operationId: "listWindows",
    summary: "Windows in [from, to), optionally of one version",
    tag: "monitoring",
    scope: "read",
    params: ModelParams,
    query: z.object({
      from: time("from", "start, inclusive").optional(),
      to: time("to", "end, exclusive").optional(),
      version: version.optional(),
    }),
    answers: { 200: ok("the windows", WindowList) },
    errors: ["REQUEST_INVALID", ...MODEL],
  },
  windowDrift: {
    method: "get",
    path: "/v1/models/{model}/windows/{start}/drift",
    operationId: "getWindowDrift",
    summary: "A window's drift report: the `tiktoktoe drift` JSON shape",
    tag: "monitoring",
    scope: "read",
    params: z.object({ model, start: time("start", "the window's start") }),
    query: z.object({ version: z.string("the version query parameter is required").min(1) }),
    answers: { 200: ok("the drift report", DriftReport) },
    errors: ["REQUEST_INVALID", ...MODEL],
  },
  windowImportance: {
    method: "get",
    path: "/v1/models/{model}/windows/{start}/importance",
    operationId: "getWindowImportance",
    summary: "A window's feature importance, the reference's, and the attribution drift",
    description:
      "Permutation importance from the window's labelled events through the version's ONNX model, or exact attributions of a version with meta.linear (docs/explainability.md). 404: explanations off, no such window, no model to explain, or fewer than 30 labelled events.",
    tag: "monitoring",
    scope: "read",
    params: z.object({ model, start: time("start", "the window's start") }),
    query: z.object({ version: z.string("the version query parameter is required").min(1) }),
    answers: { 200: ok("the importance", Importance) },
    errors: ["REQUEST_INVALID", ...MODEL],
  },
  series: {
    method: "get",
    path: "/v1/models/{model}/series",
    operationId: "getSeries",
    summary: "The model page's series: quality, latency, events, label coverage and the drift heat map",
    description:
      "Per version, over from/to or last=24h|7d|30d, at most `points` points per version (default 1000; windows merged into buckets beyond it).",
    tag: "dashboard",
    scope: "read",
    params: ModelParams,
    query: RangeQuery.extend({ version: version.optional() }),
    answers: { 200: ok("the series", Series) },
    errors: ["REQUEST_INVALID", ...MODEL],
  },
  listReports: {
    method: "get",
    path: "/v1/models/{model}/reports",
    operationId: "listReports",
    summary: "Stored health reports, newest first",
    tag: "reports",
    scope: "read",
    params: ModelParams,
    query: z.object({
      from: time("from", "start, inclusive").optional(),
      to: time("to", "end, exclusive").optional(),
      limit: integer("limit", 1, 10_000).optional().describe("the most reports (default 100)"),
    }),
    answers: { 200: ok("the reports", ReportList) },
    errors: ["REQUEST_INVALID", ...MODEL],
  },
  getReport: {
    method: "get",
    path: "/v1/models/{model}/reports/{id}",
    operationId: "getReport",
    summary: "One health report: status, reasons, and per version quality, latency, drift and fairness",
    tag: "reports",
    scope: "read",
    params: z.object({ model, id: z.string().min(1).describe("the report's id (its period's start)") }),
    answers: { 200: ok("the report", HealthReport) },
    errors: ["REQUEST_INVALID", ...MODEL],
  },
  modelCard: {
    method: "get",
    path: "/v1/models/{model}/versions/{version}/card",
    operationId: "getModelCard",
    summary:
      "A version's model card: use, inputs and outputs, reference, metrics, fairness, drift, limitations, history",
    description:
      "Built on request from the API's own answers (model, versions, windows, series rules, the newest drift report); each section cites them (docs/reports.md).",
    tag: "reports",
    scope: "read",
    params: z.object({ model, version }),
    query: DocumentQuery,
    answers: { 200: documentAnswer("the model card") },
    errors: ["REQUEST_INVALID", ...MODEL],
  },
  healthDocument: {
    method: "get",
    path: "/v1/models/{model}/health-report",
    operationId: "getHealthDocument",
    summary:
      "The stored health reports of [from, to) as one document: statuses, reasons, trends, the newest in detail",
    tag: "reports",
    scope: "read",
    params: ModelParams,
    query: DocumentQuery.extend({
      from: time("from", "start, inclusive").optional(),
      to: time("to", "end, exclusive").optional(),
    }),
    answers: { 200: documentAnswer("the health report") },
    errors: ["REQUEST_INVALID", ...MODEL],
  },
  listAlerts: {
    method: "get",
    path: "/v1/alerts",
    operationId: "listAlerts",
    summary: "Alerts with state, silencedBy, inhibitedBy and ack, and the channels they go to",
    tag: "alerts",
    scope: "read",
    query: z.object({
      state: z.string().optional().describe("active or suppressed"),
      severity: z.string().optional().describe("the severity label"),
      model: z.string().optional().describe("the model label"),
    }),
    answers: { 200: ok("the alerts, worst first", AlertList) },
    errors: ["NOT_FOUND"],
  },
  ackAlert: {
    method: "post",
    path: "/v1/alerts/{fingerprint}/ack",
    operationId: "ackAlert",
    summary: "Acknowledge an alert (it still notifies)",
    tag: "alerts",
    scope: "admin",
    params: z.object({ fingerprint: z.string().min(1) }),
    body: { description: "who takes it", content: json(AckRequest) },
    answers: { 200: ok("acknowledged", AckAnswer) },
    errors: ["REQUEST_INVALID", "NOT_FOUND", ...WRITE],
  },
  listSilences: {
    method: "get",
    path: "/v1/silences",
    operationId: "listSilences",
    summary: "Silences with their state",
    tag: "alerts",
    scope: "read",
    answers: { 200: ok("the silences", SilenceList) },
    errors: ["NOT_FOUND"],
  },
  createSilence: {
    method: "post",
    path: "/v1/silences",
    operationId: "createSilence",
    summary: "Create (or, with an id, update) a silence",
    tag: "alerts",
    scope: "admin",
    body: { description: "the silence", content: json(SilenceRequest) },
    answers: { 201: ok("created", SilenceCreated) },
    errors: ["REQUEST_INVALID", "NOT_FOUND", ...WRITE],
  },
  expireSilence: {
    method: "delete",
    path: "/v1/silences/{id}",
    operationId: "expireSilence",
    summary: "Expire a silence",
    tag: "alerts",
    scope: "admin",
    params: z.object({ id: z.string().min(1) }),
    answers: { 200: ok("expired", SilenceExpired) },
    errors: ["NOT_FOUND", ...WRITE],
  },
  // ---- deployment (issue #14) ----
  predict: {
    method: "post",
    path: "/v1/models/{model}/predict",
    operationId: "predict",
    summary: "Predict with the serving version (production, or the canary for its share of keys)",
    description:
      "Rows by feature name; each prediction is recorded as an event (its id returned, for the label). A shadow candidate gets a copy whose answer is recorded, never returned. The sticky key comes from the x-tiktoktoe-key header or the body's key.",
    tag: "deployment",
    scope: "ingest",
    params: ModelParams,
    body: { description: "one row or a batch", content: json(PredictRequest, isPredictRequest) },
    answers: { 200: ok("the predictions", PredictAnswer) },
    errors: ["NOT_SERVING", "ONNX_RUN_FAILED", "INGEST_INVALID", ...MODEL, ...INGEST_WRITE],
  },
  putModel: {
    method: "put",
    path: "/v1/models/{model}/versions/{version}/model",
    operationId: "putModel",
    summary: "Upload a version's ONNX model as binary (larger than the JSON body limit allows)",
    description:
      "Checked before it is stored: it must load in onnxruntime and take the schema's features as one float32 [rows, k] input. A version that serves traffic (production, canary, shadow) cannot be replaced.",
    tag: "deployment",
    scope: "admin",
    params: z.object({ model, version }),
    body: {
      description: "the .onnx file",
      content: { "application/octet-stream": { text: "the .onnx file's bytes" } },
    },
    answers: { 200: ok("stored", ModelUploaded) },
    errors: ["ONNX_INVALID", "ONNX_UNSUPPORTED", "DEPLOY_CONFLICT", "STORE_NOT_FOUND", ...MODEL, ...WRITE],
  },
  getDeployment: {
    method: "get",
    path: "/v1/models/{model}/deployment",
    operationId: "getDeployment",
    summary: "Who serves: the production version, every version's stage, the running rollout",
    tag: "deployment",
    scope: "read",
    params: ModelParams,
    answers: { 200: ok("the deployment", DeploymentState) },
    errors: [...MODEL],
  },
  setStage: {
    method: "post",
    path: "/v1/models/{model}/stages",
    operationId: "setStage",
    summary: "Move a version to production, archived or candidate (recorded with who and why)",
    tag: "deployment",
    scope: "admin",
    params: ModelParams,
    body: { description: "the move", content: json(StageChange) },
    answers: { 200: ok("the deployment after the move", DeploymentState) },
    errors: ["DEPLOY_CONFLICT", "NOT_SERVING", "STORE_NOT_FOUND", ...MODEL, ...WRITE],
  },
  startRollout: {
    method: "post",
    path: "/v1/models/{model}/rollouts",
    operationId: "startRollout",
    summary: "Start a rollout of a version: optional shadow phase, canary steps, analysis each period",
    tag: "deployment",
    scope: "admin",
    params: ModelParams,
    body: { description: "the rollout", content: json(RolloutRequest) },
    answers: { 201: ok("started", RolloutRecord) },
    errors: [
      "DEPLOY_CONFLICT",
      "NOT_SERVING",
      "ONNX_INVALID",
      "ONNX_UNSUPPORTED",
      "STORE_NOT_FOUND",
      "VERIFICATION_FAILED",
      ...MODEL,
      ...WRITE,
    ],
  },
  listRollouts: {
    method: "get",
    path: "/v1/models/{model}/rollouts",
    operationId: "listRollouts",
    summary: "A model's rollouts, newest first",
    tag: "deployment",
    scope: "read",
    params: ModelParams,
    answers: { 200: ok("the rollouts", RolloutList) },
    errors: [...MODEL],
  },
  rolloutCommand: {
    method: "post",
    path: "/v1/models/{model}/rollout/{command}",
    operationId: "rolloutCommand",
    summary: "Pause, resume, abort or promote the running rollout",
    tag: "deployment",
    scope: "admin",
    params: z.object({ model, command: z.enum(["pause", "resume", "abort", "promote"]) }),
    body: { description: "why", content: json(RolloutCommand) },
    answers: { 200: ok("the rollout after the command", RolloutRecord) },
    errors: ["DEPLOY_CONFLICT", ...MODEL, ...WRITE],
  },
  rollback: {
    method: "post",
    path: "/v1/models/{model}/rollback",
    operationId: "rollback",
    summary: "Roll back: the running rollout's traffic to production, or production to the previous version",
    tag: "deployment",
    scope: "admin",
    params: ModelParams,
    body: { description: "why", content: json(RolloutCommand) },
    answers: { 200: ok("the deployment after the rollback", DeploymentState) },
    errors: ["DEPLOY_CONFLICT", ...MODEL, ...WRITE],
  },
  listAnalyses: {
    method: "get",
    path: "/v1/models/{model}/rollouts/{id}/analyses",
    operationId: "listAnalyses",
    summary: "A rollout's analyses with every metric's figures, oldest first",
    tag: "deployment",
    scope: "read",
    params: z.object({ model, id: z.string().min(1) }),
    answers: { 200: ok("the analyses", AnalysisList) },
    errors: [...MODEL],
  },
  deploymentHistory: {
    method: "get",
    path: "/v1/models/{model}/deployment/history",
    operationId: "deploymentHistory",
    summary: "Every change of a model's stages and rollouts: who, when, why",
    tag: "deployment",
    scope: "read",
    params: ModelParams,
    answers: { 200: ok("the history, oldest first", DeploymentHistory) },
    errors: [...MODEL],
  },
  putVerification: {
    method: "put",
    path: "/v1/models/{model}/verification",
    operationId: "putVerification",
    summary: "Declare the verification tests a candidate must pass before a rollout gives it traffic",
    description:
      "Schema compatibility with production, golden input/output pairs, invariance checks, a latency budget and agreement with production on the reference rows. Replaces the previous declaration.",
    tag: "deployment",
    scope: "admin",
    params: ModelParams,
    body: { description: "the tests", content: json(VerificationDeclaration) },
    answers: { 200: ok("stored", VerificationDeclared) },
    errors: [...MODEL, ...WRITE],
  },
  getVerification: {
    method: "get",
    path: "/v1/models/{model}/verification",
    operationId: "getVerification",
    summary: "A model's declared verification tests (or the defaults when none is declared)",
    tag: "deployment",
    scope: "read",
    params: ModelParams,
    answers: { 200: ok("the declaration", VerificationDeclared) },
    errors: [...MODEL],
  },
  verifyVersion: {
    method: "post",
    path: "/v1/models/{model}/versions/{version}/verify",
    operationId: "verifyVersion",
    summary: "Run a version's verification now against production; the results, pass or fail",
    description:
      "Runs the declared tests (or the defaults) and stores the results in the history. A failing test is an answer (outcome fail), not an error: only a rollout is refused by it.",
    tag: "deployment",
    scope: "admin",
    params: z.object({ model, version }),
    body: { description: "who asks", content: json(VerifyRequest) },
    answers: { 200: ok("the results", VerificationRecord) },
    errors: ["STORE_NOT_FOUND", "NOT_SERVING", ...MODEL, ...WRITE],
  },
  listVerifications: {
    method: "get",
    path: "/v1/models/{model}/verifications",
    operationId: "listVerifications",
    summary: "A model's verification runs with every test's figures, oldest first",
    tag: "deployment",
    scope: "read",
    params: ModelParams,
    answers: { 200: ok("the runs", VerificationList) },
    errors: [...MODEL],
  },
  putLearning: {
    method: "put",
    path: "/v1/models/{model}/learning",
    operationId: "putLearning",
    summary: "Declare (or change) the model's continuous learning: the scheduled loop's settings",
    description:
      "Validated strictly: an unknown field or a bad value is 400 REQUEST_INVALID with its field path. A linear learner needs a regression or multiclass model with numeric inputs; an mlp learner, a production version with an ONNX model (LEARNING_UNSUPPORTED).",
    tag: "learning",
    scope: "admin",
    params: ModelParams,
    body: { description: "the declaration", content: json(LearningDeclaration) },
    answers: { 200: ok("the learning state", LearningState) },
    errors: ["LEARNING_UNSUPPORTED", ...MODEL, ...WRITE],
  },
  getLearning: {
    method: "get",
    path: "/v1/models/{model}/learning",
    operationId: "getLearning",
    summary: "The model's learning: its declaration, checkpoint, active run and last run",
    tag: "learning",
    scope: "read",
    params: ModelParams,
    answers: { 200: ok("the learning state", LearningState) },
    errors: [...MODEL],
  },
  learningRuns: {
    method: "get",
    path: "/v1/models/{model}/learning/runs",
    operationId: "learningRuns",
    summary: "The learning loop's runs, oldest first: validation, update, shadow, gate, rollout",
    tag: "learning",
    scope: "read",
    params: ModelParams,
    answers: { 200: ok("the runs", LearningRunList) },
    errors: [...MODEL],
  },
  getVersionModel: {
    method: "get",
    path: "/v1/models/{model}/versions/{version}/model",
    operationId: "getVersionModel",
    summary: "Download a version's ONNX model, as registered",
    description:
      "404 when the model or the version is unknown, or the version was registered without `onnx`.",
    tag: "models",
    scope: "read",
    params: z.object({ model, version }),
    answers: {
      200: {
        description: "the ONNX model's bytes",
        content: { "application/octet-stream": { text: "an ONNX model (protobuf)" } },
      },
    },
    errors: MODEL,
  },
  getReference: {
    method: "get",
    path: "/v1/models/{model}/versions/{version}/reference",
    operationId: "getReference",
    summary: "Download a version's reference rows, as uploaded (CSV or NDJSON)",
    description:
      "The upload's bytes in its own media type. 404 when the model or version is unknown, no reference was uploaded, or it was uploaded before the server kept the rows (upload it again).",
    tag: "models",
    scope: "read",
    params: z.object({ model, version }),
    answers: {
      200: {
        description: "the reference rows",
        content: {
          "text/csv": { text: "CSV with a header line, as uploaded" },
          "application/x-ndjson": { text: "one JSON object per row, as uploaded" },
        },
      },
    },
    errors: MODEL,
  },
  listLabelled: {
    method: "get",
    path: "/v1/models/{model}/labelled",
    operationId: "listLabelled",
    summary: "Training pairs: labelled events' features joined with their labels, by event time",
    description:
      "Streamed as NDJSON, in log order, at most `limit` lines (default 10,000). Read by model and event time from the ingest log (never the whole log); an event whose batch retention deleted is left out.",
    tag: "ingest",
    scope: "read",
    params: ModelParams,
    query: z.object({
      version: version.optional(),
      from: time("from", "event time, inclusive").optional(),
      to: time("to", "event time, exclusive").optional(),
      limit: integer("limit", 1, 1_000_000).optional().describe("the most lines (default 10,000)"),
    }),
    answers: {
      200: {
        description: "the pairs",
        content: { "application/x-ndjson": ndjsonOf(LabelledEvent, "pairs") },
      },
    },
    errors: ["REQUEST_INVALID", ...MODEL],
  },
} as const satisfies Record<string, RouteContract>;

/** An operationId of {@link api}. */
export type OperationId = keyof typeof api;

/**
 * Every error code a route can answer: its own, and those every route shares — a token's (401, 403,
 * 429 when tokens are on; 403 HOST_NOT_ALLOWED when they are off), a body's (size, media type, slow
 * or busy uploads), a malformed URL, and 500 for bugs. 405 is per path (another method).
 *
 * @example
 * ```ts
 * errorsOf(api.ingestEvents); // ["INGEST_INVALID", "NOT_FOUND", …, "BODY_TOO_LARGE", …]
 * ```
 */
export function errorsOf(route: RouteContract): ErrorCode[] {
  const codes = new Set<ErrorCode>(route.errors);
  codes.add("HOST_NOT_ALLOWED");
  codes.add("METHOD_NOT_ALLOWED");
  codes.add("INTERNAL");
  if (route.params !== undefined || route.query !== undefined) codes.add("REQUEST_INVALID");
  if (route.scope !== null) {
    codes.add("UNAUTHORIZED");
    codes.add("FORBIDDEN");
    codes.add("TOO_MANY_REQUESTS");
  }
  if (route.body !== undefined)
    for (const code of [
      "REQUEST_INVALID",
      "REQUEST_ABORTED",
      "BODY_TOO_LARGE",
      "UNSUPPORTED_MEDIA_TYPE",
      "SERVER_BUSY",
    ] as const)
      codes.add(code);
  return [...codes];
}
