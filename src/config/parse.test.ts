import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { repoPath } from "../testing/paths.js";
import { type ConfigResult, parseConfig, validateConfig } from "./parse.js";
import { type ConfigProblem, configError } from "./problems.js";
import type { MonitorConfig } from "./resolve.js";
import { defaultSettings } from "./settings.js";

function ok(result: ConfigResult): MonitorConfig {
  if (!result.ok)
    assert.fail(
      `expected a valid configuration:\n${result.problems.map((p) => `${p.line}:${p.column} ${p.path}: ${p.message}`).join("\n")}`,
    );
  return result.config;
}

function problems(result: ConfigResult): readonly ConfigProblem[] {
  assert.equal(result.ok, false, "expected problems");
  return result.ok ? [] : result.problems;
}

/** The one problem at `path`, checked for its kind and line (and column, when given). */
function problemAt(
  list: readonly ConfigProblem[],
  path: string,
  expected: { kind: ConfigProblem["kind"]; line?: number; column?: number; message?: RegExp },
): ConfigProblem {
  const found = list.filter((p) => p.path === path);
  assert.equal(found.length, 1, `one problem at ${path}; got ${JSON.stringify(list, null, 1)}`);
  const problem = found[0]!;
  assert.equal(problem.kind, expected.kind, `${path}: kind`);
  if (expected.line !== undefined) assert.equal(problem.line, expected.line, `${path}: line`);
  if (expected.column !== undefined) assert.equal(problem.column, expected.column, `${path}: column`);
  if (expected.message !== undefined) assert.match(problem.message, expected.message);
  assert.ok(problem.hint.length > 0, `${path}: a hint`);
  return problem;
}

const fence = "```";

/** The code blocks of one language in a Markdown file, in order. */
function codeBlocks(file: string, language: string): string[] {
  const text = readFileSync(repoPath(...file.split("/")), "utf8");
  return [...text.matchAll(new RegExp(`${fence}${language}\\n([\\s\\S]*?)${fence}`, "g"))].map((m) => m[1]!);
}

const HOUR = 3_600_000;

describe("defaults", () => {
  it("an empty file gives the seed's numbers", () => {
    const seed = {
      monitor: { window: HOUR, lateness: HOUR, min_samples: 30, max_clock_jump: 7 * 24 * HOUR },
      metrics: {
        quality: {
          metric: "accuracy",
          type: "classification",
          threshold: 0.95,
          direction: "below",
          window: HOUR,
        },
        latency: { threshold: 100, percentile: 99 },
        drift: {
          method: "auto",
          significance: 0.05,
          correction: "bonferroni",
          ks_mode: "auto",
          emergency_share: 0.5,
          categorical_max_distinct: 5,
          wasserstein: { threshold: 0.1, normalize: true },
          jensenshannon: { threshold: 0.1 },
          psi: { warning: 0.1, critical: 0.25 },
        },
      },
      reporting: { frequency: HOUR, format: "dashboard", retention: 30 * 24 * HOUR },
    };
    assert.deepEqual(defaultSettings, seed);
    for (const text of ["", "# nothing yet\n", "{}"]) assert.deepEqual(ok(parseConfig(text)).settings, seed);
    assert.deepEqual(ok(parseConfig("{}", { format: "json" })).settings, seed);
    assert.deepEqual(ok(validateConfig({})).settings, seed);
  });

  it("the seed's own keys and numbers, as the seed writes them, are the defaults", () => {
    const seedKeys = `
metrics:
  accuracy: { type: classification, threshold: 0.95, window: 1h }
  latency: { type: timing, threshold: 100ms, percentile: 99 }
  drift:
    type: distribution
    method: ks_test
    significance: 0.05
    correction: bonferroni
    wasserstein: { threshold: 0.1, normalize: true }
reporting: { frequency: 1h, format: dashboard, retention: 30d }
`;
    assert.deepEqual(ok(parseConfig(seedKeys)).settings, defaultSettings);
  });

  it("the complete example of docs/configuration.md is valid and spells out the defaults", () => {
    const [complete, models] = codeBlocks("docs/configuration.md", "yaml");
    assert.ok(complete !== undefined && models !== undefined);
    assert.deepEqual(ok(parseConfig(complete)).settings, defaultSettings);
    assert.deepEqual(Object.keys(ok(parseConfig(models)).models), ["bike", "churn"]);
  });
});

