import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { open, statfs, unlink } from "node:fs/promises";
import { createServer as createHttpServer, type Server } from "node:http";
import { connect, createServer as createTcpServer } from "node:net";
import { getPriority, tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { Worker } from "node:worker_threads";
import { CacheCollector, CacheRegistry } from "./cache.js";
import { collectorConformance } from "./conformance.js";
import { CpuCollector } from "./cpu.js";
import { DiskCollector } from "./disk.js";
import { emptyPath, fakeNvidiaSmi, nvidiaSmiFixture } from "./fake-nvidia-smi.test.helpers.js";
import { GpuCollector } from "./gpu.js";
import { LatencyCollector } from "./latency.js";
import { MemoryCollector } from "./memory.js";
import { NetworkCollector } from "./network.js";
import type { ResourceSample } from "./port.js";

const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-resources-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Sum of a metric's values over the samples matching `labels` (all of them when none given). */
function total(
  samples: readonly ResourceSample[],
  metric: string,
  labels: Record<string, string> = {},
): number {
  return samples
    .filter((s) => s.metric === metric && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

async function listen(server: Server | ReturnType<typeof createTcpServer>): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** A port nothing listens on: one the kernel just handed out and took back. */
async function closedPort(): Promise<number> {
  const server = createTcpServer();
  const port = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// ---------------------------------------------------------------- the port's suite, every adapter

collectorConformance({
  name: "cpu (/proc/stat, /proc/loadavg)",
  create: () => new CpuCollector(),
  expectSamples: true,
});
collectorConformance({
  name: "memory (/proc/meminfo, process)",
  create: () => new MemoryCollector(),
  expectSamples: true,
});
collectorConformance({
  name: "disk (statfs, /proc/diskstats)",
  create: () => new DiskCollector({ dataDir: dir }),
  expectSamples: true,
});
collectorConformance({
  name: "network (/proc/net/dev)",
  create: () => new NetworkCollector(),
  expectSamples: true,
});
{
  let hits = 0;
  const registry = new CacheRegistry();
  registry.register({
    name: "reference-profiles",
    hits: () => hits,
    misses: () => 2,
    entries: () => 3,
    bytes: () => 4096,
  });
  collectorConformance({
    name: "cache (page cache, registry)",
    create: () => new CacheCollector({ registry }),
    expectSamples: true,
    between: () => {
      hits += 10;
    },
  });
}
{
  let server: Server | undefined;
  collectorConformance({
    name: "latency (HTTP and TCP probes)",
    create: async () => {
      server = createHttpServer((_, res) => res.end("ok"));
      const port = await listen(server);
      return new LatencyCollector({
        targets: [
          `http://127.0.0.1:${port}/health`,
          `tcp://127.0.0.1:${port}`,
          `tcp://127.0.0.1:${await closedPort()}`,
        ],
        timeoutMs: 2_000,
      });
    },
    expectSamples: true,
    cleanup: () =>
      new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve()))),
  });
}
{
  const smi = fakeNvidiaSmi(`cat '${nvidiaSmiFixture("nvidia-smi-a100x3-load.csv")}'`);
  after(smi.remove);
  collectorConformance({
    name: "gpu (fake nvidia-smi replaying 3× A100)",
    create: () => new GpuCollector({ env: { PATH: smi.path } }),
    expectSamples: true,
  });
  const empty = emptyPath();
  after(empty.remove);
  collectorConformance({
    name: "gpu (no nvidia-smi: absent)",
    create: () => new GpuCollector({ env: { PATH: empty.path } }),
    expectSamples: false,
  });
}

// ---------------------------------------------------------------- readings move under load

describe("the collectors see load on this machine", () => {
  test("cpu: a worker thread spinning for 300 ms of CPU adds ≥ 0.2 s of user time", async () => {
    const cpu = new CpuCollector();
    // A niced process's time is accounted to "nice", not "user"; count both then (the kernel's rule).
    const modes = getPriority() > 0 ? ["user", "nice"] : ["user"];
    const userSeconds = (samples: readonly ResourceSample[]) =>
      modes.reduce((sum, mode) => sum + total(samples, "node_cpu_seconds_total", { mode }), 0);
    const before = userSeconds((await cpu.collect()).samples);
    // Spin until this process has used 300 ms of CPU (not 300 ms of wall time: the machine is shared,
    // and a starved worker would spin for less), with a wall-clock bound so a stuck test still ends.
    const worker = new Worker(
      `const start = process.cpuUsage().user, deadline = Date.now() + 5000;
       let x = 0;
       // Check the clock only every 100k iterations: getrusage is a system call, and the point is user time.
       while (process.cpuUsage().user - start < 300000 && Date.now() < deadline) {
         for (let i = 0; i < 100000; i++) x = (x * 31 + i) | 0;
       }`,
      { eval: true },
    );
    await new Promise((resolve, reject) => worker.once("exit", resolve).once("error", reject));
    const after = userSeconds((await cpu.collect()).samples);
    assert.ok(after - before >= 0.2, `user seconds rose by ${(after - before).toFixed(2)}`);
  });

  test("memory: touching 200 MB raises process_resident_memory_bytes", async () => {
    const memory = new MemoryCollector();
    const rss = async () => total((await memory.collect()).samples, "process_resident_memory_bytes");
    const before = await rss();
    // allocUnsafe + fill writes every page; a zeroed allocation may be lazily mapped and never resident.
    const block = Buffer.allocUnsafe(200 * 2 ** 20).fill(7);
    const during = await rss();
    assert.equal(block[block.length - 1], 7);
    assert.ok(
      during - before >= 150 * 2 ** 20,
      `RSS rose by ${((during - before) / 2 ** 20).toFixed(0)} MiB`,
    );
  });

  test("disk: writing and fsyncing 20 MB raises node_disk_written_bytes_total on a device", async (t) => {
    const disk = new DiskCollector({ paths: [dir] });
    const written = (samples: readonly ResourceSample[]) =>
      new Map(
        samples
          .filter((s) => s.metric === "node_disk_written_bytes_total")
          .map((s) => [s.labels.device, s.value]),
      );
    const file = join(dir, "twenty-megabytes.bin");
    const freeBefore = await statfs(dir);
    const before = written((await disk.collect()).samples);
    const handle = await open(file, "w");
    try {
      await handle.write(Buffer.alloc(20 * 2 ** 20, 1));
      await handle.sync();
    } finally {
      await handle.close();
    }
    const afterSamples = (await disk.collect()).samples;
    const freeAfter = await statfs(dir);
    await unlink(file);
    const rises = [...written(afterSamples)].map(
      ([device, value]) => [device, value - (before.get(device) ?? value)] as const,
    );
    const best = rises.reduce((a, b) => (b[1] > a[1] ? b : a), ["none", 0] as const);
    if (best[1] >= 20 * 2 ** 20) {
      t.diagnostic(`${best[0]} wrote ${(best[1] / 2 ** 20).toFixed(1)} MiB`);
      return;
    }
    // On tmpfs or overlayfs with no block device behind the temp dir, /proc/diskstats does not move:
    // the filesystem's own accounting (statfs) is then the evidence that the bytes landed.
    t.diagnostic(
      `no device in /proc/diskstats rose by 20 MiB (best ${best[0]}: ${best[1]} B); checking statfs`,
    );
    const usedRise = (freeBefore.bavail - freeAfter.bavail) * freeAfter.bsize;
    assert.ok(usedRise >= 15 * 2 ** 20, `filesystem use rose by ${usedRise} B`);
  });

  test('network: 5 MB over a loopback TCP socket raises node_network_receive_bytes_total{device="lo"}', async () => {
    const network = new NetworkCollector();
    const lo = async () =>
      total((await network.collect()).samples, "node_network_receive_bytes_total", { device: "lo" });
    let received = 0;
    const size = 5 * 10 ** 6;
    const server = createTcpServer((socket) =>
      socket.on("data", (chunk: Buffer) => (received += chunk.length)),
    );
    const port = await listen(server);
    try {
      const before = await lo();
      await new Promise<void>((resolve, reject) => {
        const client = connect(port, "127.0.0.1", () => client.end(Buffer.alloc(size, 1)));
        client.on("error", reject);
        client.on("close", () => resolve());
      });
      while (received < size) await new Promise((resolve) => setTimeout(resolve, 5));
      const afterBytes = await lo();
      assert.ok(afterBytes - before >= size, `lo received ${afterBytes - before} bytes`);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

// ---------------------------------------------------------------- probes

describe("latency probes", () => {
  const probe = async (targets: string[], timeoutMs = 2_000) => {
    const result = await new LatencyCollector({ targets, timeoutMs }).collect();
    const of = (metric: string, target: string) =>
      result.samples.find((s) => s.metric === metric && s.labels.target === target)?.value;
    return { result, of };
  };

  test("a local HTTP server: success 1, status 200, a duration; the same port over TCP: success 1", async () => {
    const server = createHttpServer((req, res) => {
      res.statusCode = req.url === "/down" ? 503 : 200;
      res.end("x".repeat(100_000));
    });
    const port = await listen(server);
    try {
      const up = `http://127.0.0.1:${port}/health`;
      const down = `http://127.0.0.1:${port}/down`;
      const tcp = `tcp://127.0.0.1:${port}`;
      const { result, of } = await probe([up, down, tcp]);
      assert.equal(result.status, "ok");
      assert.equal(of("probe_success", up), 1);
      assert.equal(of("probe_http_status_code", up), 200);
      const seconds = of("probe_duration_seconds", up)!;
      assert.ok(seconds > 0 && seconds < 2, `${seconds} s`);
      assert.equal(of("probe_success", down), 0, "a 503 is not a success (blackbox_exporter: 2xx only)");
      assert.equal(of("probe_http_status_code", down), 503);
      assert.equal(of("probe_success", tcp), 1);
      assert.equal(of("probe_http_status_code", tcp), undefined);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test("a closed port: success 0 over TCP and HTTP, a measurement and not a collection error", async () => {
    const port = await closedPort();
    const { result, of } = await probe([`tcp://127.0.0.1:${port}`, `http://127.0.0.1:${port}/`]);
    assert.equal(result.status, "ok");
    assert.equal(of("probe_success", `tcp://127.0.0.1:${port}`), 0);
    assert.equal(of("probe_success", `http://127.0.0.1:${port}/`), 0);
    assert.ok(of("probe_duration_seconds", `tcp://127.0.0.1:${port}`)! >= 0);
  });

  test("a server that accepts and never answers: success 0 after the timeout", async () => {
    const sockets = new Set<import("node:net").Socket>();
    const silent = createTcpServer((socket) => sockets.add(socket));
    const port = await listen(silent);
    try {
      const target = `http://127.0.0.1:${port}/`;
      const { of } = await probe([target], 200);
      assert.equal(of("probe_success", target), 0);
      const seconds = of("probe_duration_seconds", target)!;
      assert.ok(seconds >= 0.15 && seconds < 1.5, `${seconds} s`);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  test("credentials and query strings never reach the target label; a bad target is an error entry", async () => {
    const port = await closedPort();
    const { result } = await probe([
      `http://user:secret@127.0.0.1:${port}/health?token=abc`,
      "ftp://example.org/",
    ]);
    assert.equal(result.status, "partial");
    assert.deepEqual(
      [...new Set(result.samples.map((s) => s.labels.target))],
      [`http://127.0.0.1:${port}/health`],
    );
    assert.ok(!JSON.stringify(result).includes("secret"));
    assert.ok(!JSON.stringify(result).includes("abc"));
    assert.deepEqual(result.errors, [
      { source: "ftp://example.org/", message: 'scheme "ftp:" is not http:, https: or tcp:' },
    ]);
  });
});

// ---------------------------------------------------------------- the cache registry

describe("cache collector", () => {
  test("registered caches: counters, sizes and the lifetime hit ratio; a broken getter is an error entry", async () => {
    const registry = new CacheRegistry();
    registry.register({
      name: "profiles",
      hits: () => 30,
      misses: () => 10,
      entries: () => 4,
      bytes: () => 2048,
    });
    registry.register({ name: "cold", hits: () => 0, misses: () => 0, entries: () => 0, bytes: () => 0 });
    const unregister = registry.register({
      name: "broken",
      hits: () => {
        throw new Error("closed");
      },
      misses: () => 0,
      entries: () => 0,
      bytes: () => 0,
    });
    const collector = new CacheCollector({ registry });
    const result = await collector.collect();
    assert.equal(result.status, "partial");
    assert.deepEqual(result.errors, [{ source: "cache:broken", message: "closed" }]);
    const of = (metric: string, cache: string) =>
      result.samples.find((s) => s.metric === metric && s.labels.cache === cache)?.value;
    assert.equal(of("tiktoktoe_cache_hit_ratio", "profiles"), 0.75);
    assert.equal(of("tiktoktoe_cache_size_bytes", "profiles"), 2048);
    assert.equal(of("tiktoktoe_cache_hit_ratio", "cold"), undefined, "no lookups, no ratio");
    assert.ok(result.samples.some((s) => s.metric === "node_memory_Cached_bytes"));
    unregister();
    assert.equal((await collector.collect()).status, "ok");
    assert.throws(
      () =>
        registry.register({
          name: "profiles",
          hits: () => 0,
          misses: () => 0,
          entries: () => 0,
          bytes: () => 0,
        }),
      RangeError,
    );
  });
});
