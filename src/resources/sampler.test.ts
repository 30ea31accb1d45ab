import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createCollectors } from "./collectors.js";
import { emptyPath } from "./fake-nvidia-smi.test.helpers.js";
import { type Collector, collectorNames } from "./port.js";
import { sampleOnce } from "./sampler.js";
import { ResourceWindow } from "./window.js";

describe("sampleOnce", () => {
  test("stamps the time it is given and turns a collector that throws into a failed result", async () => {
    const broken: Collector = {
      name: "latency",
      collect: () => Promise.reject(new Error("bug")),
    };
    const fine: Collector = {
      name: "cache",
      collect: async () => ({ collector: "cache", status: "ok", samples: [], errors: [] }),
    };
    const snapshot = await sampleOnce([broken, fine], 1_234);
    assert.equal(snapshot.timeMs, 1_234);
    assert.deepEqual(snapshot.results[0], {
      collector: "latency",
      status: "failed",
      samples: [],
      errors: [{ source: "collector:latency", message: "threw: bug" }],
    });
    assert.equal(snapshot.results[1]!.status, "ok");
  });

  test("every collector of this machine, twice, into a window: sensible cpu, memory, disk and network", async () => {
    const empty = emptyPath();
    try {
      const collectors = createCollectors({ dataDir: ".", gpu: { env: { PATH: empty.path } } });
      assert.deepEqual(
        collectors.map((c) => c.name),
        [...collectorNames],
      );
      const window = new ResourceWindow(0, 60_000);
      window.addSnapshot(await sampleOnce(collectors, 1_000));
      await new Promise((resolve) => setTimeout(resolve, 50));
      window.addSnapshot(await sampleOnce(collectors, 1_050));
      const summary = window.summary();
      assert.ok(
        summary.cpu.utilisation === null || (summary.cpu.utilisation >= 0 && summary.cpu.utilisation <= 1),
      );
      const used = summary.memory.usedRatio!;
      assert.ok(used.min > 0 && used.max < 1, JSON.stringify(used));
      assert.ok(summary.filesystems.some((f) => f.mountpoint === "/"));
      assert.ok(summary.network.some((n) => n.device === "lo"));
      assert.deepEqual(summary.gpus, []);
      assert.deepEqual(summary.collectErrors, {});
    } finally {
      empty.remove();
    }
  });
});
