import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type MetricFamily, renderExposition } from "../server/prometheus.js";
import { resourceMetricFamilies, seriesKey } from "./exposition.js";
import { sampleOf } from "./metric-definition.js";

const cpu = {
  metric: "node_cpu_seconds_total",
  type: "counter",
  help: "Seconds the CPUs spent in each mode.",
} as const;
const load1 = { metric: "node_load1", type: "gauge", help: "1m load average." } as const;

describe("resource metric families", () => {
  test("one family per name, contiguous, in order of first appearance; rendered by the server's renderer", () => {
    const families: MetricFamily[] = resourceMetricFamilies([
      sampleOf(cpu, 1.5, { cpu: "0", mode: "user" }),
      sampleOf(load1, 0.25),
      sampleOf(cpu, 2.5, { cpu: "1", mode: "user" }),
    ]);
    assert.equal(
      renderExposition(families),
      [
        "# HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.",
        "# TYPE node_cpu_seconds_total counter",
        'node_cpu_seconds_total{cpu="0",mode="user"} 1.5',
        'node_cpu_seconds_total{cpu="1",mode="user"} 2.5',
        "# HELP node_load1 1m load average.",
        "# TYPE node_load1 gauge",
        "node_load1 0.25",
        "",
      ].join("\n"),
    );
  });

  test("a series given twice keeps its last value; one name with two types is a bug and throws", () => {
    const [family] = resourceMetricFamilies([sampleOf(load1, 1), sampleOf(load1, 2)]);
    assert.deepEqual(family!.samples, [{ value: 2 }]);
    assert.throws(
      () => resourceMetricFamilies([sampleOf(load1, 1), sampleOf({ ...load1, type: "counter" }, 2)]),
      TypeError,
    );
  });

  test("series keys sort labels, so label order never makes two series of one", () => {
    assert.equal(seriesKey("m", { b: "1", a: "2" }), seriesKey("m", { a: "2", b: "1" }));
    assert.equal(seriesKey("m", {}), "m");
  });
});
