import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { emptyPath, fakeNvidiaSmi, nvidiaSmiFixture } from "./fake-nvidia-smi.test.helpers.js";
import { GpuCollector } from "./gpu.js";

describe("GPU collector: nvidia-smi through execFile", () => {
  const cleanups: Array<() => void> = [];
  after(() => {
    for (const cleanup of cleanups) cleanup();
  });
  const fake = (body: string) => {
    const made = fakeNvidiaSmi(body);
    cleanups.push(made.remove);
    return made;
  };

  test("a fake nvidia-smi first on PATH prints a recorded 3-GPU answer: DCGM-named samples per GPU", async () => {
    const smi = fake(`cat '${nvidiaSmiFixture("nvidia-smi-a100x3-load.csv")}'`);
    const result = await new GpuCollector({ env: { PATH: smi.path } }).collect();
    assert.equal(result.status, "ok");
    assert.deepEqual(result.errors, []);
    assert.equal(result.samples.length, 15);
    const gpu2 = result.samples.filter((s) => s.labels.gpu === "2");
    assert.deepEqual(
      gpu2.map((s) => [s.metric, s.value]),
      [
        ["DCGM_FI_DEV_GPU_UTIL", 99],
        ["DCGM_FI_DEV_FB_USED", 7500],
        ["DCGM_FI_DEV_FB_TOTAL", 81920],
        ["DCGM_FI_DEV_GPU_TEMP", 46],
        ["DCGM_FI_DEV_POWER_USAGE", 318],
      ],
    );
    assert.deepEqual(gpu2[0]!.labels, {
      gpu: "2",
      uuid: "GPU-00000000-0000-0000-0000-000000000002",
      modelName: "NVIDIA A100-SXM4-80GB",
    });
  });

  test("the collector passes the documented query arguments", async () => {
    const smi = fake('printf "%s\\n" "$@" >&2; exit 3');
    const result = await new GpuCollector({ env: { PATH: smi.path } }).collect();
    assert.equal(result.status, "failed");
    assert.match(
      result.errors[0]!.message,
      /^exited with code 3: --query-gpu=index,uuid,name,utilization\.gpu,memory\.used,memory\.total,temperature\.gpu,power\.draw$/,
    );
  });

  test("a non-zero exit (NVML cannot start) is an error entry with the code and the first line it printed", async () => {
    const smi = fake('echo "Failed to initialize NVML: Driver/library version mismatch" >&2\nexit 9');
    const result = await new GpuCollector({ env: { PATH: smi.path } }).collect();
    assert.deepEqual(result, {
      collector: "gpu",
      status: "failed",
      samples: [],
      errors: [
        {
          source: "nvidia-smi",
          message: "exited with code 9: Failed to initialize NVML: Driver/library version mismatch",
        },
      ],
    });
  });

  test("an nvidia-smi that hangs past the timeout is killed and reported", async () => {
    const smi = fake("exec sleep 5");
    const collector = new GpuCollector({ env: { PATH: smi.path }, timeoutMs: 300 });
    const started = performance.now();
    const result = await collector.collect();
    const took = performance.now() - started;
    assert.equal(result.status, "failed");
    assert.equal(result.errors[0]!.message, "no answer within 300 ms (killed)");
    assert.ok(took >= 250 && took < 3_000, `took ${took} ms`);
  });

  test("a line that does not parse is an error entry beside the samples of the lines that do (partial)", async () => {
    const smi = fake(
      `cat '${nvidiaSmiFixture("nvidia-smi-h100-load.csv")}'\necho "Unable to determine the device handle for GPU0000:17:00.0: Unknown Error"`,
    );
    const result = await new GpuCollector({ env: { PATH: smi.path } }).collect();
    assert.equal(result.status, "partial");
    assert.equal(result.samples.length, 5);
    assert.match(result.errors[0]!.message, /line 2: 1 fields, expected 8/);
  });

  test("without nvidia-smi on PATH the collector is absent: a notice once, no samples, no errors, no second lookup", async () => {
    const empty = emptyPath();
    cleanups.push(empty.remove);
    const collector = new GpuCollector({ env: { PATH: empty.path } });
    const first = await collector.collect();
    assert.equal(first.status, "absent");
    assert.deepEqual(first.samples, []);
    assert.deepEqual(first.errors, []);
    assert.match(first.notice ?? "", /nvidia-smi was not found/);
    // Installing nvidia-smi now does not matter: absence is remembered (no process spawned every interval).
    const second = await collector.collect();
    assert.deepEqual(second, { collector: "gpu", status: "absent", samples: [], errors: [] });
  });
});
