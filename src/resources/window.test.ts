import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { nvidiaSmiFixture } from "./fake-nvidia-smi.test.helpers.js";
import { sampleOf } from "./metric-definition.js";
import { gpuSamples, parseGpuReadings } from "./nvidia-smi.js";
import type { ResourceSample } from "./port.js";
import { type GaugeStats, ResourceWindow } from "./window.js";

const cpuSeconds = { metric: "node_cpu_seconds_total", type: "counter", help: "h" } as const;
const gauge = (metric: string) => ({ metric, type: "gauge", help: "h" }) as const;
const counter = (metric: string) => ({ metric, type: "counter", help: "h" }) as const;

/** Two cores' counters: `busy` and `idle` seconds per core, split over user/system and idle/iowait. */
function cpu(core0: [busy: number, idle: number], core1: [busy: number, idle: number]): ResourceSample[] {
  return [core0, core1].flatMap(([busy, idle], i) => [
    sampleOf(cpuSeconds, busy * 0.75, { cpu: String(i), mode: "user" }),
    sampleOf(cpuSeconds, busy * 0.25, { cpu: String(i), mode: "system" }),
    sampleOf(cpuSeconds, idle * 0.9, { cpu: String(i), mode: "idle" }),
    sampleOf(cpuSeconds, idle * 0.1, { cpu: String(i), mode: "iowait" }),
  ]);
}

function machine(t: number): ResourceSample[] {
  // Core 0 is busy half the time, core 1 a quarter; memory fills; eth0 receives 1000 B/s.
  return [
    ...cpu([10 + t * 0.5, 100 + t * 0.5], [20 + t * 0.25, 100 + t * 0.75]),
    sampleOf(gauge("node_memory_MemTotal_bytes"), 1000),
    sampleOf(gauge("node_memory_MemAvailable_bytes"), 800 - t),
    sampleOf(gauge("node_filesystem_size_bytes"), 4000, {
      device: "/dev/vda",
      fstype: "ext4",
      mountpoint: "/",
    }),
    sampleOf(gauge("node_filesystem_avail_bytes"), 1000, {
      device: "/dev/vda",
      fstype: "ext4",
      mountpoint: "/",
    }),
    sampleOf(counter("node_network_receive_bytes_total"), 5000 + 1000 * t, { device: "eth0" }),
    sampleOf(counter("node_network_transmit_bytes_total"), 100 * t, { device: "eth0" }),
    sampleOf(counter("node_network_receive_errs_total"), t >= 20 ? 3 : 0, { device: "eth0" }),
    sampleOf(counter("node_network_transmit_errs_total"), 0, { device: "eth0" }),
    sampleOf(counter("node_network_receive_drop_total"), t, { device: "eth0" }),
    sampleOf(counter("node_network_transmit_drop_total"), 0, { device: "eth0" }),
    sampleOf(counter("tiktoktoe_cache_hits_total"), 100 + 3 * t, { cache: "profiles" }),
    sampleOf(counter("tiktoktoe_cache_misses_total"), 50 + t, { cache: "profiles" }),
    sampleOf(gauge("probe_success"), t === 10 ? 0 : 1, { target: "tcp://db:5432" }),
    sampleOf(gauge("probe_duration_seconds"), 0.001 * (t + 1), { target: "tcp://db:5432" }),
  ];
}

/** Stats to 12 decimals: the ratios are computed in binary floating point. */
function rounded(stats: GaugeStats): GaugeStats {
  const r = (x: number) => Number(x.toFixed(12));
  return {
    min: r(stats.min),
    mean: r(stats.mean),
    max: r(stats.max),
    last: r(stats.last),
    count: stats.count,
  };
}

/** Snapshots every 10 s over [0, 60 s). */
function filled(start = 0, end = 60_000): ResourceWindow {
  const window = new ResourceWindow(start, end);
  for (let t = start / 1000; t < end / 1000; t += 10) window.add(t * 1000, machine(t));
  return window;
}

