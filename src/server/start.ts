import { mkdirSync, readFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import {
  loadConfig,
  type MonitorConfig,
  queueUrlProblem,
  splitQueueUrl,
  validateConfig,
} from "../config/index.js";
import { TikTokToeError } from "../errors/index.js";
import { createLogger, type Logger } from "../logging/index.js";
import { enableNativeKernels } from "../parallel/index.js";
import { type IngestQueue, openJetStreamQueue } from "../queue/index.js";
import {
  type ChangeBus,
  type JobLocks,
  openChangeBusFor,
  openJobLocksFor,
  openStore,
  type Store,
  type StoreSelection,
} from "../store/index.js";
import { Alerting, loadAlerting } from "./alerting.js";
import { createApp } from "./app.js";
import { parseTokens, type Scope, TokenAuth } from "./auth.js";
import type { Explanations } from "./explanations/index.js";
import { LearningLoop } from "./learning/index.js";
import { LoginSessions } from "./login-sessions.js";
import { MonitorService } from "./monitor-service.js";
import { lowerPriority } from "./priority.js";
import { ResourceMonitor } from "./resource-monitor.js";
import { DeploymentService } from "./serving/index.js";

/** Options of {@link startServer}. */
export interface StartServerOptions {
  readonly port: number;
  readonly host?: string;
  readonly dataDir: string;
  /** `postgres://…?schema=NAME` (`--store`): the PostgreSQL store, over the configuration's `store.url`. */
  readonly store?: string;
  readonly configFile?: string;
  readonly tokensFile?: string;
  readonly clock?: "wall" | "event";
  /** How often changed windows are written (ms). Default 2,000. */
  readonly flushIntervalMs?: number;
  /** How often due notifications are delivered (ms). Default 1,000. */
  readonly deliveryIntervalMs?: number;
  /** How often retention runs (ms). Default one hour. */
  readonly retentionIntervalMs?: number;
  /** How often the machine's resources are sampled (ms). Default the configuration's `resources.interval`. */
  readonly resourceIntervalMs?: number;
  readonly now?: () => number;
  readonly maxBodyBytes?: number;
  /** The URL users reach the server by behind a proxy (`--external-url`); see AppOptions.externalUrl. */
  readonly externalUrl?: string;
  /** The server's logger. Default: warnings and errors as text on stderr. */
  readonly log?: Logger;
  /** False: monitor only (`--monitor-only`): no predictions, no model uploads. Default true. */
  readonly serving?: boolean;
  /** How often rollouts are checked for due analyses on the wall clock (ms). Default 1,000. */
  readonly rolloutTickMs?: number;
  /** True (`--record-before-answer`): a prediction is answered once its event is durable. Default false. */
  readonly recordBeforeAnswer?: boolean;
  /**
   * `nats://host:4222[?deployment=NAME]` (`--queue`): ingest through NATS JetStream, over the
   * configuration's `queue.url`. Without one, requests append to the store themselves (as before).
   */
  readonly queue?: string;
  /**
   * With a queue (`--role`): `api` validates and publishes only; `worker` also writes the queue's
   * batches to the store and runs the singleton work (aggregator, alerting, retention, delivery) when
   * it holds their job locks; `all` (the default) is both in one process.
   */
  readonly role?: ServerRole;
  /**
   * How often the learning loop looks for due batches and runs (ms). Default 5,000; 0: never on a
   * timer (a replay calls `learning.tick()` itself, at the event times it chooses).
   */
  readonly learningTickMs?: number;
}

/** What a replica does (see {@link StartServerOptions.role}). */
export type ServerRole = "api" | "worker" | "all";

/** The job lock of notification delivery and of retention (the aggregator's is AGGREGATOR_JOB). */
const DELIVERY_JOB = "delivery";
const RETENTION_JOB = "retention";

/** A started server. */
export interface RunningServer {
  readonly url: string;
  readonly service: MonitorService;
  readonly store: Store;
  /** The machine's resources: sampled on `resources.interval`, stored per window. */
  readonly resources: ResourceMonitor;
  /** Permutation importance and attribution drift of windows (explained in the background when final). */
  readonly explanations: Explanations;
  /** Serving, stages and rollouts (issue #14). */
  readonly deployments: DeploymentService;
  /** The continuous-learning loop (issue #15); undefined with `--monitor-only`. */
  readonly learning: LearningLoop | undefined;
  /** Stops accepting requests, writes every window, closes the store. */
  close(): Promise<void>;
}

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

/**
 * Alerting without an `alerting` section: the default rules fire into the alert list of the API and
 * the dashboard, through one receiver without channels, so a model in trouble is never shown beside
 * "nothing is firing". Adding channels and a route sends them on (docs/alerting.md).
 */
export const DASHBOARD_ONLY_ALERTING = {
  receivers: { "dashboard-only": { channels: [] } },
  route: { receiver: "dashboard-only" },
} as const;

/**
 * Starts `tiktoktoe serve` on the embedded SQLite store in `dataDir`: opens and migrates the store,
 * replays the log, listens, and writes windows on a timer. Tokens are required on any address but
 * loopback.
 *
 * @example
 * ```ts
 * const server = await startServer({ port: 8080, dataDir: "./data" });
 * console.log(server.url);
 * ```
 */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  // The window drift runs in this thread: give it the compiled kernels when they were built.
  enableNativeKernels();
  const host = options.host ?? "127.0.0.1";
  if (options.externalUrl !== undefined && !/^https?:\/\/[^/]+/.test(options.externalUrl))
    throw new TikTokToeError("USAGE", `--external-url must be an http:// or https:// URL`, {
      path: "--external-url",
      hint: "e.g. --external-url https://monitor.example.com",
    });
  const tokens =
    options.tokensFile === undefined
      ? new Map()
      : parseTokens(readFileSync(options.tokensFile, "utf8"), options.tokensFile);
  if (tokens.size === 0 && !LOOPBACK.has(host))
    throw new TikTokToeError(
      "USAGE",
      `listening on ${host} needs --tokens: without tokens anyone could write and read`,
      {
        path: "--tokens",
        hint: 'give a file of "TOKEN SCOPE[,SCOPE]" lines, or listen on 127.0.0.1',
      },
    );
  const config: MonitorConfig =
    options.configFile === undefined ? defaultConfig() : await loadConfig(options.configFile);
  const role = options.role ?? "all";
  const queueUrl = options.queue ?? config.queue.url;
  if (queueUrl === null && role !== "all")
    throw new TikTokToeError(
      "USAGE",
      `--role ${role} needs --queue: replicas share their ingest through it`,
      {
        path: "--role",
        hint: "give --queue nats://HOST:4222, or leave --role out",
      },
    );
  const queueProblem = queueUrl === null ? undefined : queueUrlProblem(queueUrl);
  if (queueProblem !== undefined)
    throw new TikTokToeError("USAGE", `--queue: ${queueProblem}`, {
      path: "--queue",
      hint: "e.g. --queue nats://127.0.0.1:4222?deployment=prod",
    });
  mkdirSync(options.dataDir, { recursive: true });
  const selection: StoreSelection = {
    url: options.store ?? config.store.url,
    sqliteFile: join(options.dataDir, "tiktoktoe.db"),
    poolSize: config.store.pool_size,
    partitionMs: config.store.partition,
  };
  const store = await openStore(selection);
  const now = options.now ?? (() => Date.now());
  const log = options.log ?? createLogger({ level: "warn" });
  // What is open so far, closed in reverse when a later step fails: a failed start leaves no
  // connection, LISTEN client, queue subscription or store thread behind.
  const opened: Array<() => Promise<unknown>> = [() => store.close()];
  const unwind = async (): Promise<void> => {
    for (const close of opened.reverse()) await close().catch(() => undefined);
  };
  // What replicas on one PostgreSQL store share besides the tables (docs/scale-out.md): change
  // notices (registry, sessions, deployments, the live stream) and the singleton jobs' locks.
  let bus: ChangeBus;
  let locks: JobLocks;
  let queue: IngestQueue | undefined;
  // The whole graph is built before listening (no part is attached later). The links in notifications
  // need the server's URL, known once it listens (port 0 picks one): alerting reads it when it makes
  // one, and decides nothing before the first flush, after listening.
  let url = "";
  let service: MonitorService;
  let resources: ResourceMonitor;
  let deployments: DeploymentService;
  let learning: LearningLoop | undefined;
  let server: Server;
  try {
    const openedBus = await openChangeBusFor(selection, (error) =>
      log.child({ component: "replicas" }).error("applying another replica's change failed", { error }),
    );
    bus = openedBus;
    opened.push(() => openedBus.close());
    const openedLocks = await openJobLocksFor(selection);
    locks = openedLocks;
    opened.push(() => openedLocks.close());
    if (queueUrl !== null) {
      const { servers, deployment } = splitQueueUrl(queueUrl);
      const openedQueue = await openJetStreamQueue({
        url: servers,
        deployment: deployment ?? config.queue.deployment,
        ackWaitMs: config.queue.ack_wait,
        publishTimeoutMs: config.queue.publish_timeout,
      });
      queue = openedQueue;
      opened.push(() => openedQueue.close());
    }
    const alerting = await Alerting.open(
      store,
      await loadAlerting(config.alerting ?? DASHBOARD_ONLY_ALERTING, () => url),
      now,
    );
    const openedService = await MonitorService.open({
      store,
      config,
      clock: options.clock ?? "wall",
      now,
      log,
      alerting,
      bus,
      locks,
      singletons: role !== "api",
      ...(queue === undefined ? {} : { publishTo: queue }),
      ...(queue === undefined || role === "api" ? {} : { consume: await queue.consumer("store-writer") }),
    });
    service = openedService;
    opened.push(() => openedService.close());
    if (queue !== undefined && role === "worker") {
      // The drain can wait (JetStream holds the backlog); requests on a machine it shares cannot.
      const threads = lowerPriority(config.queue.worker_nice);
      if (threads > 0)
        log.info("the worker runs at a lower CPU priority (queue.worker_nice)", {
          nice: config.queue.worker_nice,
          threads,
        });
    }
    // Resources run on the wall clock; their rules reach alerting only when its clock is the wall clock
    // too (in an event-time replay the alert clock is the replayed time).
    const openedResources = await ResourceMonitor.open({
      store,
      log: (message, error) =>
        error === undefined
          ? log.child({ component: "resources" }).warn(message)
          : log.child({ component: "resources" }).warn(message, { error }),
      settings: config.resources,
      retentionMs: config.settings.reporting.retention,
      dataDir: options.dataDir,
      now,
      ...(options.resourceIntervalMs === undefined ? {} : { intervalMs: options.resourceIntervalMs }),
      // Only where alerting runs (the aggregator's holder): another replica would overwrite its state.
      alerting: () =>
        options.clock === "event" || !openedService.runsAggregator ? undefined : openedService.alerting,
    });
    resources = openedResources;
    opened.push(() => openedResources.stop());
    const openedDeployments = await DeploymentService.open({
      store,
      service,
      clock: options.clock ?? "wall",
      now,
      serving: options.serving ?? true,
      ...(options.recordBeforeAnswer === true ? { recordBeforeAnswer: true } : {}),
      log: log.child({ component: "deploy" }),
      bus,
      locks,
      ...(options.rolloutTickMs === undefined ? {} : { tickMs: options.rolloutTickMs }),
    });
    deployments = openedDeployments;
    opened.push(() => openedDeployments.close());
    // The loop runs under the `learning` job lock (the process's locks: advisory locks on PostgreSQL).
    learning =
      (options.serving ?? true)
        ? await LearningLoop.open({
            store,
            service,
            deployments,
            locks,
            log: log.child({ component: "learning" }),
          })
        : undefined;
    server = createApp({
      deployments,
      ...(learning === undefined ? {} : { learning }),
      service,
      explanations: service.explanations,
      resources,
      auth: new TokenAuth(
        tokens,
        now,
        undefined,
        await LoginSessions.open<Scope>({
          store,
          bus,
          now,
          log: (message, error) => log.child({ component: "auth" }).error(message, { error }),
        }),
      ),
      bus,
      now,
      log: (error) => log.child({ component: "http" }).error("a request failed", { error }),
      ...(options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes }),
      ...(options.externalUrl === undefined ? {} : { externalUrl: options.externalUrl }),
    });
    const listening = server;
    await new Promise<void>((resolve, reject) => {
      listening.once("error", reject);
      listening.listen(options.port, host, () => resolve());
    });
  } catch (error) {
    await unwind();
    const code = (error as { code?: string }).code;
    if (code === "EADDRINUSE" || code === "EACCES" || code === "EADDRNOTAVAIL")
      throw new TikTokToeError("USAGE", `cannot listen on ${host}:${options.port} (${code})`, {
        path: "--port",
        hint: "choose another port with --port (0 picks a free one) or another --host",
        cause: error,
      });
    throw error;
  }
  const explanations = service.explanations;
  const closeShared = async () => {
    await queue?.close();
    await bus.close();
    await locks.close();
  };
  const address = server.address() as AddressInfo;
  const shown = address.family === "IPv6" ? `[${address.address}]` : address.address;
  url = `http://${shown}:${address.port}`;
  resources.start();
  // Singleton work: tried on every tick, so a dead holder's job is taken over within one interval.
  const singleton = async (job: string, work: () => Promise<unknown>): Promise<void> => {
    if (role === "api") return;
    if ((await locks.tryAcquire(job)) && (await locks.holds(job))) await work();
  };
  // The round in flight is awaited at close: its claimed items would otherwise be lost with the
  // process (the final round skips items another round holds a lease on).
  let delivering: Promise<void> = Promise.resolve();
  const delivery = setInterval(() => {
    delivering = delivering.then(() =>
      singleton(DELIVERY_JOB, async () => service.alerting?.deliverDue()).catch((error: unknown) =>
        log.child({ component: "alerting" }).error("delivering notifications failed", { error }),
      ),
    );
  }, options.deliveryIntervalMs ?? 1000);
  delivery.unref();
  let lastFlushError = "";
  const flusher = setInterval(() => {
    service.flush().then(
      () => {
        lastFlushError = "";
      },
      (error: unknown) => {
        // Once per episode: a full disk would otherwise log the same failure every two seconds.
        const text = error instanceof Error ? error.message : String(error);
        if (text !== lastFlushError)
          log.child({ component: "monitor" }).error("writing windows failed", { error });
        lastFlushError = text;
      },
    );
  }, options.flushIntervalMs ?? 2000);
  const retention = setInterval(() => {
    singleton(RETENTION_JOB, () => service.retention()).catch((error: unknown) =>
      log.error("retention failed", { error }),
    );
    resources.retention().catch((error: unknown) => log.error("resource retention failed", { error }));
  }, options.retentionIntervalMs ?? 3_600_000);
  const learningTick = options.learningTickMs ?? 5000;
  const learner =
    learning === undefined || learningTick <= 0 || role === "api"
      ? undefined
      : setInterval(() => {
          learning
            .tick()
            .catch((error: unknown) =>
              log.child({ component: "learning" }).error("learning failed", { error }),
            );
        }, learningTick);
  learner?.unref();
  flusher.unref();
  retention.unref();
  return {
    url,
    service,
    store,
    resources,
    explanations,
    deployments,
    learning,
    async close() {
      if (learner !== undefined) clearInterval(learner);
      await learning?.idle();
      clearInterval(flusher);
      clearInterval(retention);
      clearInterval(delivery);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await deployments.close();
      await resources.stop();
      await service.close();
      await explanations.idle();
      await delivering;
      await singleton(DELIVERY_JOB, async () => service.alerting?.deliverDue());
      await service.alerting?.close();
      await closeShared();
      await store.close();
    },
  };
}

function defaultConfig(): MonitorConfig {
  const result = validateConfig({});
  if (!result.ok) throw new Error("the default configuration must be valid");
  return result.config;
}
