import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { z } from "zod";
import type {
  DeploymentChange,
  HealthReport,
  ModelRecord,
  ReportSummary,
  Series,
  VersionRecord,
  WindowSummary,
} from "../contract/index.js";
import type { DriftReport } from "../drift/index.js";
import { TikTokToeError } from "../errors/index.js";
import type { OptimizationReport } from "../optimizer/index.js";
import {
  buildHealthDoc,
  buildLearningDoc,
  buildModelCard,
  buildOptimizationDoc,
  type CardSource,
  type DocumentFormat,
  documentFormats,
  gatherHealth,
  gatherModelCard,
  type HealthSource,
  type LearningUpdate,
  type ReportDocument,
  renderDocument,
  versionEventsFromDeployment,
} from "../report/index.js";
import { choiceOption } from "./args.js";
import { type CliIo, exitCodes } from "./io.js";
import { checkOutputPath, writeFileAtomic } from "./write-output.js";

const help = `Usage: tiktoktoe report card MODEL [VERSION] [--server URL] [options]
       tiktoktoe report optimization RUN.json [options]
       tiktoktoe report learning UPDATE.json [options]
       tiktoktoe report health MODEL [--from T] [--to T] [--server URL] [options]

Writes a document a reviewer or an auditor can read without the dashboard (docs/reports.md):
  card          a version's model card (default: the newest version), from a running server's API
  optimization  an optimization run's report, from \`tiktoktoe optimize --format json\` output
  learning      a learning update's report: validation, quarantined batches, the gate's decision
  health        a model's stored health reports over [--from, --to), from a running server

Options:
      --format F     markdown (default) or html (one self-contained file, printable to PDF)
      --output FILE  write there (atomically) instead of to stdout
      --server URL   the tiktoktoe server (default http://127.0.0.1:8080) (card, health)
      --token T      a bearer token with the read scope (card, health)
      --from T       the period's start, ISO 8601 or epoch ms (health; default: the first report)
      --to T         the period's end, exclusive (health; default: the last report)
  -h, --help         this text

Exit codes: 0 written, 2 usage or input error (nothing written), 70 internal error.

Examples:
  tiktoktoe report card bike 2011 --server http://127.0.0.1:8080 --format html --output card.html
  tiktoktoe report optimization out/report.json --output optimization.md
  tiktoktoe report health bike --from 2012-12-01 --to 2013-01-01 --format html --output health.html
`;

/**
 * `tiktoktoe report`: model cards and health reports from a server's API, optimization and learning
 * reports from their JSON files, as Markdown or HTML.
 *
 * @example
 * ```ts
 * await runReport(["card", "bike", "--server", url], io);
 * ```
 */
