import { createServer, type IncomingMessage, type Server } from "node:http";
import { TikTokToeError } from "../errors/index.js";
import type { ChangeBus } from "../store/index.js";
import { alertRoutes } from "./alert-routes.js";
import type { TokenAuth } from "./auth.js";
import { type DashboardAssets, loadDashboardAssets } from "./dashboard.js";
import { dashboardRoutes } from "./dashboard-routes.js";
import type { Explanations } from "./explanations/index.js";
import { readBody, UploadGate } from "./http/body.js";
import { contractEndpoint, jsonBodyReader } from "./http/endpoint.js";
import { hostAllowed, hostName } from "./http/host.js";
import { sendError } from "./http/respond.js";
import { Router } from "./http/router.js";
import { ingestRoutes } from "./ingest/index.js";
import { type LearningLoop, learningRoutes } from "./learning/index.js";
import { LiveHub, relayChanges } from "./live.js";
import { ServerMetrics, UNMATCHED_ROUTE } from "./metrics.js";
import type { MonitorService } from "./monitor-service.js";
import { monitoringRoutes } from "./monitoring-routes.js";
import { operationsRoutes } from "./operations-routes.js";
import { modelRoutes } from "./registry/index.js";
import type { ResourceMonitor } from "./resource-monitor.js";
import { type DeploymentService, deploymentRoutes } from "./serving/index.js";

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
  const uploads = new UploadGate(options.maxConcurrentUploads ?? 64);
  const body = (request: IncomingMessage, max = limit) => uploads.read(() => readBody(request, max));
  const external = options.externalUrl === undefined ? null : new URL(options.externalUrl);
  const metrics = new ServerMetrics({ service, resources: options.resources });
  const endpoint = contractEndpoint(auth);
  const jsonBody = jsonBodyReader(body);
  const assets = options.assets === undefined ? loadDashboardAssets() : options.assets;

  const live = new LiveHub({ maxClients: options.maxStreams ?? 256 });
  const bus = options.bus;
  const unsubscribe =
    bus === undefined
      ? service.onChange((change) => live.publish(change.type, change))
      : relayChanges((listener) => service.onChange(listener), bus, live, log);

  // Grouped by area. The router tries routes in this order: where two templates match one path the
  // first wins, and a 405's `Allow` lists the methods in this order.
  const routes = [
    ...dashboardRoutes({
      auth,
      assets,
      body,
      now: options.now ?? Date.now,
      secureCookie: external?.protocol === "https:",
    }),
    ...monitoringRoutes({
      service,
      endpoint,
      live,
      explanations: options.explanations,
      deployments: options.deployments,
    }),
    ...operationsRoutes({ service, endpoint, metrics, resources: options.resources }),
    ...modelRoutes({ service, endpoint, jsonBody, body }),
    ...ingestRoutes({ service, endpoint, jsonBody, body }),
    ...alertRoutes({ service, endpoint, jsonBody }),
    ...deploymentRoutes({
      deployments: options.deployments,
      endpoint,
      jsonBody,
      body,
      maxModelBytes: options.maxModelBytes ?? 512 * 2 ** 20,
    }),
    ...learningRoutes({ learning: options.learning, endpoint, jsonBody }),
  ];
  const router = new Router();
  for (const route of routes) router.add(...route);

  const headersTimeout = options.headersTimeoutMs ?? 10_000;
  // Node checks the header and request timeouts on this interval (30 s by default, longer than the
  // header timeout itself).
  const checkEvery = Math.max(250, Math.min(5_000, Math.floor(headersTimeout / 2)));
  const server = createServer({ connectionsCheckingInterval: checkEvery }, (request, response) => {
    let route = UNMATCHED_ROUTE;
    response.on("finish", () => metrics.countRequest(request.method, route, response.statusCode));
    // Nothing a request does may end the process: every failure, even one while answering, becomes
    // an answer or a closed connection.
    const fail = (error: unknown) => sendError(response, error, log);
    try {
      if (!hostAllowed(request, auth.enabled, external)) {
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
