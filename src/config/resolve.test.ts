import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defaultDriftOptions } from "../drift/options.js";
import { toDriftOptions } from "./drift-options.js";
import { type ConfigResult, parseConfig } from "./parse.js";
import type { ConfigProblem } from "./problems.js";
import { type MonitorConfig, resolveModelConfig } from "./resolve.js";
import { defaultSettings } from "./settings.js";

function ok(result: ConfigResult): MonitorConfig {
  if (!result.ok) assert.fail(result.problems.map((p) => `${p.line} ${p.path}: ${p.message}`).join("\n"));
  return result.config;
}

function problems(result: ConfigResult): readonly ConfigProblem[] {
  assert.equal(result.ok, false, "expected problems");
  return result.ok ? [] : result.problems;
}

const HOUR = 3_600_000;
const WEEK = 7 * 24 * HOUR;

const file = `monitor:
  window: 1h
  min_samples: 50
metrics:
  drift:
    correction: holm
    psi: { warning: 0.15, critical: 0.3 }
models:
  bike:
    monitor: { window: 1w }
    metrics:
      quality: { metric: mae, threshold: 60 }
      latency: { threshold: 250ms }
      drift: { psi: { critical: 0.5 } }
  churn:
    metrics:
      accuracy: { threshold: 0.9, window: 1d }
      drift: { method: ks, significance: 0.01 }
`;

describe("resolveModelConfig", () => {
  const config = ok(parseConfig(file));

  it("deep-merges a model's override over the file over the defaults", () => {
    const bike = resolveModelConfig(config, "bike");
    assert.deepEqual(bike.monitor, {
      window: WEEK,
      lateness: HOUR,
      min_samples: 50,
      max_clock_jump: 7 * 24 * HOUR,
    });
    assert.deepEqual(bike.metrics.quality, {
      metric: "mae",
      type: "regression",
      threshold: 60,
      direction: "above",
      // follows the model's own monitor window
      window: WEEK,
    });
    assert.deepEqual(bike.metrics.latency, { threshold: 250, percentile: 99 });
    assert.equal(bike.metrics.drift.correction, "holm", "inherited from the file");
    assert.deepEqual(bike.metrics.drift.psi, { warning: 0.15, critical: 0.5 }, "key by key");
    assert.deepEqual(bike.reporting, defaultSettings.reporting);
  });

  it("the seed's accuracy key and ks names in an override", () => {
    const churn = resolveModelConfig(config, "churn");
    assert.equal(churn.monitor.window, HOUR);
    assert.deepEqual(churn.metrics.quality, {
      metric: "accuracy",
      type: "classification",
      threshold: 0.9,
      direction: "below",
      window: 24 * HOUR,
    });
    assert.equal(churn.metrics.drift.method, "ks");
    assert.equal(churn.metrics.drift.significance, 0.01);
  });

  it("a model the file does not name gets the file's settings; overrides do not leak between models", () => {
    const other = resolveModelConfig(config, "unknown-model");
    assert.equal(other, config.settings);
    assert.equal(other.monitor.min_samples, 50);
    assert.equal(other.monitor.window, HOUR);
    assert.deepEqual(other.metrics.drift.psi, { warning: 0.15, critical: 0.3 });
    assert.equal(resolveModelConfig(config, "constructor"), config.settings);
    assert.equal(resolveModelConfig(config, "churn").metrics.latency.threshold, 100);
  });

  it("durations in an override are normalised like the file's", () => {
    assert.equal(config.models.bike?.monitor?.window, WEEK);
    assert.equal(config.global.monitor?.window, HOUR);
  });
});

