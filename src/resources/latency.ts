import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { connect } from "node:net";
import { performance } from "node:perf_hooks";
import { type MetricDefinition, sampleOf } from "./metric-definition.js";
import {
  type CollectError,
  type Collector,
  type CollectResult,
  collectResult,
  type ResourceSample,
} from "./port.js";

/**
 * blackbox_exporter's probe metrics, labelled `{target}`.
 *
 * @example
 * ```ts
 * latencyMetrics.success.metric; // "probe_success"
 * ```
 */
export const latencyMetrics = {
  success: {
    metric: "probe_success",
    type: "gauge",
    help: "Displays whether or not the probe was a success.",
  },
  duration: {
    metric: "probe_duration_seconds",
    type: "gauge",
    help: "Returns how long the probe took to complete in seconds.",
  },
  status: {
    metric: "probe_http_status_code",
    type: "gauge",
    help: "Response HTTP status code.",
  },
} as const satisfies Record<string, MetricDefinition>;

/**
 * The default time a probe may take (blackbox_exporter's default module timeout is 5 s too).
 *
 * @example
 * ```ts
 * new LatencyCollector({ targets, timeoutMs: defaultProbeTimeoutMs / 5 });
 * ```
 */
export const defaultProbeTimeoutMs = 5_000;

/**
 * What to probe.
 *
 * @example
 * ```ts
 * new LatencyCollector({ targets: ["https://models.example.org/healthz", "tcp://db.internal:5432"] });
 * ```
 */
export interface LatencyCollectorOptions {
  /** `http://…` and `https://…` (GET, time to the status line) or `tcp://host:port` (time to connect). */
  readonly targets: readonly string[];
  readonly timeoutMs?: number;
}

/**
 * Why a probe target cannot be probed, or `undefined` when it can: for the configuration schema,
 * so a typo is reported at startup rather than as a failing probe.
 *
 * @example
 * ```ts
 * probeTargetProblem("tcp://db:5432"); // undefined
 * probeTargetProblem("ftp://x"); // 'scheme "ftp:" is not http:, https: or tcp:'
 * ```
 */
export function probeTargetProblem(target: string): string | undefined {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return "not a URL";
  }
  if (url.protocol === "http:" || url.protocol === "https:") return undefined;
  if (url.protocol !== "tcp:") return `scheme "${url.protocol}" is not http:, https: or tcp:`;
  if (url.hostname === "" || url.port === "") return "a tcp:// target needs a host and a port";
  return undefined;
}

/**
 * The `target` label of a probe: the URL without user info, query or fragment, which may hold
 * credentials and must not reach a metrics endpoint.
 *
 * @example
 * ```ts
 * probeLabel("https://user:secret@api.example.org/health?token=x"); // "https://api.example.org/health"
 * ```
 */
export function probeLabel(target: string): string {
  try {
    const url = new URL(target);
    url.username = "";
    url.password = "";
    url.search = "";
    url.hash = "";
    return url.protocol === "tcp:" ? `tcp://${url.host}` : url.toString();
  } catch {
    return "invalid-target";
  }
}

interface ProbeOutcome {
  readonly success: boolean;
  readonly seconds: number;
  readonly status?: number;
}

/**
 * Probes each target the way blackbox_exporter does, all at once: an HTTP(S) GET on a fresh
 * connection (no keep-alive: a pooled connection would hide the connect time), successful on a 2xx
 * status, timed to the status line; or a TCP connect, timed to the handshake. A target that is down,
 * refuses, times out or answers 5xx is a measurement (`probe_success 0`, the time it took), not a
 * collection error; only a target that cannot be probed at all (not a URL) is an error entry.
 *
 * @example
 * ```ts
 * const { samples } = await new LatencyCollector({ targets: ["tcp://127.0.0.1:5432"] }).collect();
 * ```
 */
export class LatencyCollector implements Collector {
  readonly name = "latency";
  private readonly targets: readonly string[];
  private readonly timeoutMs: number;

  constructor(options: LatencyCollectorOptions) {
    this.targets = options.targets;
    this.timeoutMs = options.timeoutMs ?? defaultProbeTimeoutMs;
  }

  async collect(): Promise<CollectResult> {
    const samples: ResourceSample[] = [];
    const errors: CollectError[] = [];
    const outcomes = await Promise.all(
      this.targets.map(async (target) => {
        const problem = probeTargetProblem(target);
        if (problem !== undefined) {
          errors.push({ source: probeLabel(target), message: problem });
          return undefined;
        }
        return { target, outcome: await this.probe(new URL(target)) };
      }),
    );
    for (const probed of outcomes) {
      if (probed === undefined) continue;
      const labels = { target: probeLabel(probed.target) };
      samples.push(
        sampleOf(latencyMetrics.success, probed.outcome.success ? 1 : 0, labels),
        sampleOf(latencyMetrics.duration, probed.outcome.seconds, labels),
      );
      if (probed.outcome.status !== undefined) {
        samples.push(sampleOf(latencyMetrics.status, probed.outcome.status, labels));
      }
    }
    return collectResult(this.name, samples, errors);
  }

  private probe(url: URL): Promise<ProbeOutcome> {
    return new Promise((resolve) => {
      const started = performance.now();
      let settled = false;
      const finish = (success: boolean, status?: number) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const seconds = (performance.now() - started) / 1000;
        resolve(status === undefined ? { success, seconds } : { success, seconds, status });
      };
      let cancel: () => void = () => {};
      const timer = setTimeout(() => {
        finish(false);
        cancel();
      }, this.timeoutMs);
      if (url.protocol === "tcp:") {
        const socket = connect({ host: url.hostname.replace(/^\[|\]$/g, ""), port: Number(url.port) });
        cancel = () => socket.destroy();
        socket.once("connect", () => {
          finish(true);
          socket.destroy();
        });
        // `on`, not `once`: a destroyed socket may emit a second error, and an unheard one would crash the server.
        socket.on("error", () => finish(false));
        return;
      }
      const send = url.protocol === "https:" ? httpsRequest : httpRequest;
      const req = send(
        url,
        { method: "GET", agent: false, headers: { "user-agent": "tiktoktoe-probe" } },
        (res) => {
          const status = res.statusCode ?? 0;
          finish(status >= 200 && status < 300, status);
          // The body is not part of the measurement; drop the connection rather than download it.
          res.on("error", () => {});
          res.destroy();
          req.destroy();
        },
      );
      cancel = () => req.destroy();
      req.on("error", () => finish(false));
      req.end();
    });
  }
}
