import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { repoPath } from "../testing/paths.js";
import { describeCpu, parseCpuInfo, readCpuFeatures } from "./cpu-features.js";
import { chooseInt8Format } from "./int8-format.js";

const fixture = (name: string) =>
  parseCpuInfo(readFileSync(repoPath("src", "onnx", "fixtures", name), "utf8"));

test("Intel Xeon with AVX2 and no VNNI: U8S8 with 7-bit weights (reduce_range)", () => {
  const cpu = fixture("cpuinfo-intel-xeon-avx2.txt");
  assert.equal(cpu.arch, "x86");
  assert.equal(cpu.logicalCpus, 2);
  assert.deepEqual(cpu.flags, {
    avx2: true,
    avx512f: false,
    avx512Vnni: false,
    avxVnni: false,
    amxInt8: false,
    asimddp: false,
    i8mm: false,
  });
  assert.equal(describeCpu(cpu), "Intel(R) Xeon(R) CPU @ 2.30GHz (avx2, no VNNI)");
  const format = chooseInt8Format(cpu);
  assert.equal(format.layout, "U8S8");
  assert.equal(format.activationType, "uint8");
  assert.equal(format.weightType, "int8");
  assert.equal(format.reduceRange, true);
  assert.match(format.reason, /saturates/);
});

test("AMD EPYC with AVX-512 VNNI: full-range U8S8, S8S8 worth measuring", () => {
  const cpu = fixture("cpuinfo-amd-epyc-avx512-vnni.txt");
  assert.equal(cpu.arch, "x86");
  assert.equal(cpu.model, "AMD EPYC");
  assert.equal(describeCpu(cpu), "AMD EPYC (avx2, avx512f, avx512_vnni)");
  const format = chooseInt8Format(cpu);
  assert.deepEqual([format.layout, format.reduceRange, format.alsoTry], ["U8S8", false, ["S8S8"]]);
});

test("ARM Neoverse-N1 with dot product: full-range S8S8", () => {
  const cpu = fixture("cpuinfo-arm-neoverse-n1.txt");
  assert.equal(cpu.arch, "arm");
  assert.equal(cpu.model, "ARM Neoverse-N1");
  assert.equal(describeCpu(cpu), "ARM Neoverse-N1 (asimddp)");
  const format = chooseInt8Format(cpu);
  assert.deepEqual([format.layout, format.activationType, format.reduceRange], ["S8S8", "int8", false]);
});

test("AVX-VNNI alone counts as VNNI; unknown or plain CPUs get the conservative choice", () => {
  const alderLake = parseCpuInfo(
    "processor : 0\nmodel name : 12th Gen Intel(R) Core(TM) i7-12700\nflags : sse avx2 avx_vnni\n",
  );
  assert.equal(chooseInt8Format(alderLake).reduceRange, false);
  const unknown = parseCpuInfo("");
  assert.equal(unknown.arch, "unknown");
  assert.equal(describeCpu(unknown), "unknown CPU (flags unknown)");
  assert.deepEqual([chooseInt8Format(unknown).layout, chooseInt8Format(unknown).reduceRange], ["U8S8", true]);
  const oldArm = parseCpuInfo(
    "processor : 0\nFeatures : fp asimd\nCPU implementer : 0x41\nCPU part : 0xd08\n",
  );
  assert.equal(describeCpu(oldArm), "ARM Cortex-A72 (no dot product)");
  assert.equal(chooseInt8Format(oldArm).reduceRange, true);
});

test("this machine's description names its model and flags, and a missing file is not an error", async () => {
  const here = await readCpuFeatures();
  assert.ok(describeCpu(here).length > 3);
  const nowhere = await readCpuFeatures("/nonexistent/cpuinfo");
  assert.equal(nowhere.arch, "unknown");
});