describe("checks between keys, per layer", () => {
  it("a model that changes the metric must give its threshold; reported at the model", () => {
    const list = problems(parseConfig("models:\n  bike:\n    metrics:\n      quality: { metric: mae }\n"));
    assert.deepEqual(
      list.map((p) => [p.kind, p.path, p.line]),
      [["conflict", "models.bike.metrics.quality", 4]],
    );
    assert.match(list[0]!.message, /mae but its threshold 0\.95 was set for accuracy/);
    // The same metric as inherited keeps the inherited threshold.
    ok(
      parseConfig(
        "metrics:\n  quality: { metric: mae, threshold: 5 }\nmodels:\n  a:\n    metrics: { quality: { metric: mae } }\n",
      ),
    );
    // Switching back to accuracy in a model needs a threshold too (5 was an MAE).
    const back = problems(
      parseConfig(
        "metrics:\n  quality: { metric: mae, threshold: 5 }\nmodels:\n  a:\n    metrics: { accuracy: {} }\n",
      ),
    );
    assert.deepEqual(
      back.map((p) => p.path),
      ["models.a.metrics.accuracy"],
    );
  });

  it("the threshold's range follows the metric", () => {
    const list = problems(
      parseConfig(
        "metrics:\n  quality: { metric: roc_auc, threshold: 1.5 }\nmodels:\n  r:\n    metrics: { quality: { metric: r2, threshold: 2 } }\n",
      ),
    );
    assert.deepEqual(
      list.map((p) => [p.path, p.line]),
      [
        ["metrics.quality.threshold", 2],
        ["models.r.metrics.quality.threshold", 5],
      ],
    );
    ok(parseConfig("metrics:\n  quality: { metric: r2, threshold: -0.5 }\n"));
    ok(parseConfig("metrics:\n  quality: { metric: mae, threshold: 1000 }\n"));
  });

  it("type and direction, when written, must be the metric's", () => {
    const list = problems(
      parseConfig(
        "metrics:\n  quality: { metric: mae, threshold: 3, direction: below, type: classification }\n",
      ),
    );
    assert.deepEqual(
      list.map((p) => p.path),
      // in file order: direction is written before type
      ["metrics.quality.direction", "metrics.quality.type"],
    );
  });

  it("an inherited problem is reported once, at the top level; a model's own at the model", () => {
    const text = `metrics:
  drift: { psi: { warning: 0.3 } }
models:
  a: { monitor: { window: 2h } }
  b:
    metrics: { drift: { psi: { critical: 0.5 } } }
  c:
    metrics: { drift: { psi: { critical: 0.2 } } }
`;
    const list = problems(parseConfig(text));
    assert.deepEqual(
      list.map((p) => [p.path, p.line]),
      [
        ["metrics.drift.psi.warning", 2],
        ["models.c.metrics.drift.psi.critical", 8],
      ],
    );
    assert.match(list[1]!.message, /warning threshold \(0\.3\) is above the critical one \(0\.2\)/);
  });

  it("the quality window must be whole monitor windows, also when a model changes only its window", () => {
    problems(parseConfig("metrics:\n  quality: { window: 90m }\n")).forEach((p) => {
      assert.equal(p.path, "metrics.quality.window");
    });
    const list = problems(
      parseConfig("metrics:\n  accuracy: { window: 1h }\nmodels:\n  bike:\n    monitor: { window: 1w }\n"),
    );
    assert.deepEqual(
      list.map((p) => [p.path, p.line]),
      [["models.bike.monitor.window", 5]],
    );
    assert.match(
      list[0]!.message,
      /quality window \(1h, inherited\) is not a whole multiple of monitor.window \(1w\)/,
    );
    ok(parseConfig("monitor: { window: 1h }\nmetrics:\n  quality: { window: 1d }\n"));
  });

  it("retention must be at least the report frequency", () => {
    const list = problems(parseConfig("reporting:\n  frequency: 1d\n  retention: 12h\n"));
    assert.deepEqual(
      list.map((p) => [p.kind, p.path, p.line]),
      [["conflict", "reporting.retention", 3]],
    );
  });

  it("accuracy and quality together is a conflict", () => {
    const list = problems(
      parseConfig("metrics:\n  accuracy: { threshold: 0.9 }\n  quality: { metric: mae, threshold: 3 }\n"),
    );
    assert.deepEqual(
      list.map((p) => [p.kind, p.path, p.line]),
      [["conflict", "metrics.accuracy", 2]],
    );
  });
});

describe("toDriftOptions", () => {
  it("the default settings are the drift engine's defaults", () => {
    assert.deepEqual(toDriftOptions(defaultSettings), defaultDriftOptions);
  });

  it("maps every drift key, and ks_test to auto", () => {
    const config = ok(
      parseConfig(`metrics:
  drift:
    method: ks_test
    significance: 0.01
    correction: bh
    ks_mode: asymp
    emergency_share: 0.3
    categorical_max_distinct: 8
    wasserstein: { threshold: 0.2 }
    jensenshannon: { threshold: 0.15 }
    psi: { warning: 0.12, critical: 0.3 }
models:
  x: { metrics: { drift: { method: wasserstein } } }
`),
    );
    assert.deepEqual(toDriftOptions(config.settings), {
      method: "auto",
      alpha: 0.01,
      correction: "bh",
      ksMode: "asymp",
      wassersteinThreshold: 0.2,
      jensenShannonThreshold: 0.15,
      psiWarning: 0.12,
      psiCritical: 0.3,
      emergencyShare: 0.3,
      categoricalMaxDistinct: 8,
    });
    assert.equal(toDriftOptions(resolveModelConfig(config, "x")).method, "wasserstein");
    assert.equal(toDriftOptions(resolveModelConfig(config, "x")).alpha, 0.01);
  });
});