const completeYaml = `# every section, with values other than the defaults
monitor:
  window: 30m
  lateness: 0
  min_samples: 100
metrics:
  quality:
    metric: rmse
    threshold: 12.5
    direction: above
    type: regression
    window: 2h
  latency: { type: timing, threshold: 0.5s, percentile: 95 }
  drift:
    type: distribution
    method: psi
    significance: 0.01
    correction: holm
    ks_mode: exact
    emergency_share: 0.25
    categorical_max_distinct: 10
    wasserstein: { threshold: 0.2, normalize: true }
    jensenshannon: { threshold: 0.3 }
    psi: { warning: 0.2, critical: 0.4 }
reporting:
  frequency: 1d
  format: markdown
  retention: 1w
models:
  bike:
    monitor: { window: 1h }
    metrics:
      quality: { metric: mae, threshold: 60 }
      drift: { psi: { critical: 0.5 } }
  iris.v2:
    metrics:
      accuracy: { threshold: 0.9 }
`;

const completeJson = JSON.stringify(
  {
    monitor: { window: "30m", lateness: 0, min_samples: 100 },
    metrics: {
      quality: { metric: "rmse", threshold: 12.5, direction: "above", type: "regression", window: 7_200_000 },
      latency: { type: "timing", threshold: 500, percentile: 95 },
      drift: {
        type: "distribution",
        method: "psi",
        significance: 0.01,
        correction: "holm",
        ks_mode: "exact",
        emergency_share: 0.25,
        categorical_max_distinct: 10,
        wasserstein: { threshold: 0.2, normalize: true },
        jensenshannon: { threshold: 0.3 },
        psi: { warning: 0.2, critical: 0.4 },
      },
    },
    reporting: { frequency: "1d", format: "markdown", retention: "1w" },
    models: {
      bike: {
        monitor: { window: "1h" },
        metrics: { quality: { metric: "mae", threshold: 60 }, drift: { psi: { critical: 0.5 } } },
      },
      "iris.v2": { metrics: { accuracy: { threshold: 0.9 } } },
    },
  },
  null,
  2,
);

describe("a complete file", () => {
  it("resolves identically from YAML, from JSON and from an object", () => {
    const fromYaml = ok(parseConfig(completeYaml, { format: "yaml" }));
    const fromJson = ok(parseConfig(completeJson, { format: "json" }));
    const fromObject = ok(validateConfig(JSON.parse(completeJson)));
    assert.deepEqual(fromJson, fromYaml);
    assert.deepEqual(fromObject, fromYaml);
    const { settings } = fromYaml;
    assert.equal(settings.monitor.window, 1_800_000);
    assert.equal(settings.monitor.lateness, 0);
    assert.deepEqual(settings.metrics.quality, {
      metric: "rmse",
      type: "regression",
      threshold: 12.5,
      direction: "above",
      window: 7_200_000,
    });
    assert.deepEqual(settings.metrics.latency, { threshold: 500, percentile: 95 });
    assert.equal(settings.metrics.drift.method, "psi");
    assert.deepEqual(settings.reporting, {
      frequency: 86_400_000,
      format: "markdown",
      retention: 604_800_000,
    });
  });
});

