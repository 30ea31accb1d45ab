import { api } from "../contract/index.js";
import { TikTokToeError } from "../errors/index.js";
import type { Endpoint, JsonBody, Route } from "./http/endpoint.js";
import { sendJson } from "./http/respond.js";
import type { MonitorService } from "./monitor-service.js";

/** What the alert routes need of the app: the service's alerting and its clock, the route wrapper. */
export interface AlertRouteDeps {
  readonly service: Pick<MonitorService, "alerting" | "alertingNow">;
  readonly endpoint: Endpoint;
  readonly jsonBody: JsonBody;
}

function alertingOf(service: AlertRouteDeps["service"]) {
  // Alerting is always on (without a section, into the server's own list), but it opens once the
  // server knows its URL: a request in that first moment is told to come back, not that it is missing.
  if (service.alerting === undefined)
    throw new TikTokToeError("SERVER_BUSY", "alerting is still starting", {
      hint: "retry in a second",
      retryAfterS: 1,
    });
  return service.alerting;
}

/**
 * The alert routes of the contract: the alerts (filtered by state, severity and model), their
 * acknowledgement, and silences.
 *
 * @example
 * ```ts
 * for (const route of alertRoutes(deps)) router.add(...route);
 * ```
 */
export function alertRoutes(deps: AlertRouteDeps): Route[] {
  const { service, endpoint, jsonBody } = deps;
  return [
    endpoint(api.listAlerts, ({ response, query }) => {
      const state = query.get("state");
      const severity = query.get("severity");
      const model = query.get("model");
      const alerts = alertingOf(service)
        .alerts(service.alertingNow())
        .filter(
          (a) =>
            (state === null || a.state === state) &&
            (severity === null || a.labels.severity === severity) &&
            (model === null || a.labels.model === model),
        );
      // Which channels alerts go to: none means they are listed here and on the dashboard only.
      sendJson(response, 200, { alerts, channels: alertingOf(service).channelNames() });
    }),
    endpoint(api.ackAlert, async ({ request, response, params }) =>
      sendJson(
        response,
        200,
        await alertingOf(service).ack(
          params.fingerprint!,
          await jsonBody(request, api.ackAlert),
          service.alertingNow(),
        ),
      ),
    ),
    endpoint(api.listSilences, ({ response }) =>
      sendJson(response, 200, { silences: alertingOf(service).listSilences(service.alertingNow()) }),
    ),
    endpoint(api.createSilence, async ({ request, response }) =>
      sendJson(
        response,
        201,
        await alertingOf(service).silence(await jsonBody(request, api.createSilence), service.alertingNow()),
      ),
    ),
    endpoint(api.expireSilence, async ({ response, params }) => {
      await alertingOf(service).expireSilence(params.id!, service.alertingNow());
      sendJson(response, 200, { expired: params.id });
    }),
  ];
}
