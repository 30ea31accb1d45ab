import type { IncomingMessage } from "node:http";
import { api } from "../../contract/index.js";
import { TikTokToeError } from "../../errors/index.js";
import type { BatchFormat } from "../../monitor/index.js";
import { mediaType } from "../http/body.js";
import type { BodyReader, Endpoint, JsonBody, Route } from "../http/endpoint.js";
import { sendJson } from "../http/respond.js";
import type { MonitorService } from "../monitor-service.js";

/** What the ingest routes need of the app: the service's ingest calls, its route wrapper and body readers. */
export interface IngestRouteDeps {
  readonly service: Pick<MonitorService, "ingestEvents" | "ingestLabels" | "advanceClock">;
  readonly endpoint: Endpoint;
  readonly jsonBody: JsonBody;
  readonly body: BodyReader;
}

function batchFormat(request: IncomingMessage): BatchFormat {
  const type = mediaType(request);
  if (type === "application/x-ndjson" || type === "application/ndjson" || type === "application/jsonl")
    return "ndjson";
  if (type === "application/json") return "json";
  throw new TikTokToeError(
    "UNSUPPORTED_MEDIA_TYPE",
    `expected application/x-ndjson or application/json, got "${type || "nothing"}"`,
  );
}

/**
 * The ingest routes of the contract: batches of prediction events and of labels (NDJSON or JSON),
 * and a model's event-time clock.
 *
 * @example
 * ```ts
 * for (const route of ingestRoutes(deps)) router.add(...route);
 * ```
 */
export function ingestRoutes(deps: IngestRouteDeps): Route[] {
  const { service, endpoint, jsonBody, body } = deps;
  return [
    endpoint(api.ingestEvents, async ({ request, response, params }) => {
      const format = batchFormat(request);
      // The bytes as received: the API role publishes them as they are (no decode, no re-encode).
      const answer = await service.ingestEvents(params.model!, await body(request), format);
      // 202: durable in the queue, stored by a worker shortly (--queue).
      sendJson(response, answer.queued === true ? 202 : 200, answer);
    }),
    endpoint(api.ingestLabels, async ({ request, response, params }) => {
      const format = batchFormat(request);
      const answer = await service.ingestLabels(params.model!, await body(request), format);
      sendJson(response, answer.queued === true ? 202 : 200, answer);
    }),
    endpoint(api.advanceClock, async ({ request, response, params }) =>
      sendJson(
        response,
        200,
        await service.advanceClock(params.model!, await jsonBody(request, api.advanceClock)),
      ),
    ),
  ];
}
