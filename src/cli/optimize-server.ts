import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  downloadModel,
  downloadReference,
  readLabelled,
  type ServerLocation,
  ServerRequestError,
} from "../client/index.js";
import { parseTable } from "../data/index.js";
import { TikTokToeError } from "../errors/index.js";
import type { ProductionSection, ProductionWindow } from "../optimizer/index.js";
import type { ModelRecord } from "../store/index.js";

/**
 * `optimize --server URL --model NAME [--version V]`: a served version's ONNX model, its reference and
 * its labelled events, downloaded into a folder as the file pipeline's inputs (a model file and one
 * NDJSON table), and the windows the report's "Production vs objectives" section is computed from.
 */

/** Where and what to download. */
export interface ServedSource {
  readonly server: string;
  readonly model: string;
  /** Default: the newest registered version. */
  readonly version: string | undefined;
  readonly token: string | undefined;
  /** The labelled events' event-time range (ISO 8601 or epoch ms, as the server takes them). */
  readonly from: string | undefined;
  readonly to: string | undefined;
  /** The most labelled events. */
  readonly limit: number;
}

/** What {@link downloadServedVersion} wrote and read. */
export interface ServedFiles {
  readonly version: string;
  readonly record: ModelRecord;
  readonly modelFile: string;
  readonly dataFile: string;
  /** The label column of `dataFile`. */
  readonly label: string;
  /** The schema's features, in the order they fill the model's input. */
  readonly features: readonly string[];
  readonly windows: readonly ProductionWindow[];
  readonly data: ProductionSection["data"];
  /** What was left out or missing, for the report's skipped list or stderr. */
  readonly notes: readonly string[];
}

/** The label column written into the downloaded table (a name no schema feature is likely to take). */
export const SERVED_LABEL = "__label__";

function failure(source: ServedSource, what: string, error: unknown): TikTokToeError {
  if (error instanceof ServerRequestError) {
    if (error.status === 0)
      return new TikTokToeError("USAGE", `${error.message}`, {
        path: "--server",
        hint: "start it with: tiktoktoe serve, or check the URL",
      });
    if (error.status === 401 || error.status === 403)
      return new TikTokToeError("USAGE", `${source.server} refused ${what}: ${error.message}`, {
        path: "--token",
        hint: "give a token with the read scope (--token or $TIKTOKTOE_TOKEN)",
      });
    if (error.status === 404)
      return new TikTokToeError("INPUT_NOT_FOUND", `${what}: ${error.body?.message ?? error.message}`, {
        path: what.startsWith("the model") ? "--model" : "--version",
        ...(error.body?.hint === undefined ? {} : { hint: String(error.body.hint) }),
      });
  }
  return new TikTokToeError("USAGE", `${source.server}: ${what} failed: ${(error as Error).message}`, {
    path: "--server",
  });
}

