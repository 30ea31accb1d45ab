import { api } from "../contract/index.js";
import { TikTokToeError } from "../errors/index.js";
import type { Endpoint, Route } from "./http/endpoint.js";
import { parsePoints, parseRange } from "./http/query.js";
import { sendJson, sendJsonCompressed } from "./http/respond.js";
import type { MonitorService } from "./monitor-service.js";
import { openapi } from "./openapi.js";
import type { ResourceMonitor } from "./resource-monitor.js";

/** What the operations routes need of the app. */
export interface OperationsRouteDeps {
  readonly service: Pick<MonitorService, "notReady">;
  readonly endpoint: Endpoint;
  /** The text of `/metrics` (`ServerMetrics`, metrics.ts). */
  readonly metrics: { render(): string };
  /** The machine's resources; without it `/v1/resources` is 404. */
  readonly resources: ResourceMonitor | undefined;
}

/**
 * The routes that operate the server rather than its models: liveness and readiness, the OpenAPI
 * document, `/metrics` and the machine's resources.
 *
 * @example
 * ```ts
 * for (const route of operationsRoutes(deps)) router.add(...route);
 * ```
 */
export function operationsRoutes(deps: OperationsRouteDeps): Route[] {
  const { service, endpoint, metrics, resources } = deps;
  return [
    endpoint(api.liveness, ({ response }) => sendJson(response, 200, { status: "ok" })),
    endpoint(api.readiness, ({ response }) => {
      // Not ready while the store refuses writes (a full disk) or the queue refuses publishes: a load
      // balancer sends traffic elsewhere.
      const failure = service.notReady;
      if (failure === null) sendJson(response, 200, { status: "ready" });
      else
        sendJson(response, 503, {
          status: "not ready",
          reason: failure.code,
          message: failure.message,
          since: new Date(failure.sinceMs).toISOString(),
        });
    }),
    endpoint(api.openapi, ({ response }) => sendJson(response, 200, openapi)),
    endpoint(api.metrics, ({ response }) => {
      const text = metrics.render();
      response.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
      response.end(text);
    }),
    endpoint(api.resources, async ({ request, response, query }) => {
      if (resources === undefined)
        throw new TikTokToeError("NOT_FOUND", "resource monitoring is not running");
      // Without a range: the last day (a machine's samples pile up; a model's windows are fewer).
      const range = parseRange(query, 86_400_000);
      sendJsonCompressed(
        request,
        response,
        200,
        await resources.report(range, parsePoints(query.get("points"))),
      );
    }),
  ];
}
