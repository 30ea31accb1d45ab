import { createServer, type IncomingMessage, type Server } from "node:http";
import { parseDuration } from "../config/index.js";
import { api, type RouteContract } from "../contract/index.js";
import { TikTokToeError } from "../errors/index.js";
import type { BatchFormat } from "../monitor/index.js";
import type { ChangeBus } from "../store/index.js";
import { clientOf, SESSION_COOKIE, SESSION_TTL_MS, type TokenAuth } from "./auth.js";
import {
  type DashboardAssets,
  dashboardPages,
  loadDashboardAssets,
  modelPagePreload,
  safeNext,
  serveAsset,
  serveLogin,
  servePage,
} from "./dashboard.js";
import { healthDocument, modelCard, sendDocument } from "./documents.js";
import type { Explanations } from "./explanations.js";
import { mediaType, readBody, UploadGate } from "./http/body.js";
import { isLoopbackHost } from "./http/host.js";
import { parseJsonBody } from "./http/json.js";
import { sendError, sendJson, sendJsonCompressed } from "./http/respond.js";
import { type Handler, type RouteContext, Router } from "./http/router.js";
import { queryObject, validateRequest } from "./http/validate.js";
import { type LearningLoop, learningRoutes } from "./learning/index.js";
import { LiveHub, relayChanges } from "./live.js";
import type { MonitorService } from "./monitor-service.js";
import { validateOnnxUpload } from "./onnx-predict.js";
import { openapi } from "./openapi.js";
import { type MetricFamily, processMetrics, renderExposition } from "./prometheus.js";
import type { ResourceMonitor } from "./resource-monitor.js";
import { type DeploymentService, deploymentRoutes } from "./serving/index.js";
import {
  LABELLED_LIMIT,
  sendReferenceRows,
  sendVersionModel,
  streamLabelled,
} from "./version-files-routes.js";

/** Options of {@link createApp}. */
export interface AppOptions {
  readonly service: MonitorService;
  readonly auth: TokenAuth;
  /** Largest accepted request body, in bytes. Default 32 MiB. */
  readonly maxBodyBytes?: number;
  readonly log?: (error: unknown) => void;
  /** The built dashboard; loaded from dist/ui when left out (null: no dashboard, API only). */
  readonly assets?: DashboardAssets | null;
  /** Feature importance per window (start.ts attaches it; without it the importance route is 404). */
  readonly explanations?: Explanations;
  /** The machine's resources (`/v1/resources`, and node_exporter's series on `/metrics`). */
  readonly resources?: ResourceMonitor;
  /**
   * The URL users reach the server by, when it is behind a proxy (`--external-url`): its host is
   * accepted as a Host header, and an https URL marks the session cookie `Secure`.
   */
  readonly externalUrl?: string;
  /** Request bodies read at once; more are answered 503 with Retry-After. Default 64. */
  readonly maxConcurrentUploads?: number;
  /** Live-update streams open at once; more are answered 503. Default 256. */
  readonly maxStreams?: number;
  /** Time a client has to send its headers (ms). Default 10 s. */
  readonly headersTimeoutMs?: number;
  /** Time a client has to send its whole request, body included (ms). Default 60 s. */
  readonly requestTimeoutMs?: number;
  /** The wall clock (login backoff). Default Date.now. */
  readonly now?: () => number;
  /** Serving and rollouts (issue #14); without it the deployment routes answer 404. */
  readonly deployments?: DeploymentService;
  /** The continuous-learning loop (issue #15); without it the learning routes answer 404. */
  readonly learning?: LearningLoop;
  /** Largest binary ONNX upload (`PUT …/versions/{v}/model`), bytes. Default 512 MiB. */
  readonly maxModelBytes?: number;
  /**
   * The replicas' change notices (docs/scale-out.md): the live stream carries every replica's
   * changes, and each request starts after the notices sent before it have been applied here
   * ({@link ChangeBus.sync}), so it sees what an answer of another replica said was done.
   */
  readonly bus?: ChangeBus;
}