describe("resource windows", () => {
  test("cpu utilisation from counter deltas: overall and per core; the interval peaks", () => {
    const summary = filled().summary();
    assert.equal(summary.snapshots, 6);
    assert.equal(summary.cpu.cores["0"], 0.5);
    assert.equal(summary.cpu.cores["1"], 0.25);
    assert.equal(summary.cpu.utilisation, 0.375);
    assert.equal(summary.cpu.intervals?.count, 5);
    assert.ok(Math.abs(summary.cpu.intervals!.mean - 0.375) < 1e-12);
  });

  test("memory used ratio (1 − available / total) as min, mean, max, last of the snapshots", () => {
    const { usedRatio } = filled().summary().memory;
    assert.deepEqual(rounded(usedRatio!), { min: 0.2, mean: 0.225, max: 0.25, last: 0.25, count: 6 });
  });

  test("disk used ratio, network bytes per second and errors, cache hit ratio from deltas, probes", () => {
    const summary = filled().summary();
    assert.deepEqual(summary.filesystems, [
      { mountpoint: "/", usedRatio: { min: 0.75, mean: 0.75, max: 0.75, last: 0.75, count: 6 } },
    ]);
    assert.deepEqual(summary.network, [
      { device: "eth0", receiveBytesPerSecond: 1000, transmitBytesPerSecond: 100, errors: 3, drops: 50 },
    ]);
    assert.deepEqual(summary.caches, [{ cache: "profiles", hits: 150, misses: 50, hitRatio: 0.75 }]);
    assert.equal(summary.probes[0]!.target, "tcp://db:5432");
    assert.ok(Math.abs(summary.probes[0]!.success!.mean - 5 / 6) < 1e-12);
    assert.equal(rounded(summary.probes[0]!.durationSeconds!).max, 0.051);
    assert.equal(summary.counters['node_network_receive_bytes_total{device="eth0"}']!.increase, 50_000);
  });

  test("GPU ratios from recorded nvidia-smi output: FB_USED / FB_TOTAL and GPU_UTIL / 100", () => {
    const window = new ResourceWindow(0, 60_000);
    const text = readFileSync(nvidiaSmiFixture("nvidia-smi-a100x3-load.csv"), "utf8");
    window.add(0, gpuSamples(parseGpuReadings(text).gpus));
    const mig = readFileSync(nvidiaSmiFixture("nvidia-smi-h100-mig-load.csv"), "utf8");
    window.add(10_000, gpuSamples(parseGpuReadings(mig).gpus));
    const gpus = window.summary().gpus;
    assert.equal(gpus.length, 4);
    const a100 = gpus.find((g) => g.gpu === "2" && g.modelName === "NVIDIA A100-SXM4-80GB")!;
    assert.equal(a100.utilisationRatio?.last, 0.99);
    assert.equal(a100.memoryUsedRatio?.last, 7500 / 81920);
    assert.equal(a100.powerWatts?.last, 318);
    const h100 = gpus.find((g) => g.modelName === "NVIDIA H100 80GB HBM3")!;
    assert.equal(h100.utilisationRatio, null, "MIG mode reports no utilisation: none, not 0");
    assert.equal(h100.memoryUsedRatio?.last, 11125 / 81559);
  });

  test("a counter that restarts (a lower value) counts from zero again, as Prometheus' increase() does", () => {
    const window = new ResourceWindow(0, 60_000);
    const bytes = counter("node_network_receive_bytes_total");
    window.add(0, [sampleOf(bytes, 900, { device: "eth0" })]);
    window.add(10_000, [sampleOf(bytes, 1000, { device: "eth0" })]);
    window.add(20_000, [sampleOf(bytes, 40, { device: "eth0" })]);
    window.add(30_000, [sampleOf(bytes, 100, { device: "eth0" })]);
    const stats = window.summary().counters['node_network_receive_bytes_total{device="eth0"}'];
    assert.deepEqual(stats, { increase: 200, seconds: 30, ratePerSecond: 200 / 30 });
  });

  test("merging two consecutive windows equals one window over both (the boundary's increase counted once)", () => {
    const merged = filled(0, 60_000).merge(filled(60_000, 120_000));
    const whole = filled(0, 120_000);
    const { cpu: mergedCpu, ...mergedRest } = merged.summary();
    const { cpu: wholeCpu, ...wholeRest } = whole.summary();
    assert.deepEqual(mergedRest, wholeRest);
    assert.deepEqual(mergedCpu.cores, wholeCpu.cores);
    assert.equal(mergedCpu.utilisation, wholeCpu.utilisation);
    // Intervals are between snapshots of one window: the one across the boundary is not kept.
    assert.equal(mergedCpu.intervals!.count, wholeCpu.intervals!.count - 1);
    // Merging is order-free.
    assert.deepEqual(filled(60_000, 120_000).merge(filled(0, 60_000)).summary(), merged.summary());
  });

  test("JSON round trip; malformed state throws naming the field", () => {
    const window = filled();
    const back = ResourceWindow.fromJSON(JSON.parse(JSON.stringify(window)));
    assert.deepEqual(back.summary(), window.summary());
    // The round-tripped window goes on accumulating like the original.
    back.add(59_000, machine(59));
    window.add(59_000, machine(59));
    assert.deepEqual(back.summary(), window.summary());
    const json = JSON.parse(JSON.stringify(window));
    assert.throws(() => ResourceWindow.fromJSON({ ...json, format: "x" }), TypeError);
    assert.throws(() => ResourceWindow.fromJSON({ ...json, version: 2 }), RangeError);
    json.counters[0].increase = "12";
    assert.throws(() => ResourceWindow.fromJSON(json), /counters\[\]\.increase/);
  });

  test("snapshots: samples of every collector, error entries counted per collector", () => {
    const window = new ResourceWindow(0, 60_000);
    window.addSnapshot({
      timeMs: 5_000,
      results: [
        { collector: "memory", status: "ok", samples: machine(0).slice(8, 10), errors: [] },
        {
          collector: "disk",
          status: "failed",
          samples: [],
          errors: [
            { source: "/proc/diskstats", message: "EACCES" },
            { source: "/data", message: "ENOENT" },
          ],
        },
        { collector: "gpu", status: "absent", samples: [], errors: [] },
      ],
    });
    const summary = window.summary();
    assert.deepEqual(summary.collectErrors, { disk: 2 });
    assert.equal(rounded(summary.memory.usedRatio!).last, 0.2);
  });

  test("misuse throws: a time outside the window or going back, overlapping merges, an empty window", () => {
    const window = filled();
    assert.throws(() => window.add(60_000, []), RangeError);
    assert.throws(() => window.add(40_000, []), RangeError);
    assert.throws(() => filled(0, 60_000).merge(filled(30_000, 90_000)), RangeError);
    assert.throws(() => new ResourceWindow(10, 10), RangeError);
  });

  test("an empty window summarises to nulls and empty lists, not zeros", () => {
    const summary = new ResourceWindow(0, 1_000).summary();
    assert.equal(summary.cpu.utilisation, null);
    assert.equal(summary.memory.usedRatio, null);
    assert.deepEqual(summary.gpus, []);
    assert.deepEqual(summary.network, []);
  });
});
