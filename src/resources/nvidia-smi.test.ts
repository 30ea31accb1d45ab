import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { nvidiaSmiFixture } from "./fake-nvidia-smi.test.helpers.js";
import { gpuSamples, isMissingCell, numericCell, parseGpuReadings, parseNvidiaSmiCsv } from "./nvidia-smi.js";

const fixture = (name: string) => readFileSync(nvidiaSmiFixture(name), "utf8");
const zeroUuid = "GPU-00000000-0000-0000-0000-000000000000";

describe("nvidia-smi CSV on recorded output", () => {
  test("H100 idle and under load (projected from a real capture)", () => {
    assert.deepEqual(parseGpuReadings(fixture("nvidia-smi-h100-idle.csv")), {
      gpus: [
        {
          index: "0",
          uuid: zeroUuid,
          name: "NVIDIA H100 80GB HBM3",
          utilizationPercent: 0,
          memoryUsedMiB: 0,
          memoryTotalMiB: 81559,
          temperatureCelsius: 41,
          powerWatts: 69.85,
        },
      ],
      problems: [],
    });
    const [load] = parseGpuReadings(fixture("nvidia-smi-h100-load.csv")).gpus;
    assert.deepEqual(load, {
      index: "0",
      uuid: zeroUuid,
      name: "NVIDIA H100 80GB HBM3",
      utilizationPercent: 100,
      memoryUsedMiB: 19818,
      memoryTotalMiB: 81559,
      temperatureCelsius: 59,
      powerWatts: 631.95,
    });
  });

  test("MIG mode: utilization.gpu is [N/A], so it is missing (no sample), not 0", () => {
    for (const name of ["nvidia-smi-h100-mig-idle.csv", "nvidia-smi-h100-mig-load.csv"]) {
      const { gpus, problems } = parseGpuReadings(fixture(name));
      assert.deepEqual(problems, []);
      assert.equal(gpus.length, 1);
      assert.equal(gpus[0]!.utilizationPercent, undefined);
      assert.ok(!("utilizationPercent" in gpus[0]!));
      const samples = gpuSamples(gpus);
      assert.deepEqual(
        samples.map((s) => s.metric),
        ["DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_FB_TOTAL", "DCGM_FI_DEV_GPU_TEMP", "DCGM_FI_DEV_POWER_USAGE"],
      );
    }
    assert.equal(parseGpuReadings(fixture("nvidia-smi-h100-mig-load.csv")).gpus[0]!.memoryUsedMiB, 11125);
  });

  test("a multi-GPU box: one reading per line, in index order", () => {
    const { gpus, problems } = parseGpuReadings(fixture("nvidia-smi-a100x3-load.csv"));
    assert.deepEqual(problems, []);
    assert.deepEqual(
      gpus.map((g) => [g.index, g.utilizationPercent, g.memoryUsedMiB, g.temperatureCelsius, g.powerWatts]),
      [
        ["0", 100, 7488, 48, 353],
        ["1", 100, 7500, 45, 308],
        ["2", 99, 7500, 46, 318],
      ],
    );
  });

  test("[Not Supported] fields are missing", () => {
    const { gpus, problems } = parseGpuReadings(fixture("nvidia-smi-not-supported.csv"));
    assert.deepEqual(problems, []);
    assert.deepEqual(gpus[0], {
      index: "0",
      uuid: zeroUuid,
      name: "GeForce GTX 760",
      memoryUsedMiB: 306,
      memoryTotalMiB: 2047,
      temperatureCelsius: 39,
    });
  });

  test("a verbatim line of another query (driver 440): bare N/A is missing, every other cell kept", () => {
    const fields =
      "power.limit,power.min_limit,power.max_limit,memory.total,vbios_version,driver_version,name,gpu_uuid,power.draw,temperature.gpu,temperature.memory,clocks.current.graphics,clocks.sm,clocks.mem,utilization.gpu,utilization.memory,fan.speed,pcie.link.width.current,pstate".split(
        ",",
      );
    const { rows, problems } = parseNvidiaSmiCsv(
      fixture("nvidia-smi-rtx2080-driver440-other-query.csv"),
      fields,
    );
    assert.deepEqual(problems, []);
    assert.equal(rows.length, 1);
    const row = rows[0]!;
    assert.equal(row.name, "GeForce RTX 2080");
    assert.equal(row.gpu_uuid, "GPU-22b2c6ac-2d49-4863-197c-9c469071178a");
    assert.equal(row["temperature.memory"], undefined);
    assert.equal(numericCell(row["power.draw"]), 176.98);
    assert.equal(numericCell(row["utilization.gpu"]), 86);
    assert.equal(row.pstate, "P2");
  });
});

describe("nvidia-smi CSV edge cases", () => {
  test("missing markers: bracketed messages, N/A, Not Supported, empty", () => {
    for (const cell of [
      "[N/A]",
      "N/A",
      "[Not Supported]",
      "Not Supported",
      "[Unknown Error]",
      "[GPU is lost]",
      "",
    ]) {
      assert.equal(isMissingCell(cell), true, cell);
    }
    for (const cell of ["0", "69.85", "NVIDIA H100 80GB HBM3"])
      assert.equal(isMissingCell(cell), false, cell);
  });

  test("units are tolerated (output captured without nounits); text is not a number", () => {
    assert.equal(numericCell("81559 MiB"), 81559);
    assert.equal(numericCell("69.85 W"), 69.85);
    assert.equal(numericCell("0 %"), 0);
    assert.equal(numericCell("P0"), undefined);
    const { gpus, problems } = parseGpuReadings("0, GPU-a, Tesla T4, lots, 1, 15360, 40, 27.5\n");
    assert.equal(gpus[0]!.utilizationPercent, undefined);
    assert.deepEqual(problems, ['GPU 0: utilization.gpu "lots" is not a number']);
  });

  test("a product name with a comma is joined back; a short line is a problem; blank lines and CRLF are fine", () => {
    const text = "0, GPU-a, Some, Odd Name, 5, 1, 2, 3, 4.5\r\n\r\n1, GPU-b, short\r\n";
    const { gpus, problems } = parseGpuReadings(text);
    assert.equal(gpus.length, 1);
    assert.equal(gpus[0]!.name, "Some, Odd Name");
    assert.equal(gpus[0]!.powerWatts, 4.5);
    assert.deepEqual(problems, ['line 3: 3 fields, expected 8: "1, GPU-b, short"']);
  });

  test("a row without a UUID cannot be labelled", () => {
    const { gpus, problems } = parseGpuReadings("0, [N/A], Tesla T4, 1, 1, 15360, 40, 27.5\n");
    assert.deepEqual(gpus, []);
    assert.equal(problems.length, 1);
  });

  test("no output (no GPUs) is no readings and no problems", () => {
    assert.deepEqual(parseGpuReadings(""), { gpus: [], problems: [] });
  });
});