const DEFAULT_MAX_BODY = 32 * 2 ** 20;

/**
 * The HTTP API of `tiktoktoe serve` as a node:http server (not yet listening).
 *
 * @example
 * ```ts
 * const server = createApp({ service, auth: new TokenAuth(new Map()) });
 * server.listen(8080, "127.0.0.1");
 * ```
 */
export function createApp(options: AppOptions): Server {
  const { service, auth } = options;
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const log = options.log ?? ((error: unknown) => console.error(error));
  const now = options.now ?? Date.now;
  const uploads = new UploadGate(options.maxConcurrentUploads ?? 64);
  const body = (request: IncomingMessage, max = limit) => uploads.read(() => readBody(request, max));
  const external = options.externalUrl === undefined ? null : new URL(options.externalUrl);
  const secureCookie = external?.protocol === "https:";
  const started = Date.now() / 1000;
  const requests = new Map<string, number>();
  /**
   * A route of the contract (src/contract): its method and path, the token scope it needs, and its
   * path and query parameters checked against the contract's schemas before the handler runs.
   */
  const endpoint = (route: RouteContract, handler: Handler): [string, string, Handler] => [
    route.method.toUpperCase(),
    route.path,
    (context: RouteContext) => {
      if (route.scope !== null) auth.check(context.request, route.scope);
      if (route.params !== undefined) validateRequest(route.params, context.params, "the path");
      if (route.query !== undefined)
        validateRequest(route.query, queryObject(Object.keys(route.query.shape), context.query), "the query");
      return handler(context);
    },
  ];
  /** A JSON body, checked against the route's schema in the contract. */
  const jsonBody = async (request: IncomingMessage, route: RouteContract): Promise<unknown> => {
    const type = mediaType(request);
    if (type !== "application/json")
      throw new TikTokToeError(
        "UNSUPPORTED_MEDIA_TYPE",
        `expected application/json, got "${type || "nothing"}"`,
      );
    const value = parseJsonBody((await body(request)).toString("utf8"));
    const media = route.body?.content["application/json"];
    if (media?.schema !== undefined && media.check?.(value) !== true) validateRequest(media.schema, value);
    return value;
  };
  const batchFormat = (request: IncomingMessage): BatchFormat => {
    const type = mediaType(request);
    if (type === "application/x-ndjson" || type === "application/ndjson" || type === "application/jsonl")
      return "ndjson";
    if (type === "application/json") return "json";
    throw new TikTokToeError(
      "UNSUPPORTED_MEDIA_TYPE",
      `expected application/x-ndjson or application/json, got "${type || "nothing"}"`,
    );
  };
  const time = (value: string | null, fallback: number, name: string): number => {
    if (value === null) return fallback;
    const ms = /^-?\d+$/.test(value) ? Number(value) : Date.parse(value);
    if (Number.isNaN(ms))
      throw new TikTokToeError("REQUEST_INVALID", `${name} must be ISO 8601 or epoch milliseconds`, {
        path: name,
      });
    // Beyond ±8.64e15 no Date exists: such a bound would fail later, in formatting, as a 500.
    if (Math.abs(ms) > 8.64e15)
      throw new TikTokToeError("REQUEST_INVALID", `${name} is outside the range of dates`, {
        path: name,
        hint: "give a time from 1970 to 2100, ISO 8601 or epoch milliseconds",
      });
    return ms;
  };

  /**
   * DNS rebinding guard: without tokens the API is open to whoever can reach it, which is meant to be
   * this machine only — but a web page whose name was rebound to 127.0.0.1 reaches it too, through
   * the visitor's browser, with its own name in Host. So without tokens only loopback names (and the
   * external URL's host) are served. With tokens, a token is what lets a request in.
   */
  const hostAllowed = (request: IncomingMessage): boolean => {
    if (auth.enabled) return true;
    const host = request.headers.host;
    if (host === undefined) return true; // HTTP/1.0 without Host: not a browser, so not rebinding
    const name = hostName(request);
    return isLoopbackHost(name) || (external !== null && name === external.hostname.toLowerCase());
  };
  const secure = (request: IncomingMessage): boolean =>
    secureCookie || (request.socket as { encrypted?: boolean }).encrypted === true;

  const assets = options.assets === undefined ? loadDashboardAssets() : options.assets;
  const live = new LiveHub({ maxClients: options.maxStreams ?? 256 });
  const bus = options.bus;
  const unsubscribe =
    bus === undefined
      ? service.onChange((change) => live.publish(change.type, change))
      : relayChanges((listener) => service.onChange(listener), bus, live, log);
  const page = ({ request, response, params, query }: RouteContext) => {
    if (!auth.mayRead(request)) {
      response.writeHead(303, { location: `/login?next=${encodeURIComponent(request.url ?? "/")}` });
      response.end();
      return;
    }
    const preload = params.model === undefined ? null : modelPagePreload(params.model, query);
    servePage(
      assets,
      { authEnabled: auth.enabled, ...(preload === null ? {} : { preload: [preload] }) },
      response,
    );
  };
  /** `last=24h`, or `from`/`to` (open ends when absent, or the last `defaultLastMs` when both are). */
  const rangeOf = (
    query: URLSearchParams,
    defaultLastMs: number | null,
  ): { fromMs: number; toMs: number } | { lastMs: number } => {
    const last = query.get("last");
    if (last !== null) {
      const parsed = parseDuration(last);
      if (!parsed.ok || parsed.ms === 0)
        throw new TikTokToeError(
          "REQUEST_INVALID",
          `last: ${parsed.ok ? "must be positive" : parsed.message}`,
          {
            path: "last",
            hint: "e.g. last=24h, last=7d, last=30d",
          },
        );
      return { lastMs: parsed.ms };
    }
    if (defaultLastMs !== null && query.get("from") === null && query.get("to") === null)
      return { lastMs: defaultLastMs };
    return {
      fromMs: time(query.get("from"), Number.NEGATIVE_INFINITY, "from"),
      toMs: time(query.get("to"), Number.POSITIVE_INFINITY, "to"),
    };
  };
  const maxPoints = (value: string | null): number => {
    if (value === null) return 1000;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 2 || n > 10_000)
      throw new TikTokToeError("REQUEST_INVALID", "points must be an integer from 2 to 10000", {
        path: "points",
      });
    return n;
  };

  const router = new Router();
  for (const path of dashboardPages) router.add("GET", path, page);
  router
    .add("GET", "/ui/{asset}", ({ request, response, params }) => {
      if (assets === null || !serveAsset(assets, params.asset!, request, response))
        throw new TikTokToeError("NOT_FOUND", "no such dashboard asset", {
          path: request.url ?? "",
          hint: "reload the page: the dashboard was rebuilt",
        });
    })
    .add("GET", "/login", ({ response, query }) => {
      if (!auth.enabled) {
        response.writeHead(303, { location: safeNext(query.get("next")) });
        response.end();
        return;
      }
      serveLogin(response, { next: safeNext(query.get("next")), error: null, styles: assets?.styles ?? [] });
    })
    .add("POST", "/login", async ({ request, response }) => {
      const form = new URLSearchParams((await body(request, 64 * 1024)).toString("utf8"));
      const next = safeNext(form.get("next"));
      const client = clientOf(request);
      if (auth.enabled) auth.refuseWhileLocked(client);
      const session = auth.enabled ? await auth.login(form.get("token") ?? "", now()) : "";
      if (session === null) auth.throttle.fail(client, now());
      else auth.throttle.succeed(client);
      if (session === null) {
        serveLogin(
          response,
          { next, error: "Unknown token, or it lacks the read scope.", styles: assets?.styles ?? [] },
          401,
        );
        return;
      }
      response.writeHead(303, {
        location: next,
        ...(auth.enabled
          ? {
              "set-cookie": `${SESSION_COOKIE}=${session}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${SESSION_TTL_MS / 1000}${secure(request) ? "; Secure" : ""}`,
            }
          : {}),
      });
      response.end();
    })
    .add("POST", "/logout", async ({ request, response }) => {
      await auth.logout(request);
      response.writeHead(303, {
        location: "/login",
        "set-cookie": `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0${secure(request) ? "; Secure" : ""}`,
      });
      response.end();
    })
    .add(
      ...endpoint(api.overview, async ({ request, response }) => {
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
    )
    .add(
      ...endpoint(api.series, async ({ request, response, params, query }) => {
        const range = rangeOf(query, null);
        const version = query.get("version") ?? undefined;
        const points = maxPoints(query.get("points"));
        sendJsonCompressed(
          request,
          response,
          200,
          await service.series(params.model!, range, version, points),
        );
      }),
    )
    .add(
      ...endpoint(api.listReports, async ({ request, response, params, query }) => {
        const from = time(query.get("from"), Number.NEGATIVE_INFINITY, "from");
        const to = time(query.get("to"), Number.POSITIVE_INFINITY, "to");
        const limit = query.get("limit") === null ? 100 : Number(query.get("limit"));
        if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
          throw new TikTokToeError("REQUEST_INVALID", "limit must be an integer from 1 to 10000", {
            path: "limit",
          });
        sendJsonCompressed(request, response, 200, {
          reports: await service.listReports(params.model!, from, to, limit),
        });
      }),
    )
    .add(
      ...endpoint(api.getReport, async ({ request, response, params }) =>
        sendJsonCompressed(request, response, 200, await service.getReport(params.model!, params.id!)),
      ),
    )
    .add(...endpoint(api.stream, ({ request, response }) => live.attach(request, response)))
    .add(...endpoint(api.liveness, ({ response }) => sendJson(response, 200, { status: "ok" })))
    .add(
      ...endpoint(api.readiness, ({ response }) => {
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
    )
    .add(...endpoint(api.openapi, ({ response }) => sendJson(response, 200, openapi)))
    .add(
      ...endpoint(api.metrics, ({ response }) => {
        const own = [...serviceMetrics(service, requests), ...processMetrics(started)];
        // The memory collector reports process metrics the server already renders: each family once.
        const machine = options.resources?.metricFamilies(new Set(own.map((f) => f.name))) ?? [];
        const text = renderExposition([...own, ...machine]);
        response.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
        response.end(text);
      }),
    )
    .add(
      ...endpoint(api.resources, async ({ request, response, query }) => {
        if (options.resources === undefined)
          throw new TikTokToeError("NOT_FOUND", "resource monitoring is not running");
        // Without a range: the last day (a machine's samples pile up; a model's windows are fewer).
        const range = rangeOf(query, 86_400_000);
        sendJsonCompressed(
          request,
          response,
          200,
          await options.resources.report(range, maxPoints(query.get("points"))),
        );
      }),
    )
    .add(
      ...endpoint(api.listModels, ({ response }) =>
        sendJson(response, 200, { models: service.listModels() }),
      ),
    )
    .add(
      ...endpoint(api.registerModel, async ({ request, response }) =>
        sendJson(response, 201, await service.registerModel(await jsonBody(request, api.registerModel))),
      ),
    )
    .add(
      ...endpoint(api.getModel, ({ response, params }) =>
        sendJson(response, 200, service.model(params.model!)),
      ),
    )
    .add(
      ...endpoint(api.listVersions, async ({ response, params }) =>
        sendJson(response, 200, { versions: await service.listVersions(params.model!) }),
      ),
    )
    .add(
      ...endpoint(api.registerVersion, async ({ request, response, params }) => {
        const fields = await jsonBody(request, api.registerVersion);
        const record =
          typeof fields === "object" && fields !== null && !Array.isArray(fields)
            ? (fields as Record<string, unknown>)
            : {};
        const { onnx: encoded, ...rest } = record;
        // Checked before anything is stored: a model that does not load is refused now, not at the
        // reference upload or the first explanation.
        const onnx = encoded === undefined ? undefined : await validateOnnxUpload(encoded);
        sendJson(response, 201, await service.registerVersion(params.model!, rest, onnx));
      }),
    )
    .add(
      ...endpoint(api.putReference, async ({ request, response, params }) => {
        const bytes = await body(request);
        sendJson(
          response,
          200,
          await service.putReference(params.model!, params.version!, bytes, mediaType(request)),
        );
      }),
    )
    .add(
      ...endpoint(api.ingestEvents, async ({ request, response, params }) => {
        const format = batchFormat(request);
        // The bytes as received: the API role publishes them as they are (no decode, no re-encode).
        const answer = await service.ingestEvents(params.model!, await body(request), format);
        // 202: durable in the queue, stored by a worker shortly (--queue).
        sendJson(response, answer.queued === true ? 202 : 200, answer);
      }),
    )
    .add(
      ...endpoint(api.ingestLabels, async ({ request, response, params }) => {
        const format = batchFormat(request);
        const answer = await service.ingestLabels(params.model!, await body(request), format);
        sendJson(response, answer.queued === true ? 202 : 200, answer);
      }),
    )
    .add(
      ...endpoint(api.advanceClock, async ({ request, response, params }) =>
        sendJson(
          response,
          200,
          await service.advanceClock(params.model!, await jsonBody(request, api.advanceClock)),
        ),
      ),
    )
    .add(
      ...endpoint(api.listWindows, async ({ response, params, query }) => {
        const from = time(query.get("from"), Number.NEGATIVE_INFINITY, "from");
        const to = time(query.get("to"), Number.POSITIVE_INFINITY, "to");
        const version = query.get("version") ?? undefined;
        sendJson(response, 200, { windows: await service.windows(params.model!, from, to, version) });
      }),
    )
    .add(
      ...endpoint(api.listAlerts, ({ response, query }) => {
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
    )
    .add(
      ...endpoint(api.ackAlert, async ({ request, response, params }) =>
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
    )
    .add(
      ...endpoint(api.listSilences, ({ response }) =>
        sendJson(response, 200, { silences: alertingOf(service).listSilences(service.alertingNow()) }),
      ),
    )
    .add(
      ...endpoint(api.createSilence, async ({ request, response }) =>
        sendJson(
          response,
          201,
          await alertingOf(service).silence(
            await jsonBody(request, api.createSilence),
            service.alertingNow(),
          ),
        ),
      ),
    )
    .add(
      ...endpoint(api.expireSilence, async ({ response, params }) => {
        await alertingOf(service).expireSilence(params.id!, service.alertingNow());
        sendJson(response, 200, { expired: params.id });
      }),
    )
    .add(
      ...endpoint(api.windowDrift, async ({ response, params, query }) => {
        const version = query.get("version");
        if (version === null)
          throw new TikTokToeError("REQUEST_INVALID", "the version query parameter is required", {
            path: "version",
          });
        const start = time(params.start!, Number.NaN, "start");
        sendJson(response, 200, await service.windowDriftReport(params.model!, start, version));
      }),
    )
    .add(
      ...endpoint(api.windowImportance, async ({ response, params, query }) => {
        const version = query.get("version");
        if (version === null)
          throw new TikTokToeError("REQUEST_INVALID", "the version query parameter is required", {
            path: "version",
          });
        if (options.explanations === undefined)
          throw new TikTokToeError("NOT_FOUND", "explanations are not enabled on this server");
        const start = time(params.start!, Number.NaN, "start");
        sendJson(response, 200, await options.explanations.windowImportance(params.model!, version, start));
      }),
    )
    // Documents (issue #17): built on request from the same answers as the JSON routes.
    .add(
      ...endpoint(api.modelCard, async ({ response, params, query }) => {
        const document = await modelCard(
          service,
          params.model!,
          params.version!,
          Date.now(),
          options.deployments,
        );
        sendDocument(response, document, query.get("format") === "html" ? "html" : "markdown");
      }),
    )
    .add(
      ...endpoint(api.healthDocument, async ({ response, params, query }) => {
        const from = time(query.get("from"), Number.NEGATIVE_INFINITY, "from");
        const to = time(query.get("to"), Number.POSITIVE_INFINITY, "to");
        const document = await healthDocument(service, params.model!, from, to, Date.now());
        sendDocument(response, document, query.get("format") === "html" ? "html" : "markdown");
      }),
    )
    .add(
      ...endpoint(api.getVersionModel, ({ response, params }) =>
        sendVersionModel(response, service, params.model!, params.version!),
      ),
    )
    .add(
      ...endpoint(api.getReference, ({ response, params }) =>
        sendReferenceRows(response, service, params.model!, params.version!),
      ),
    )
    .add(
      ...endpoint(api.listLabelled, ({ response, params, query }) => {
        const version = query.get("version");
        const limit = query.get("limit");
        return streamLabelled(response, service, {
          model: params.model!,
          ...(version === null ? {} : { version }),
          fromMs: time(query.get("from"), Number.NEGATIVE_INFINITY, "from"),
          toMs: time(query.get("to"), Number.POSITIVE_INFINITY, "to"),
          limit: limit === null ? LABELLED_LIMIT.default : Number(limit),
        });
      }),
    );

  for (const route of deploymentRoutes({
    deployments: options.deployments,
    endpoint,
    jsonBody,
    body,
    maxModelBytes: options.maxModelBytes ?? 512 * 2 ** 20,
  }))
    router.add(...route);

  for (const route of learningRoutes({ learning: options.learning, endpoint, jsonBody }))
    router.add(...route);

  const headersTimeout = options.headersTimeoutMs ?? 10_000;
  // Node checks the header and request timeouts on this interval (30 s by default, longer than the
  // header timeout itself).
  const checkEvery = Math.max(250, Math.min(5_000, Math.floor(headersTimeout / 2)));
  const server = createServer({ connectionsCheckingInterval: checkEvery }, (request, response) => {
    let route = UNMATCHED_ROUTE;
    response.on("finish", () => {
      const labelKey = `${request.method}\u0000${route}\u0000${response.statusCode}`;
      requests.set(labelKey, (requests.get(labelKey) ?? 0) + 1);
    });
    // Nothing a request does may end the process: every failure, even one while answering, becomes
    // an answer or a closed connection.
    const fail = (error: unknown) => sendError(response, error, log);
    try {
      if (!hostAllowed(request)) {
        fail(
          new TikTokToeError("HOST_NOT_ALLOWED", `requests to host "${hostName(request)}" are not accepted`, {
            hint: "use http://127.0.0.1 or http://localhost, or start the server with --tokens",
          }),
        );
        return;
      }
      const routed = () =>
        router.handle(request, response, (matched) => {
          route = matched.path;
        });
      (bus === undefined ? routed() : bus.sync().then(routed)).catch(fail);
    } catch (error) {
      fail(error);
    }
  });
  server.headersTimeout = headersTimeout;
  server.requestTimeout = options.requestTimeoutMs ?? 60_000;
  // Open event streams would keep server.close() waiting for ever.
  server.on("close", () => {
    unsubscribe();
    live.close();
  });
  const close = server.close.bind(server);
  server.close = (callback?: (error?: Error) => void) => {
    live.close();
    return close(callback);
  };
  return server;
}

/**
 * The `route` label of every request no route took (404s, and anything refused before routing): one
 * value, so that scanners probing random paths cannot grow /metrics (the router names the others).
 */
const UNMATCHED_ROUTE = "unmatched";

/** The host name a request is addressed to (Host without the port), lower-case. */
function hostName(request: IncomingMessage): string {
  const host = (request.headers.host ?? "").trim().toLowerCase();
  if (host.startsWith("[")) return host.slice(0, host.indexOf("]") + 1);
  const colon = host.lastIndexOf(":");
  return colon === -1 ? host : host.slice(0, colon);
}

function alertingOf(service: MonitorService) {
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
 * Delivery attempts' latency by channel as a summary without quantiles: `_sum` from the alerting
 * counters' `latency` entries (ms), `_count` the channel's attempts (every attempt counts one result
 * and its latency together).
 */
function notificationLatency(counters: ReadonlyMap<string, number>): MetricFamily {
  const channels = new Map<string, { sum: number; count: number }>();
  const of = (channel: string) =>
    channels.get(channel) ?? channels.set(channel, { sum: 0, count: 0 }).get(channel)!;
  for (const [key, value] of counters) {
    const [first, second] = key.split("\u0000");
    if (first === "latency") of(second!).sum += value / 1000;
    else of(first!).count += value;
  }
  return {
    name: "tiktoktoe_notification_latency_seconds",
    help: "Time spent in notification delivery attempts, by channel.",
    type: "summary",
    samples: [...channels].map(([channel, { sum, count }]) => ({
      labels: { channel },
      quantiles: [],
      sum,
      count,
    })),
  };
}

function serviceMetrics(service: MonitorService, requests: ReadonlyMap<string, number>): MetricFamily[] {
  const c = service.counters;
  return [
    {
      name: "tiktoktoe_ingested_events_total",
      help: "Prediction events accepted and stored.",
      type: "counter",
      samples: [{ value: c.events }],
    },
    {
      name: "tiktoktoe_ingested_labels_total",
      help: "Labels accepted and joined to their events.",
      type: "counter",
      samples: [{ value: c.labels }],
    },
    {
      name: "tiktoktoe_duplicate_records_total",
      help: "Events or labels ignored as duplicates of stored ones.",
      type: "counter",
      samples: [{ value: c.duplicates }],
    },
    {
      name: "tiktoktoe_rejected_batches_total",
      help: "Ingest batches rejected with INGEST_INVALID.",
      type: "counter",
      samples: [{ value: c.rejectedBatches }],
    },
    {
      name: "tiktoktoe_unmatched_labels_total",
      help: "Labels whose event was unknown.",
      type: "counter",
      samples: [{ value: c.unmatchedLabels }],
    },
    {
      name: "tiktoktoe_answered_predictions_waiting",
      help: "Answered /predict rows waiting to be recorded (written just after the answer).",
      type: "gauge",
      samples: [{ value: c.answeredWaiting }],
    },
    {
      name: "tiktoktoe_answered_predictions_dropped_total",
      help: "Answered /predict rows the store rejected for good (never recorded).",
      type: "counter",
      samples: [{ value: c.answeredDropped }],
    },
    {
      name: "tiktoktoe_http_requests_total",
      // Bounded: method is one of node:http's known methods (it refuses others), route a template.
      help: 'HTTP requests by method, route template (or "unmatched") and status code.',
      type: "counter",
      samples: [...requests].map(([k, value]) => {
        const [method, route, code] = k.split("\u0000");
        return { labels: { method: method!, route: route!, code: code! }, value };
      }),
    },
    ...service.gauges(),
    {
      name: "tiktoktoe_notifications_total",
      help: "Notification delivery attempts by channel and result (sent, or the failure reason).",
      type: "counter",
      samples: [...(service.alerting?.counters ?? new Map<string, number>())]
        .filter(([k]) => !k.startsWith("latency\u0000"))
        .map(([k, value]) => {
          const [channel, result] = k.split("\u0000");
          return { labels: { channel: channel!, result: result! }, value };
        }),
    },
    notificationLatency(service.alerting?.counters ?? new Map<string, number>()),
  ];
}
