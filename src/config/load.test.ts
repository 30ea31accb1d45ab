import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { isTikTokToeError } from "../errors/index.js";
import { repoPath } from "../testing/paths.js";
import { loadConfig } from "./load.js";
import { resolveModelConfig } from "./resolve.js";

describe("loadConfig", () => {
  let dir = "";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "tiktoktoe-config-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reads YAML and JSON files by extension", async () => {
    await writeFile(join(dir, "m.yml"), "models:\n  bike:\n    monitor: { window: 1w }\n");
    await writeFile(join(dir, "m.json"), '\uFEFF{ "models": { "bike": { "monitor": { "window": "1w" } } } }');
    const yaml = await loadConfig(join(dir, "m.yml"));
    const json = await loadConfig(join(dir, "m.json"));
    assert.deepEqual(json, yaml);
    assert.equal(resolveModelConfig(yaml, "bike").monitor.window, 604_800_000);
  });

  it("INPUT_NOT_FOUND for a missing file or a directory", async () => {
    await assert.rejects(loadConfig(join(dir, "absent.yaml")), (error) => {
      assert.ok(isTikTokToeError(error, "INPUT_NOT_FOUND"));
      assert.match(error.message, /does not exist/);
      assert.equal(error.location.file, join(dir, "absent.yaml"));
      return true;
    });
    await mkdir(join(dir, "folder.yaml"));
    await assert.rejects(loadConfig(join(dir, "folder.yaml")), (error) => {
      assert.ok(isTikTokToeError(error, "INPUT_NOT_FOUND"));
      assert.match(error.message, /is a directory/);
      return true;
    });
  });

  it("INPUT_FORMAT for another extension", async () => {
    await assert.rejects(loadConfig(join(dir, "m.toml")), (error) => isTikTokToeError(error, "INPUT_FORMAT"));
  });

  it("CONFIG_INVALID listing every problem with the file's name", async () => {
    const file = join(dir, "bad.yaml");
    await writeFile(file, "monitor:\n  window: 1y\n  min_sample: 3\n");
    await assert.rejects(loadConfig(file), (error) => {
      assert.ok(isTikTokToeError(error, "CONFIG_INVALID"));
      assert.equal(error.location.file, file);
      assert.match(error.message, /2 problems/);
      assert.match(error.message, /2:11 monitor\.window: unknown unit "y"/);
      assert.match(
        error.message,
        /3:3 monitor\.min_sample: unknown key "min_sample"; did you mean "min_samples"\?/,
      );
      return true;
    });
  });

  it("prints the example of docs/configuration.md exactly as documented", async () => {
    const doc = readFileSync(repoPath("docs", "configuration.md"), "utf8");
    const [file, output] = [...doc.matchAll(/```text\n([\s\S]*?)```/g)].map((m) => m[1]!);
    assert.ok(file !== undefined && output !== undefined);
    await writeFile(join(dir, "monitor.yaml"), file);
    await assert.rejects(loadConfig(join(dir, "monitor.yaml")), (error) => {
      assert.ok(isTikTokToeError(error));
      const printed = `error ${error.code}: ${error.describe()}\n`.replaceAll(`${dir}/`, "");
      assert.equal(printed, output);
      return true;
    });
  });
});
