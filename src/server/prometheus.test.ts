import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type MetricFamily, renderExposition } from "./prometheus.js";

describe("renderExposition", () => {
  test("a summary: TYPE once, then per series its quantiles, _sum and _count, labels escaped", () => {
    const family: MetricFamily = {
      name: "rpc_duration_seconds",
      help: "RPC latency.",
      type: "summary",
      samples: [
        {
          labels: { service: 'a"b' },
          quantiles: [
            { quantile: 0.5, value: 0.012 },
            { quantile: 0.99, value: 0.3 },
          ],
          sum: 1.75,
          count: 42,
        },
        { labels: { service: "c" }, quantiles: [{ quantile: 0.5, value: 0.02 }], sum: 0.5, count: 3 },
      ],
    };
    assert.equal(
      renderExposition([family]),
      [
        "# HELP rpc_duration_seconds RPC latency.",
        "# TYPE rpc_duration_seconds summary",
        'rpc_duration_seconds{service="a\\"b",quantile="0.5"} 0.012',
        'rpc_duration_seconds{service="a\\"b",quantile="0.99"} 0.3',
        'rpc_duration_seconds_sum{service="a\\"b"} 1.75',
        'rpc_duration_seconds_count{service="a\\"b"} 42',
        'rpc_duration_seconds{service="c",quantile="0.5"} 0.02',
        'rpc_duration_seconds_sum{service="c"} 0.5',
        'rpc_duration_seconds_count{service="c"} 3',
        "",
      ].join("\n"),
    );
  });

  test("a summary without quantiles is its _sum and _count only; without labels, no braces", () => {
    assert.equal(
      renderExposition([
        { name: "x_seconds", help: "X.", type: "summary", samples: [{ quantiles: [], sum: 0, count: 0 }] },
      ]),
      "# HELP x_seconds X.\n# TYPE x_seconds summary\nx_seconds_sum 0\nx_seconds_count 0\n",
    );
  });

  test("a summary series may not bring its own quantile label (the format reserves it)", () => {
    assert.throws(
      () =>
        renderExposition([
          {
            name: "x_seconds",
            help: "X.",
            type: "summary",
            samples: [{ labels: { quantile: "0.5" }, quantiles: [], sum: 0, count: 0 }],
          },
        ]),
      TypeError,
    );
  });

  test("counters and gauges: one line per sample; NaN and infinities in the format's spelling", () => {
    assert.equal(
      renderExposition([
        {
          name: "g",
          help: "a\\b\nc",
          type: "gauge",
          samples: [{ value: Number.NaN }, { labels: { k: "v" }, value: Number.POSITIVE_INFINITY }],
        },
      ]),
      '# HELP g a\\\\b\\nc\n# TYPE g gauge\ng NaN\ng{k="v"} +Inf\n',
    );
  });
});
