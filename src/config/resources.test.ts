import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { repoPath } from "../testing/paths.js";
import { type ConfigResult, parseConfig, validateConfig } from "./parse.js";
import type { ConfigProblem } from "./problems.js";
import type { MonitorConfig } from "./resolve.js";
import { defaultResourceSettings } from "./resources.js";

function ok(result: ConfigResult): MonitorConfig {
  if (!result.ok) assert.fail(result.problems.map((p) => `${p.path}: ${p.message}`).join("\n"));
  return result.config;
}

/** The first YAML block of a Markdown file under docs/. */
function firstYaml(file: string): string {
  const text = readFileSync(repoPath("docs", file), "utf8");
  const block = /```yaml\n([\s\S]*?)```/.exec(text)?.[1];
  assert.ok(block !== undefined, `a yaml block in docs/${file}`);
  return block;
}

function problems(result: ConfigResult): readonly ConfigProblem[] {
  assert.equal(result.ok, false, "expected problems");
  return result.ok ? [] : result.problems;
}

describe("the resources section", () => {
  it("defaults: every 15 s, windows of 1 min (four intervals when longer), no probes, the data dir and /, gpu auto, the documented rules", () => {
    const { resources } = ok(parseConfig(""));
    assert.deepEqual(resources, {
      interval: 15_000,
      window: 60_000,
      probes: [],
      disk_paths: null,
      gpu: "auto",
      rules: {
        memory_used_ratio: { warning: 0.9, critical: 0.95, for: 0 },
        gpu_memory_used_ratio: { warning: null, critical: 0.95, for: 0 },
        disk_used_ratio: { warning: 0.9, critical: null, for: 0 },
        cpu_utilisation: { warning: 0.95, critical: null, for: 0 },
        probe_success: { warning: null, critical: 1, for: 0 },
      },
    });
    assert.deepEqual(resources.rules, defaultResourceSettings.rules);
    assert.equal(
      ok(parseConfig("monitor: { window: 1w }\n")).resources.window,
      60_000,
      "the machine's time scale, not the model's window",
    );
    assert.equal(
      ok(parseConfig("resources: { interval: 2m }\n")).resources.window,
      480_000,
      "four intervals",
    );
  });

  it("every key, written: durations in ms, rules merged with the defaults level by level, false turns a level off", () => {
    const { resources } = ok(
      parseConfig(
        [
          "resources:",
          "  interval: 30s",
          "  window: 5m",
          "  probes: [https://models.internal/healthz, 'tcp://db.internal:5432']",
          "  disk_paths: [/var/lib/tiktoktoe, /]",
          "  gpu: off",
          "  rules:",
          "    memory_used_ratio: { warning: 0.8, for: 5m }",
          "    disk_used_ratio: { warning: false, critical: 0.97 }",
          "    probe_success: { warning: 1, critical: 0.5 }",
          "",
        ].join("\n"),
      ),
    );
    assert.equal(resources.interval, 30_000);
    assert.equal(resources.window, 300_000);
    assert.deepEqual(resources.probes, ["https://models.internal/healthz", "tcp://db.internal:5432"]);
    assert.deepEqual(resources.disk_paths, ["/var/lib/tiktoktoe", "/"]);
    assert.equal(resources.gpu, "off");
    assert.deepEqual(resources.rules.memory_used_ratio, { warning: 0.8, critical: 0.95, for: 300_000 });
    assert.deepEqual(resources.rules.disk_used_ratio, { warning: null, critical: 0.97, for: 0 });
    assert.deepEqual(resources.rules.probe_success, { warning: 1, critical: 0.5, for: 0 });
    assert.deepEqual(resources.rules.cpu_utilisation, defaultResourceSettings.rules.cpu_utilisation);
  });

  it("every problem at once, each with its path and line", () => {
    const list = problems(
      parseConfig(
        [
          "resources:",
          "  interval: -1s",
          "  window: 0",
          "  probes: [ftp://x.example.com, 'tcp://db', 42]",
          "  disk_paths: ['']",
          "  gpu: yes",
          "  rules:",
          "    cpu_utilisation: { warning: 95 }",
          "    probe_success: { critical: '1' }",
          "    memory_used: { warning: 0.9 }",
          "  intervl: 1s",
          "",
        ].join("\n"),
      ),
    );
    const at = (path: string) => {
      const found = list.filter((p) => p.path === path);
      assert.equal(found.length, 1, `one problem at ${path}: ${JSON.stringify(list, null, 1)}`);
      assert.ok(found[0]!.hint.length > 0);
      return found[0]!;
    };
    assert.match(at("resources.interval").message, /cannot be negative/);
    assert.equal(at("resources.interval").line, 2);
    assert.match(at("resources.window").message, /longer than zero/);
    assert.match(at("resources.probes[0]").message, /scheme "ftp:"/);
    assert.match(at("resources.probes[0]").hint, /tcp:\/\/host:port/);
    assert.equal(at("resources.probes[0]").line, 4);
    assert.match(at("resources.probes[1]").message, /needs a host and a port/);
    assert.match(at("resources.probes[2]").message, /expected a string/);
    assert.equal(at("resources.disk_paths[0]").message, "must not be empty");
    assert.match(at("resources.gpu").message, /"yes" is not one of auto, off/);
    assert.match(at("resources.rules.cpu_utilisation.warning").message, /between 0 and 1, got 95/);
    assert.match(at("resources.rules.probe_success.critical").message, /got "1"/);
    assert.match(
      at("resources.rules.memory_used").hint,
      /the keys here are memory_used_ratio, gpu_memory_used_ratio/,
    );
    assert.match(at("resources.intervl").message, /did you mean "interval"/);
    assert.equal(list.length, 11);
  });

  it("conflicts between keys: a window shorter than the interval, a warning beyond the critical", () => {
    const list = problems(
      validateConfig({
        resources: {
          interval: "2m",
          window: "1m",
          rules: { memory_used_ratio: { critical: 0.85 }, probe_success: { warning: 0.5 } },
        },
      }),
    );
    assert.deepEqual(
      list.map((p) => [p.path, p.kind]),
      [
        ["resources.rules.memory_used_ratio.critical", "conflict"],
        ["resources.rules.probe_success.warning", "conflict"],
        ["resources.window", "conflict"],
      ],
    );
    assert.match(list[2]!.message, /the window \(1m\) is shorter than the interval \(2m\)/);
    // Without a written window there is no conflict: the default grows with the interval.
    assert.equal(
      ok(validateConfig({ monitor: { window: "1m" }, resources: { interval: "5m" } })).resources.window,
      1_200_000,
    );
  });

  it("the examples of docs/configuration.md (every default, spelled out) and docs/resources.md are valid", () => {
    assert.deepEqual(ok(parseConfig(firstYaml("configuration.md"))).resources, ok(parseConfig("")).resources);
    const { resources } = ok(parseConfig(firstYaml("resources.md")));
    assert.equal(resources.probes.length, 3);
    assert.deepEqual(resources.rules.memory_used_ratio, { warning: 0.8, critical: 0.95, for: 300_000 });
  });

  it("is global only: a model's override may not hold it", () => {
    const list = problems(parseConfig("models:\n  bike:\n    resources: { interval: 1m }\n"));
    assert.deepEqual(
      list.map((p) => [p.path, p.kind]),
      [["models.bike.resources", "unknown_key"]],
    );
  });
});