export async function runReport(args: readonly string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0]! : String(error);
    throw new TikTokToeError("USAGE", message, { hint: "see: tiktoktoe report --help" });
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) {
    io.stdout.write(help);
    return positionals.length === 0 && !values.help ? exitCodes.usage : exitCodes.ok;
  }
  const format: DocumentFormat =
    values.format === undefined ? "markdown" : choiceOption(values.format, "--format", documentFormats);
  if (values.output !== undefined) await checkOutputPath(values.output);
  const [kind, ...rest] = positionals;
  const server = (values.server ?? "http://127.0.0.1:8080").replace(/\/+$/, "");
  const onlyFor = (option: string, kinds: string) => {
    throw new TikTokToeError("USAGE", `${option} is used with report ${kinds}`, { path: option });
  };
  const now = Date.now();
  let document: ReportDocument;
  switch (kind) {
    case "card": {
      if (values.from !== undefined) onlyFor("--from", "health");
      if (values.to !== undefined) onlyFor("--to", "health");
      const [model, version, extra] = rest;
      if (model === undefined) throw usage("report card needs MODEL (and optionally VERSION)", "MODEL");
      if (extra !== undefined) throw usage(`unexpected argument "${extra}"`, extra);
      const source = httpCardSource(server, values.token);
      document = buildModelCard(await gatherModelCard(source, model, version), now);
      break;
    }
    case "health": {
      const [model, extra] = rest;
      if (model === undefined) throw usage("report health needs MODEL", "MODEL");
      if (extra !== undefined) throw usage(`unexpected argument "${extra}"`, extra);
      const from = timeOption(values.from, "--from", Number.NEGATIVE_INFINITY);
      const to = timeOption(values.to, "--to", Number.POSITIVE_INFINITY);
      if (from >= to) throw usage("--from must be before --to", "--from");
      document = buildHealthDoc(
        await gatherHealth(httpHealthSource(server, values.token), model, from, to),
        now,
      );
      break;
    }
    case "optimization":
    case "learning": {
      for (const option of ["server", "token", "from", "to"] as const)
        if (values[option] !== undefined) onlyFor(`--${option}`, "card and health");
      const [file, extra] = rest;
      if (file === undefined) throw usage(`report ${kind} needs the JSON file`, "FILE");
      if (extra !== undefined) throw usage(`unexpected argument "${extra}"`, extra);
      const json = await readJson(file);
      const source = { ref: `file: ${file}` };
      document =
        kind === "optimization"
          ? buildOptimizationDoc(
              { report: checked(OptimizationShape, json, file) as OptimizationReport, source },
              now,
            )
          : buildLearningDoc({ update: checked(LearningShape, json, file) as LearningUpdate, source }, now);
      break;
    }
    default:
      throw usage(`unknown document "${kind}": one of card, optimization, learning, health`, String(kind));
  }
  const text = renderDocument(document, format);
  if (values.output === undefined) io.stdout.write(text);
  else {
    await writeFileAtomic(values.output, text);
    io.stderr.write(`tiktoktoe report: wrote ${values.output}\n`);
  }
  return exitCodes.ok;
}

function parse(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    options: {
      format: { type: "string" },
      output: { type: "string" },
      server: { type: "string" },
      token: { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: true,
  });
}

function usage(message: string, path: string): TikTokToeError {
  return new TikTokToeError("USAGE", message, { path, hint: "see: tiktoktoe report --help" });
}

function timeOption(value: string | undefined, option: string, fallback: number): number {
  if (value === undefined) return fallback;
  const ms = /^-?\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (Number.isNaN(ms))
    throw usage(`${option} must be ISO 8601 or epoch milliseconds, got "${value}"`, option);
  return ms;
}

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new TikTokToeError("INPUT_NOT_FOUND", `cannot read ${file}: ${(error as Error).message}`, {
      path: file,
    });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new TikTokToeError("INPUT_FORMAT", `${file} is not JSON: ${(error as Error).message}`, {
      path: file,
    });
  }
}

/** The fields of the optimizer's JSON the report reads (the rest passes through unchecked). */
const num = z.number().nullable();
const Latency = z.record(z.string(), z.looseObject({ p50: num, p99: num }));
const Entry = {
  accuracy: num,
  accuracy_drop: num,
  latency_ms: Latency,
  speedup: num,
  size_bytes: z.number(),
  score: num,
};
const OptimizationShape = z.looseObject({
  model: z.string(),
  data: z.string(),
  rows: z.number(),
  task: z.string(),
  metric: z.enum(["accuracy", "mae"]),
  input: z.looseObject({ name: z.string(), shape: z.array(z.number()) }),
  folds: z.number(),
  seed: z.number(),
  cpu: z.looseObject({ description: z.string(), int8: z.string() }),
  latency_settings: z.looseObject({ batch_sizes: z.array(z.number()).min(1) }),
  acceptance: z.looseObject({ accuracy_drop_limit: z.number(), latency_improvement: z.number() }),
  objective: z.looseObject({ accuracy_weight: z.number() }),
  baseline: z.looseObject(Entry),
  candidates: z.array(
    z.looseObject({
      ...Entry,
      id: z.string(),
      technique: z.string(),
      label: z.string(),
      accepted: z.boolean(),
      reasons: z.array(z.string()),
      notes: z.array(z.string()),
      score_terms: z.looseObject({ accuracy: num, latency: num, resource: num }),
      agreement: z.looseObject({ relative_rmse: num, max_abs_error: num }),
    }),
  ),
  skipped: z.array(z.looseObject({ technique: z.string(), reason: z.string() })),
  chosen: z.string().nullable(),
  chosen_id: z.string().nullable(),
});

