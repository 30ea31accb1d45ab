import type { ServerResponse } from "node:http";
import type { ModelRecord } from "../store/index.js";
import { type LabelledStore, readLabelledEvents } from "./labelled.js";
import { type ModelFilesService, versionModelFile, versionReferenceRows } from "./model-files.js";

/**
 * The handlers of the routes that hand a version's material to a client — its ONNX model, its
 * reference rows and its labelled events — for `tiktoktoe optimize --server` and retraining.
 */

/** The service these handlers read through. */
export interface VersionFilesService extends ModelFilesService {
  model(name: string): ModelRecord;
  modelVersion(model: string, version: string): ModelRecord;
  readonly store: ModelFilesService["store"] & LabelledStore;
}

function sendBytes(response: ServerResponse, type: string, bytes: Uint8Array): void {
  response.writeHead(200, { "content-type": type, "content-length": bytes.byteLength });
  response.end(bytes);
}

/**
 * `GET /v1/models/{model}/versions/{version}/model`.
 *
 * @example
 * ```ts
 * await sendVersionModel(response, service, "digits", "1");
 * ```
 */
export async function sendVersionModel(
  response: ServerResponse,
  service: VersionFilesService,
  model: string,
  version: string,
): Promise<void> {
  sendBytes(response, "application/octet-stream", await versionModelFile(service, model, version));
}

/**
 * `GET /v1/models/{model}/versions/{version}/reference`.
 *
 * @example
 * ```ts
 * await sendReferenceRows(response, service, "digits", "1");
 * ```
 */
export async function sendReferenceRows(
  response: ServerResponse,
  service: VersionFilesService,
  model: string,
  version: string,
): Promise<void> {
  const { mediaType, bytes } = await versionReferenceRows(service, model, version);
  sendBytes(response, mediaType === "text/csv" ? "text/csv; charset=utf-8" : mediaType, bytes);
}

/** The default and largest `limit` of the labelled route. */
export const LABELLED_LIMIT = { default: 10_000, max: 1_000_000 } as const;

/**
 * `GET /v1/models/{model}/labelled`: NDJSON, streamed with backpressure. Errors before the first line
 * are answered as errors (the caller's catch); one after it can only end the connection, so the
 * client sees a truncated body rather than a complete-looking one.
 *
 * @example
 * ```ts
 * await streamLabelled(response, service, { model: "digits", fromMs: -Infinity, toMs: Infinity, limit: 100 });
 * ```
 */
export async function streamLabelled(
  response: ServerResponse,
  service: VersionFilesService,
  query: {
    readonly model: string;
    readonly version?: string;
    readonly fromMs: number;
    readonly toMs: number;
    readonly limit: number;
  },
): Promise<void> {
  const record =
    query.version === undefined
      ? service.model(query.model)
      : service.modelVersion(query.model, query.version);
  const pairs = readLabelledEvents(service.store, {
    model: record,
    ...(query.version === undefined ? {} : { version: query.version }),
    fromMs: query.fromMs,
    toMs: query.toMs,
    limit: query.limit,
  });
  // The first pair is read before the headers go out, so a failure there is still an error answer.
  let next = await pairs.next();
  response.writeHead(200, { "content-type": "application/x-ndjson; charset=utf-8" });
  try {
    while (next.done !== true) {
      const pair = next.value;
      const line = `${JSON.stringify({
        id: pair.id,
        version: pair.version,
        time: new Date(pair.timeMs).toISOString(),
        timeMs: pair.timeMs,
        features: pair.features,
        prediction: pair.prediction,
        label: pair.label,
      })}\n`;
      if (response.destroyed) {
        await pairs.return(undefined);
        return;
      }
      if (!response.write(line))
        // A client that goes away while the buffer is full ends the wait too.
        await new Promise<void>((resolve) => {
          response.once("drain", resolve);
          response.once("close", resolve);
        });
      next = await pairs.next();
    }
    response.end();
  } catch (error) {
    response.destroy(error instanceof Error ? error : new Error(String(error)));
  }
}
