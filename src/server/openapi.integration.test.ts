import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { promisify } from "node:util";
import SwaggerParser from "@apidevtools/swagger-parser";
import { repoPath } from "../testing/paths.js";
import { startServer } from "./start.js";

const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-openapi-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The document as served, fetched from a running server. */
async function served(): Promise<Record<string, unknown>> {
  const server = await startServer({ port: 0, dataDir: join(dir, "data") });
  try {
    return (await (await fetch(`${server.url}/openapi.json`)).json()) as Record<string, unknown>;
  } finally {
    await server.close();
  }
}

test("the served /openapi.json passes @redocly/cli lint (recommended rules, redocly.yaml) with 0 errors and 0 warnings", async () => {
  const file = join(dir, "openapi.json");
  writeFileSync(file, JSON.stringify(await served()));
  const lint = promisify(execFile)(
    repoPath("node_modules", ".bin", "redocly"),
    ["lint", file, "--config", repoPath("redocly.yaml"), "--format", "json"],
    { cwd: repoPath(), maxBuffer: 16 * 2 ** 20 },
  );
  const { stdout } = await lint.catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? "" }));
  const report = JSON.parse(stdout) as { totals: { errors: number; warnings: number }; problems: unknown[] };
  assert.deepEqual(report.totals.errors, 0, JSON.stringify(report.problems, null, 1).slice(0, 4000));
  assert.deepEqual(report.totals.warnings, 0, JSON.stringify(report.problems, null, 1).slice(0, 4000));
});

test("the served /openapi.json is a valid OpenAPI 3.1 document for swagger-parser, every $ref resolved", async () => {
  const doc = await served();
  const api = (await SwaggerParser.validate(structuredClone(doc) as never)) as {
    openapi: string;
    paths: object;
  };
  assert.equal(api.openapi, "3.1.0");
  assert.ok(Object.keys(api.paths).length >= 20);
  assert.ok((doc.servers as unknown[]).length > 0);
});
