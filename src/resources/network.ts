import { type MetricDefinition, sampleOf } from "./metric-definition.js";
import {
  type Collector,
  type CollectResult,
  collectResult,
  errorMessage,
  type ResourceSample,
} from "./port.js";
import { type ProcOptions, readProc } from "./proc-source.js";
import { type InterfaceStats, parseNetDev } from "./procfs.js";

const netdev = (direction: "receive" | "transmit", stat: string): MetricDefinition => ({
  metric: `node_network_${direction}_${stat}_total`,
  type: "counter",
  help: `Network device statistic ${direction}_${stat}.`,
});

/**
 * node_exporter's netdev metrics, labelled `{device}`.
 *
 * @example
 * ```ts
 * networkMetrics[0]![0].metric; // "node_network_receive_bytes_total"
 * ```
 */
export const networkMetrics: ReadonlyArray<
  readonly [MetricDefinition, Exclude<keyof InterfaceStats, "device">]
> = [
  [netdev("receive", "bytes"), "receiveBytes"],
  [netdev("receive", "packets"), "receivePackets"],
  [netdev("receive", "errs"), "receiveErrs"],
  [netdev("receive", "drop"), "receiveDrop"],
  [netdev("transmit", "bytes"), "transmitBytes"],
  [netdev("transmit", "packets"), "transmitPackets"],
  [netdev("transmit", "errs"), "transmitErrs"],
  [netdev("transmit", "drop"), "transmitDrop"],
];

/**
 * Bytes, packets, errors and drops per interface from `/proc/net/dev` (the network namespace of
 * this process: in a container, the container's interfaces).
 *
 * @example
 * ```ts
 * const { samples } = await new NetworkCollector().collect();
 * ```
 */
export class NetworkCollector implements Collector {
  readonly name = "network";
  private readonly procPath: string;

  constructor(options: ProcOptions = {}) {
    this.procPath = options.procPath ?? "/proc";
  }

  async collect(): Promise<CollectResult> {
    try {
      const samples: ResourceSample[] = [];
      for (const stats of parseNetDev(await readProc(this.procPath, "net/dev"))) {
        for (const [definition, field] of networkMetrics) {
          samples.push(sampleOf(definition, stats[field], { device: stats.device }));
        }
      }
      return collectResult(this.name, samples, []);
    } catch (error) {
      return collectResult(this.name, [], [{ source: "/proc/net/dev", message: errorMessage(error) }]);
    }
  }
}
