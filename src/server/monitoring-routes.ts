import { api } from "../contract/index.js";
import { TikTokToeError } from "../errors/index.js";
import { type DeploymentHistorySource, healthDocument, modelCard, sendDocument } from "./documents.js";
import type { Explanations } from "./explanations/index.js";
import type { Endpoint, Route } from "./http/endpoint.js";
import { parsePoints, parseRange, parseTime } from "./http/query.js";
import { sendJson, sendJsonCompressed } from "./http/respond.js";
import type { LiveHub } from "./live.js";
import type { MonitorService } from "./monitor-service.js";

/** What the monitoring routes need of the app. */
export interface MonitoringRouteDeps {
  readonly service: MonitorService;
  readonly endpoint: Endpoint;
  /** The live-update stream's hub. */
  readonly live: LiveHub;
  /** Feature importance per window; without it the importance route is 404. */
  readonly explanations: Explanations | undefined;
  /** Stage moves and rollouts for the model card (the deployment service, when serving). */
  readonly deployments: DeploymentHistorySource | undefined;
}

/**
 * The monitoring reads of the contract: the dashboard's overview, series and live stream, a model's
 * windows with their drift and feature importance, its health reports, and the documents built from
 * them (model card, health document).
 *
 * @example
 * ```ts
 * for (const route of monitoringRoutes(deps)) router.add(...route);
 * ```
 */
export function monitoringRoutes(deps: MonitoringRouteDeps): Route[] {
  const { service, endpoint, live } = deps;
  const requiredVersion = (query: URLSearchParams): string => {
    const version = query.get("version");
    if (version === null)
      throw new TikTokToeError("REQUEST_INVALID", "the version query parameter is required", {
        path: "version",
      });
    return version;
  };
  return [
    endpoint(api.overview, async ({ request, response }) => {
      const models = await service.overview();
      const alerts = service.alerting?.alerts(service.alertingNow()) ?? [];
      sendJsonCompressed(request, response, 200, {
        now: service.alertingNow(),
        models,
        alerts: {
          firing: alerts.filter((a) => a.status === "firing" && a.state === "active").length,
          suppressed: alerts.filter((a) => a.status === "firing" && a.state === "suppressed").length,
        },
      });
    }),
    endpoint(api.series, async ({ request, response, params, query }) => {
      const range = parseRange(query, null);
      const version = query.get("version") ?? undefined;
      const points = parsePoints(query.get("points"));
      sendJsonCompressed(request, response, 200, await service.series(params.model!, range, version, points));
    }),
    endpoint(api.listReports, async ({ request, response, params, query }) => {
      const from = parseTime(query.get("from"), Number.NEGATIVE_INFINITY, "from");
      const to = parseTime(query.get("to"), Number.POSITIVE_INFINITY, "to");
      const limit = query.get("limit") === null ? 100 : Number(query.get("limit"));
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
        throw new TikTokToeError("REQUEST_INVALID", "limit must be an integer from 1 to 10000", {
          path: "limit",
        });
      sendJsonCompressed(request, response, 200, {
        reports: await service.listReports(params.model!, from, to, limit),
      });
    }),
    endpoint(api.getReport, async ({ request, response, params }) =>
      sendJsonCompressed(request, response, 200, await service.getReport(params.model!, params.id!)),
    ),
    endpoint(api.stream, ({ request, response }) => live.attach(request, response)),
    endpoint(api.listWindows, async ({ response, params, query }) => {
      const from = parseTime(query.get("from"), Number.NEGATIVE_INFINITY, "from");
      const to = parseTime(query.get("to"), Number.POSITIVE_INFINITY, "to");
      const version = query.get("version") ?? undefined;
      sendJson(response, 200, { windows: await service.windows(params.model!, from, to, version) });
    }),
    endpoint(api.windowDrift, async ({ response, params, query }) => {
      const version = requiredVersion(query);
      const start = parseTime(params.start!, Number.NaN, "start");
      sendJson(response, 200, await service.windowDriftReport(params.model!, start, version));
    }),
    endpoint(api.windowImportance, async ({ response, params, query }) => {
      const version = requiredVersion(query);
      if (deps.explanations === undefined)
        throw new TikTokToeError("NOT_FOUND", "explanations are not enabled on this server");
      const start = parseTime(params.start!, Number.NaN, "start");
      sendJson(response, 200, await deps.explanations.windowImportance(params.model!, version, start));
    }),
    // Documents (issue #17): built on request from the same answers as the JSON routes.
    endpoint(api.modelCard, async ({ response, params, query }) => {
      const document = await modelCard(service, params.model!, params.version!, Date.now(), deps.deployments);
      sendDocument(response, document, query.get("format") === "html" ? "html" : "markdown");
    }),
    endpoint(api.healthDocument, async ({ response, params, query }) => {
      const from = parseTime(query.get("from"), Number.NEGATIVE_INFINITY, "from");
      const to = parseTime(query.get("to"), Number.POSITIVE_INFINITY, "to");
      const document = await healthDocument(service, params.model!, from, to, Date.now());
      sendDocument(response, document, query.get("format") === "html" ? "html" : "markdown");
    }),
  ];
}
