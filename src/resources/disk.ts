import { realpath, statfs } from "node:fs/promises";
import { resolve } from "node:path";
import { type MetricDefinition, sampleOf } from "./metric-definition.js";
import {
  type CollectError,
  type Collector,
  type CollectResult,
  collectResult,
  errorMessage,
  type ResourceSample,
} from "./port.js";
import { type ProcOptions, readProc } from "./proc-source.js";
import { type MountEntry, mountOf, parseDiskstats, parseMounts } from "./procfs.js";

/**
 * node_exporter's filesystem and disk I/O metrics.
 *
 * @example
 * ```ts
 * diskMetrics.written.metric; // "node_disk_written_bytes_total"
 * ```
 */
export const diskMetrics = {
  size: { metric: "node_filesystem_size_bytes", type: "gauge", help: "Filesystem size in bytes." },
  free: { metric: "node_filesystem_free_bytes", type: "gauge", help: "Filesystem free space in bytes." },
  avail: {
    metric: "node_filesystem_avail_bytes",
    type: "gauge",
    help: "Filesystem space available to non-root users in bytes.",
  },
  read: {
    metric: "node_disk_read_bytes_total",
    type: "counter",
    help: "The total number of bytes read successfully.",
  },
  written: {
    metric: "node_disk_written_bytes_total",
    type: "counter",
    help: "The total number of bytes written successfully.",
  },
  reads: {
    metric: "node_disk_reads_completed_total",
    type: "counter",
    help: "The total number of reads completed successfully.",
  },
  writes: {
    metric: "node_disk_writes_completed_total",
    type: "counter",
    help: "The total number of writes completed successfully.",
  },
  ioTime: {
    metric: "node_disk_io_time_seconds_total",
    type: "counter",
    help: "Total seconds spent doing I/Os.",
  },
} as const satisfies Record<string, MetricDefinition>;

/**
 * Which filesystems the disk collector measures.
 *
 * @example
 * ```ts
 * new DiskCollector({ dataDir: "/var/lib/tiktoktoe" }); // that filesystem and /
 * ```
 */
export interface DiskCollectorOptions extends ProcOptions {
  /** The server's data directory: the filesystem that fills up first matters most. */
  readonly dataDir?: string;
  /** Paths whose filesystems to measure; default the data directory (when given) and `/`. */
  readonly paths?: readonly string[];
}

/**
 * Space on the filesystems holding the configured paths (`statfs`, labelled like node_exporter
 * with the device, type and mountpoint from `/proc/self/mounts`; two paths on one filesystem give
 * one series) and bytes read and written per disk from `/proc/diskstats`.
 *
 * @example
 * ```ts
 * const { samples } = await new DiskCollector({ dataDir: "data" }).collect();
 * ```
 */
export class DiskCollector implements Collector {
  readonly name = "disk";
  private readonly procPath: string;
  private readonly paths: readonly string[];

  constructor(options: DiskCollectorOptions = {}) {
    this.procPath = options.procPath ?? "/proc";
    this.paths = options.paths ?? (options.dataDir === undefined ? ["/"] : [options.dataDir, "/"]);
  }

  async collect(): Promise<CollectResult> {
    const samples: ResourceSample[] = [];
    const errors: CollectError[] = [];
    const [filesystems, disks] = await Promise.all([this.filesystems(errors), this.diskstats(errors)]);
    samples.push(...filesystems, ...disks);
    return collectResult(this.name, samples, errors);
  }

  private async filesystems(errors: CollectError[]): Promise<ResourceSample[]> {
    let mounts: MountEntry[] = [];
    try {
      mounts = parseMounts(await readProc(this.procPath, "self/mounts"));
    } catch (error) {
      // Without the mount table the numbers are still right; only the labels are poorer.
      errors.push({ source: "/proc/self/mounts", message: errorMessage(error) });
    }
    const samples: ResourceSample[] = [];
    const seen = new Set<string>();
    for (const path of this.paths) {
      try {
        const real = await realpath(resolve(path));
        const mount = mountOf(real, mounts);
        const mountpoint = mount?.mountpoint ?? real;
        if (seen.has(mountpoint)) continue;
        seen.add(mountpoint);
        const stats = await statfs(real);
        const labels = { device: mount?.device ?? "", fstype: mount?.fstype ?? "", mountpoint };
        samples.push(
          sampleOf(diskMetrics.size, stats.blocks * stats.bsize, labels),
          sampleOf(diskMetrics.free, stats.bfree * stats.bsize, labels),
          sampleOf(diskMetrics.avail, stats.bavail * stats.bsize, labels),
        );
      } catch (error) {
        errors.push({ source: path, message: errorMessage(error) });
      }
    }
    return samples;
  }

  private async diskstats(errors: CollectError[]): Promise<ResourceSample[]> {
    try {
      const samples: ResourceSample[] = [];
      for (const disk of parseDiskstats(await readProc(this.procPath, "diskstats"))) {
        const labels = { device: disk.device };
        samples.push(
          sampleOf(diskMetrics.read, disk.readBytes, labels),
          sampleOf(diskMetrics.written, disk.writtenBytes, labels),
          sampleOf(diskMetrics.reads, disk.readsCompleted, labels),
          sampleOf(diskMetrics.writes, disk.writesCompleted, labels),
          sampleOf(diskMetrics.ioTime, disk.ioTimeSeconds, labels),
        );
      }
      return samples;
    } catch (error) {
      errors.push({ source: "/proc/diskstats", message: errorMessage(error) });
      return [];
    }
  }
}