async function getJson<T>(location: ServerLocation, path: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${location.url}${path}`, {
      headers:
        location.token === undefined || location.token === ""
          ? {}
          : { authorization: `Bearer ${location.token}` },
      signal: AbortSignal.timeout(location.timeoutMs ?? 60_000),
    });
  } catch (error) {
    throw new ServerRequestError(
      `cannot reach ${location.url}: ${(error as Error).message}`,
      0,
      "UNREACHABLE",
      undefined,
    );
  }
  const text = await response.text();
  if (!response.ok) {
    let body: { code?: string; message?: string } | undefined;
    try {
      body = JSON.parse(text) as { code?: string; message?: string };
    } catch {
      body = undefined;
    }
    throw new ServerRequestError(
      `GET ${path}: ${response.status} ${body?.code ?? ""} ${body?.message ?? text.slice(0, 200)}`.trim(),
      response.status,
      body?.code ?? `HTTP_${response.status}`,
      body as never,
    );
  }
  return JSON.parse(text) as T;
}

/**
 * A label as the model's output index (classifiers: its position in the declared classes, else the
 * integer it spells) or its value (regression); NaN when it is neither.
 */
export function labelIndex(record: ModelRecord, value: unknown): number {
  if (value === null || value === undefined) return Number.NaN;
  if (record.task === "regression") return typeof value === "number" ? value : Number(value);
  const text = String(value);
  if (record.classes !== undefined && record.classes.length > 0) {
    const i = record.classes.indexOf(text);
    return i < 0 ? Number.NaN : i;
  }
  const n = Number(text);
  return Number.isInteger(n) && n >= 0 ? n : Number.NaN;
}

/** A feature value as the model's input takes it: numbers, or text that spells one. */
function featureNumber(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "string" && value.trim() !== "") return Number(value);
  return Number.NaN;
}

/**
 * Downloads the version's model, reference and labelled events into `dir`, and lists its windows.
 * Rows: the reference's rows with a `target` (when it has the column), then the labelled events; a row
 * with a missing or non-numeric feature, or a label that is no class, is left out and counted.
 *
 * @example
 * ```ts
 * const files = await downloadServedVersion({ server, model: "digits", version: "1", token, from: undefined, to: undefined, limit: 100_000 }, tmp);
 * ```
 */
export async function downloadServedVersion(source: ServedSource, dir: string): Promise<ServedFiles> {
  const location: ServerLocation = { url: source.server, token: source.token };
  const m = encodeURIComponent(source.model);
  const record = await getJson<ModelRecord>(location, `/v1/models/${m}`).catch((error: unknown) => {
    throw failure(source, `the model "${source.model}"`, error);
  });
  let version = source.version;
  if (version === undefined) {
    const { versions } = await getJson<{ versions: Array<{ version: string; createdMs: number }> }>(
      location,
      `/v1/models/${m}/versions`,
    ).catch((error: unknown) => {
      throw failure(source, `the model "${source.model}"'s versions`, error);
    });
    if (versions.length === 0)
      throw new TikTokToeError("INPUT_NOT_FOUND", `model "${source.model}" has no versions`, {
        path: "--model",
        hint: `register one: POST /v1/models/${source.model}/versions`,
      });
    version = [...versions].sort((a, b) => b.createdMs - a.createdMs || (a.version < b.version ? 1 : -1))[0]!
      .version;
  }
  const onnx = await downloadModel(location, source.model, version).catch((error: unknown) => {
    throw failure(source, `the ONNX model of version "${version}"`, error);
  });
  const modelFile = join(dir, "model.onnx");
  await writeFile(modelFile, onnx);

  const features = record.features.filter((f) => (f.role ?? "feature") === "feature").map((f) => f.name);
  const notes: string[] = [];
  const lines: string[] = [];
  let skipped = 0;
  const push = (values: readonly number[], label: number): boolean => {
    if (values.some((v) => !Number.isFinite(v)) || !Number.isFinite(label)) return false;
    const row: Record<string, number> = {};
    for (const [j, name] of features.entries()) row[name] = values[j]!;
    row[SERVED_LABEL] = label;
    lines.push(JSON.stringify(row));
    return true;
  };

  // The reference: the rows the version was validated on, when they carry a target.
  let referenceRows = 0;
  try {
    const reference = await downloadReference(location, source.model, version);
    const table = parseTable(reference.bytes, {
      name: `reference.${reference.format}`,
      format: reference.format,
      textIfPresent: new Set(["target"]),
    });
    const target = table.columns.get("target");
    const missing = features.filter((f) => !table.columns.has(f));
    if (target === undefined) notes.push("the reference has no target column: its rows are not used");
    else if (missing.length > 0) notes.push(`the reference lacks features ${missing.join(", ")}: not used`);
    else {
      const cell = (name: string, row: number): unknown => {
        const column = table.columns.get(name)!;
        if (column.kind === "numeric") return column.values[row];
        const code = column.codes[row]!;
        return code < 0 ? null : column.categories[code];
      };
      for (let row = 0; row < table.rowCount; row++) {
        const ok = push(
          features.map((f) => featureNumber(cell(f, row))),
          labelIndex(record, cell("target", row)),
        );
        if (ok) referenceRows++;
        else skipped++;
      }
    }
  } catch (error) {
    if (error instanceof ServerRequestError && error.status === 404)
      notes.push(`no reference rows: ${error.body?.message ?? error.message}`);
    else throw failure(source, `the reference of version "${version}"`, error);
  }

  // Production's labelled events.
  let labelledRows = 0;
  try {
    for await (const pair of readLabelled(location, source.model, {
      version,
      from: source.from,
      to: source.to,
      limit: source.limit,
    })) {
      const ok = push(
        features.map((f) => featureNumber(Object.hasOwn(pair.features, f) ? pair.features[f] : null)),
        labelIndex(record, pair.label),
      );
      if (ok) labelledRows++;
      else skipped++;
    }
  } catch (error) {
    throw failure(source, `the labelled events of version "${version}"`, error);
  }
  if (lines.length === 0)
    throw new TikTokToeError(
      "INPUT_EMPTY",
      `version "${version}" of "${source.model}" has no usable rows: no reference rows with a target and no labelled events${skipped > 0 ? ` (${skipped} left out: a missing feature or a label that is no class)` : ""}`,
      {
        path: "--model",
        hint: `upload a reference with a target column (PUT /v1/models/${source.model}/versions/${version}/reference) or send labels`,
      },
    );
  const dataFile = join(dir, "data.ndjson");
  await writeFile(dataFile, `${lines.join("\n")}\n`);

  const { windows } = await getJson<{ windows: ProductionWindow[] }>(
    location,
    `/v1/models/${m}/windows?version=${encodeURIComponent(version)}`,
  ).catch((error: unknown) => {
    throw failure(source, `the windows of version "${version}"`, error);
  });
  return {
    version,
    record,
    modelFile,
    dataFile,
    label: SERVED_LABEL,
    features,
    windows,
    data: {
      reference_rows: referenceRows,
      labelled_rows: labelledRows,
      skipped,
      from: source.from ?? null,
      to: source.to ?? null,
    },
    notes,
  };
}