const LearningShape = z.object({
  model: z.string(),
  incumbent: z.string(),
  candidate: z.string(),
  fromMs: z.number(),
  toMs: z.number(),
  validation: z.array(
    z.object({
      check: z.string(),
      passed: z.boolean(),
      value: num.optional(),
      threshold: num.optional(),
      detail: z.string().optional(),
    }),
  ),
  batches: z.object({
    accepted: z.number(),
    quarantined: z.array(
      z.object({ id: z.string(), rows: z.number(), reason: z.string(), timeMs: z.number().optional() }),
    ),
  }),
  gate: z.object({
    tests: z.array(
      z.object({
        name: z.string(),
        metric: z.string(),
        candidate: num,
        incumbent: num,
        threshold: num.optional(),
        passed: z.boolean(),
        detail: z.string().optional(),
      }),
    ),
    decision: z.string(),
    reason: z.string(),
  }),
});

function checked(schema: z.ZodType, value: unknown, file: string): unknown {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.map(String).join(".") || "(the whole file)";
  throw new TikTokToeError("INPUT_FORMAT", `${file}: ${path}: ${issue.message}`, {
    path,
    hint: "give the JSON that tiktoktoe writes for this document (docs/reports.md)",
  });
}

/** GETs a JSON answer of the server; its error answers become the same codes here. */
function httpGet(server: string, token: string | undefined) {
  return async <T>(path: string): Promise<T> => {
    let response: Response;
    try {
      response = await fetch(`${server}${path}`, {
        headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
      });
    } catch (error) {
      throw new TikTokToeError("USAGE", `cannot reach ${server}: ${(error as Error).message}`, {
        path: "--server",
      });
    }
    const body = (await response.json().catch(() => ({}))) as {
      code?: string;
      message?: string;
      error?: { code?: string; message?: string };
    };
    if (!response.ok) {
      const e = body.error ?? body;
      throw new TikTokToeError(
        response.status === 404 ? "NOT_FOUND" : "USAGE",
        `${server} answered ${response.status} to GET ${path}: ${e.message ?? ""}`.trim(),
        { path },
      );
    }
    return body as T;
  };
}

function httpCardSource(server: string, token: string | undefined): CardSource {
  const get = httpGet(server, token);
  const m = (model: string) => `/v1/models/${encodeURIComponent(model)}`;
  return {
    model: (model) => get<ModelRecord>(m(model)),
    versions: async (model) => (await get<{ versions: VersionRecord[] }>(`${m(model)}/versions`)).versions,
    windows: async (model, version) =>
      (await get<{ windows: WindowSummary[] }>(`${m(model)}/windows?version=${encodeURIComponent(version)}`))
        .windows,
    rules: async (model, version) => {
      const series = await get<Series>(`${m(model)}/series?version=${encodeURIComponent(version)}&points=2`);
      return { quality: series.quality, latency: series.latency };
    },
    drift: (model, startMs, version) =>
      get<DriftReport>(
        `${m(model)}/windows/${new Date(startMs).toISOString()}/drift?version=${encodeURIComponent(version)}`,
      ),
    history: async (model, version) =>
      versionEventsFromDeployment(
        model,
        version,
        (await get<{ history: DeploymentChange[] }>(`${m(model)}/deployment/history`)).history,
      ),
  };
}

function httpHealthSource(server: string, token: string | undefined): HealthSource {
  const get = httpGet(server, token);
  const m = (model: string) => `/v1/models/${encodeURIComponent(model)}`;
  return {
    list: async (model, fromMs, toMs) => {
      const range = [
        ...(Number.isFinite(fromMs) ? [`from=${fromMs}`] : []),
        ...(Number.isFinite(toMs) ? [`to=${toMs}`] : []),
        "limit=10000",
      ].join("&");
      return (await get<{ reports: ReportSummary[] }>(`${m(model)}/reports?${range}`)).reports;
    },
    get: (model, id) => get<HealthReport>(`${m(model)}/reports/${encodeURIComponent(id)}`),
  };
}
