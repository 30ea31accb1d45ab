import type { ErrorBody, LabelledEvent } from "../contract/index.js";

/**
 * Reading a version's material back from `tiktoktoe serve`: its ONNX model, its reference rows and its
 * labelled events (training pairs). Unlike logging, these are requests the caller waits on, so they
 * reject — with a {@link ServerRequestError} carrying the server's stable code — instead of counting.
 */

/** Where the server is, and the token (read scope) when it has tokens. */
export interface ServerLocation {
  readonly url: string;
  readonly token?: string | undefined;
  /** Abort a request after this long (default 60 s; the labelled stream's whole body included). */
  readonly timeoutMs?: number | undefined;
}

/**
 * A request the server refused (its status and stable code) or that did not reach it (status 0,
 * code `UNREACHABLE`).
 *
 * @example
 * ```ts
 * try { await downloadModel(server, "digits", "9"); } catch (e) { if (e instanceof ServerRequestError && e.status === 404) … }
 * ```
 */
export class ServerRequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly body: ErrorBody | undefined,
  ) {
    super(message);
    this.name = "ServerRequestError";
  }
}

const path = (model: string, ...rest: string[]) =>
  `/v1/models/${[model, ...rest].map((p) => encodeURIComponent(p)).join("/")}`;

async function request(server: ServerLocation, target: string): Promise<Response> {
  const url = `${server.url.replace(/\/+$/, "")}${target}`;
  let response: Response;
  try {
    response = await fetch(url, {
      headers:
        server.token === undefined || server.token === "" ? {} : { authorization: `Bearer ${server.token}` },
      signal: AbortSignal.timeout(server.timeoutMs ?? 60_000),
    });
  } catch (error) {
    throw new ServerRequestError(
      `cannot reach ${server.url}: ${error instanceof Error ? error.message : String(error)}`,
      0,
      "UNREACHABLE",
      undefined,
    );
  }
  if (response.ok) return response;
  const text = await response.text().catch(() => "");
  let body: ErrorBody | undefined;
  try {
    body = JSON.parse(text) as ErrorBody;
  } catch {
    body = undefined;
  }
  const code = typeof body?.code === "string" ? body.code : `HTTP_${response.status}`;
  const message = typeof body?.message === "string" ? body.message : text.slice(0, 300);
  throw new ServerRequestError(
    `GET ${target}: ${response.status} ${code}: ${message}`,
    response.status,
    code,
    body,
  );
}

/**
 * A version's ONNX model as registered (`GET /v1/models/{model}/versions/{version}/model`).
 *
 * @example
 * ```ts
 * const bytes = await downloadModel({ url: "http://127.0.0.1:8080" }, "digits", "1");
 * ```
 */
export async function downloadModel(
  server: ServerLocation,
  model: string,
  version: string,
): Promise<Uint8Array> {
  const response = await request(server, path(model, "versions", version, "model"));
  return new Uint8Array(await response.arrayBuffer());
}

/**
 * A version's reference rows as uploaded, with their format (`GET …/versions/{version}/reference`).
 *
 * @example
 * ```ts
 * const { format, bytes } = await downloadReference({ url }, "digits", "1"); // format: "csv" | "ndjson"
 * ```
 */
export async function downloadReference(
  server: ServerLocation,
  model: string,
  version: string,
): Promise<{ format: "csv" | "ndjson"; bytes: Uint8Array }> {
  const response = await request(server, path(model, "versions", version, "reference"));
  const type = (response.headers.get("content-type") ?? "").split(";")[0]!.trim();
  return {
    format: type === "text/csv" ? "csv" : "ndjson",
    bytes: new Uint8Array(await response.arrayBuffer()),
  };
}

/** The query of {@link readLabelled}: event time range, version, and the most pairs. */
export interface LabelledQuery {
  readonly version?: string | undefined;
  /** Event time from (inclusive) and to (exclusive): a Date, epoch milliseconds or ISO 8601. */
  readonly from?: Date | number | string | undefined;
  readonly to?: Date | number | string | undefined;
  /** The most pairs (server default 10,000; at most 1,000,000). */
  readonly limit?: number | undefined;
}

const timeParam = (value: Date | number | string) =>
  value instanceof Date ? value.toISOString() : String(value);

/**
 * A model's labelled events, streamed (`GET /v1/models/{model}/labelled`): one pair at a time, so a
 * large answer is never held whole. A body cut short (the server failed mid-stream) rejects.
 *
 * @example
 * ```ts
 * for await (const pair of readLabelled({ url }, "digits", { version: "1", limit: 5000 })) rows.push(pair);
 * ```
 */
export async function* readLabelled(
  server: ServerLocation,
  model: string,
  query: LabelledQuery = {},
): AsyncGenerator<LabelledEvent> {
  const params = new URLSearchParams();
  if (query.version !== undefined) params.set("version", query.version);
  if (query.from !== undefined) params.set("from", timeParam(query.from));
  if (query.to !== undefined) params.set("to", timeParam(query.to));
  if (query.limit !== undefined) params.set("limit", String(query.limit));
  const search = params.size === 0 ? "" : `?${params}`;
  const response = await request(server, `${path(model, "labelled")}${search}`);
  if (response.body === null) return;
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let pending = "";
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        break;
      }
      pending += decoder.decode(value, { stream: true });
      let newline = pending.indexOf("\n");
      while (newline >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        if (line !== "") yield JSON.parse(line) as LabelledEvent;
        newline = pending.indexOf("\n");
      }
    }
    pending += decoder.decode();
    // Every line the server writes ends with a newline: text left over is a cut-off line.
    if (pending.trim() !== "")
      throw new ServerRequestError(
        "the labelled stream ended in the middle of a line",
        200,
        "TRUNCATED",
        undefined,
      );
  } finally {
    // A caller that stops early (break, a thrown error) ends the download instead of leaving it open.
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