describe("problems", () => {
  it("an unknown key, with the nearest known key, at its line", () => {
    const list = problems(parseConfig("metrics:\n  drift:\n    signficance: 0.05\n"));
    const problem = problemAt(list, "metrics.drift.signficance", {
      kind: "unknown_key",
      line: 3,
      column: 5,
      message: /did you mean "significance"/,
    });
    assert.equal(problem.suggestion, "significance");
  });

  it("a key at the wrong level says where it belongs", () => {
    const list = problems(parseConfig("monitor:\n  window: 1h\nmetrics:\n  significance: 0.01\n"));
    const problem = problemAt(list, "metrics.significance", {
      kind: "unknown_key",
      line: 4,
      message: /metrics\.drift/,
    });
    assert.equal(problem.suggestion, "metrics.drift.significance");
    const inModel = problems(parseConfig("models:\n  bike:\n    drift: { correction: holm }\n"));
    assert.equal(
      problemAt(inModel, "models.bike.drift", { kind: "unknown_key", line: 3 }).suggestion,
      "models.bike.metrics.drift",
    );
  });

  it("an unknown section is an error, naming the sections there are", () => {
    const list = problems(parseConfig("alerts:\n  channels: [slack]\n"));
    const problem = problemAt(list, "alerts", { kind: "unknown_key", line: 1, column: 1 });
    assert.match(problem.hint, /monitor, metrics, reporting, models/);
  });

  it("a wrong type", () => {
    const list = problems(
      parseConfig("monitor:\n  min_samples: thirty\nmetrics:\n  drift:\n    wasserstein: 0.1\n"),
    );
    problemAt(list, "monitor.min_samples", {
      kind: "type",
      line: 2,
      column: 16,
      message: /expected a number, got "thirty"/,
    });
    problemAt(list, "metrics.drift.wasserstein", {
      kind: "type",
      line: 5,
      message: /expected a mapping, got 0\.1/,
    });
    const quoted = problemAt(problems(parseConfig('monitor: { min_samples: "30" }')), "monitor.min_samples", {
      kind: "type",
    });
    assert.match(quoted.hint, /without quotes/);
    problemAt(problems(parseConfig("monitor:\n  window:\n")), "monitor.window", {
      kind: "type",
      line: 2,
      message: /no value/,
    });
  });

  it("a bad duration: unknown unit, negative, zero where meaningless, no unit", () => {
    const list = problems(
      parseConfig("monitor:\n  window: 1y\n  lateness: -5m\nreporting:\n  frequency: 0s\n  retention: 30\n"),
    );
    problemAt(list, "monitor.window", { kind: "value", line: 2, column: 11, message: /unknown unit "y"/ });
    problemAt(list, "monitor.lateness", { kind: "value", line: 3, message: /negative/ });
    problemAt(list, "reporting.frequency", { kind: "value", line: 5, message: /longer than zero/ });
    assert.equal(list.length, 3, "a number of milliseconds (retention: 30) is a duration");
    ok(parseConfig("monitor: { lateness: 0 }")); // zero lateness is meaningful: no late events
  });

  it("out-of-range values: α, percentile, negative thresholds", () => {
    const list = problems(
      parseConfig(`metrics:
  latency: { percentile: 0 }
  drift:
    significance: 1.5
    wasserstein: { threshold: -0.1 }
    psi: { warning: -1 }
    jensenshannon: { threshold: 0.9 }
    emergency_share: 2
`),
    );
    problemAt(list, "metrics.drift.significance", {
      kind: "value",
      line: 4,
      column: 19,
      message: /less than 1, got 1\.5/,
    });
    problemAt(list, "metrics.latency.percentile", { kind: "value", line: 2, message: /greater than 0/ });
    problemAt(list, "metrics.drift.wasserstein.threshold", {
      kind: "value",
      line: 5,
      message: /at least 0, got -0\.1/,
    });
    problemAt(list, "metrics.drift.psi.warning", { kind: "value", line: 6 });
    problemAt(list, "metrics.drift.jensenshannon.threshold", { kind: "value", line: 7 });
    problemAt(list, "metrics.drift.emergency_share", { kind: "value", line: 8 });
    problemAt(
      problems(parseConfig("metrics: { drift: { significance: 0 } }")),
      "metrics.drift.significance",
      {
        kind: "value",
      },
    );
    problemAt(
      problems(parseConfig("metrics: { latency: { threshold: -100ms } }")),
      "metrics.latency.threshold",
      {
        kind: "value",
        message: /negative/,
      },
    );
  });

  it("a bad choice, with the nearest valid one", () => {
    const list = problems(parseConfig("metrics:\n  drift:\n    method: kstest\n    correction: bonferoni\n"));
    assert.equal(
      problemAt(list, "metrics.drift.method", { kind: "value", line: 3, column: 13 }).suggestion,
      "ks_test",
    );
    assert.equal(
      problemAt(list, "metrics.drift.correction", { kind: "value", line: 4 }).suggestion,
      "bonferroni",
    );
    const literal = problems(
      parseConfig(
        "metrics:\n  latency: { type: classification }\n  drift: { wasserstein: { normalize: false } }\n",
      ),
    );
    problemAt(literal, "metrics.latency.type", { kind: "value", line: 2, message: /must be "timing"/ });
    problemAt(literal, "metrics.drift.wasserstein.normalize", {
      kind: "value",
      line: 3,
      message: /must be true, got false/,
    });
  });

  it("reports every problem of a file in one result, in file order", () => {
    const text = `monitor:
  windw: 2h
  min_samples: 0
metrics:
  accuracy: { threshold: 1.2 }
  latency: { threshold: 100us, percentile: 99 }
  drift:
    method: ks
    signficance: 0.05
    correction: sidak
reporting: { format: pdf }
models:
  bike:
    monitor: { window: -1w }
    metrics: { latency: { percentile: 101 } }
  "my model": {}
`;
    const list = problems(parseConfig(text));
    assert.deepEqual(
      list.map((p) => [p.line, p.path, p.kind]),
      [
        [2, "monitor.windw", "unknown_key"],
        [3, "monitor.min_samples", "value"],
        [5, "metrics.accuracy.threshold", "value"],
        [6, "metrics.latency.threshold", "value"],
        [9, "metrics.drift.signficance", "unknown_key"],
        [10, "metrics.drift.correction", "value"],
        [11, "reporting.format", "value"],
        [14, "models.bike.monitor.window", "value"],
        [15, "models.bike.metrics.latency.percentile", "value"],
        [16, 'models["my model"]', "value"],
      ],
    );
    const error = configError(list, "monitor.yaml");
    assert.equal(error.code, "CONFIG_INVALID");
    assert.equal(error.status, 400);
    assert.equal(error.location.file, "monitor.yaml");
    assert.match(error.message, /10 problems/);
    for (const problem of list) {
      assert.ok(
        error.message.includes(`${problem.line}:${problem.column} ${problem.path}: ${problem.message}`),
      );
      assert.ok(error.message.includes(problem.hint));
    }
  });

  it("a single problem makes an error located at it", () => {
    const [problem] = problems(parseConfig("monitor:\n  window: 0\n"));
    const error = configError([problem!], "m.yaml");
    assert.deepEqual(error.location, { file: "m.yaml", line: 2, path: "monitor.window" });
    assert.equal(
      error.describe().split("\n")[0],
      "m.yaml:2, monitor.window: invalid configuration: 2:11 monitor.window: must be longer than zero",
    );
  });

  it("JSON problems have lines and columns too", () => {
    const text =
      '{\n  "monitor": { "window": "1h" },\n  "metrics": {\n    "drift": { "significance": 2, "mehtod": "ks" }\n  }\n}\n';
    const list = problems(parseConfig(text, { format: "json" }));
    problemAt(list, "metrics.drift.significance", { kind: "value", line: 4, column: 32 });
    assert.equal(
      problemAt(list, "metrics.drift.mehtod", { kind: "unknown_key", line: 4, column: 35 }).suggestion,
      "method",
    );
  });

  it("syntax errors, with their line", () => {
    const yaml = problems(parseConfig("monitor:\n  window: [1h\nmetrics: {}\n"));
    assert.equal(yaml[0]?.kind, "syntax");
    assert.equal(yaml[0]?.line, 3);
    const json = problems(parseConfig('{\n  "monitor": { "window": "1h", }\n}', { format: "json" }));
    assert.deepEqual(
      json.map((p) => [p.kind, p.line]),
      [["syntax", 2]],
    );
    // YAML's comments are not JSON.
    assert.equal(problems(parseConfig("# c\n{}", { format: "json" }))[0]?.kind, "syntax");
  });

  it("duplicate keys are reported with the other problems, in YAML and in JSON", () => {
    const yaml = problems(parseConfig("monitor:\n  window: 1h\n  window: 2h\n  min_samples: 0\n"));
    assert.deepEqual(
      yaml.map((p) => [p.kind, p.path, p.line]),
      [
        ["duplicate_key", "monitor.window", 3],
        ["value", "monitor.min_samples", 4],
      ],
    );
    const json = problems(parseConfig('{"monitor": {"window": "1h", "window": "2h"}}', { format: "json" }));
    assert.deepEqual(
      json.map((p) => [p.kind, p.path]),
      [["duplicate_key", "monitor.window"]],
    );
  });

  it("the document must be a mapping", () => {
    problemAt(problems(parseConfig("- monitor\n")), "", {
      kind: "type",
      line: 1,
      message: /expected a mapping, got a list/,
    });
    problemAt(problems(validateConfig(42)), "", { kind: "type", message: /got 42/ });
  });

  it("objects given directly are checked the same way, without lines", () => {
    const list = problems(validateConfig({ monitor: { window: "1x" }, metrics: { drift: { alpha: 0.05 } } }));
    assert.deepEqual(
      list.map((p) => [p.path, p.kind, p.line]),
      [
        ["monitor.window", "value", undefined],
        ["metrics.drift.alpha", "unknown_key", undefined],
      ],
    );
  });
});

describe("the alerting section", () => {
  it("is kept as written for the server to validate (global only)", () => {
    const result = parseConfig(
      "alerting:\n  channels: { hook: { type: webhook, url: 'http://127.0.0.1:9/x' } }\n",
    );
    assert.ok(result.ok);
    assert.deepEqual(result.config.alerting, {
      channels: { hook: { type: "webhook", url: "http://127.0.0.1:9/x" } },
    });
    const inModel = problems(parseConfig("models:\n  bike:\n    alerting: {}\n"));
    problemAt(inModel, "models.bike.alerting", { kind: "unknown_key", line: 3 });
  });
});
