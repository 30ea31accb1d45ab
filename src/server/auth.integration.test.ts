import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { openapi } from "./openapi.js";
import { startServer } from "./start.js";

const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-auth-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("tokens with scopes: 401 without a token, 403 without the scope, admin does everything", async () => {
  writeFileSync(join(dir, "tokens.txt"), "# token scopes\ning-1 ingest\nread-1 read\nadm-1 admin\n");
  const server = await startServer({
    port: 0,
    dataDir: join(dir, "data"),
    tokensFile: join(dir, "tokens.txt"),
  });
  const call = (method: string, path: string, token?: string, body?: string) =>
    fetch(`${server.url}${path}`, {
      method,
      headers: {
        "content-type": "application/json",
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      },
      ...(body === undefined ? {} : { body }),
    });
  try {
    const model = JSON.stringify({
      name: "m",
      task: "regression",
      features: [{ name: "x", type: "numeric" }],
    });
    const anonymous = await call("POST", "/v1/models", undefined, model);
    assert.equal(anonymous.status, 401);
    assert.equal(((await anonymous.json()) as { code: string }).code, "UNAUTHORIZED");
    assert.equal((await call("POST", "/v1/models", "wrong", model)).status, 401);
    const ingestOnly = await call("POST", "/v1/models", "ing-1", model);
    assert.equal(ingestOnly.status, 403);
    assert.equal(((await ingestOnly.json()) as { code: string }).code, "FORBIDDEN");
    assert.equal((await call("POST", "/v1/models", "adm-1", model)).status, 201);
    assert.equal((await call("GET", "/v1/models", "read-1")).status, 200);
    assert.equal((await call("GET", "/v1/models", "ing-1")).status, 403);
    assert.equal((await call("GET", "/metrics")).status, 401);
    assert.equal((await call("GET", "/healthz")).status, 200, "health checks need no token");
  } finally {
    await server.close();
  }
});

test("listening beyond loopback without tokens is refused at start-up", async () => {
  await assert.rejects(startServer({ port: 0, host: "0.0.0.0", dataDir: join(dir, "open") }), {
    code: "USAGE",
    message: /needs --tokens/,
  });
});

test("unknown paths are 404 and wrong methods 405 with Allow; every route is in /openapi.json", async () => {
  const server = await startServer({ port: 0, dataDir: join(dir, "routes") });
  try {
    const missing = await fetch(`${server.url}/v2/nothing`);
    assert.equal(missing.status, 404);
    const wrong = await fetch(`${server.url}/v1/models`, { method: "DELETE" });
    assert.equal(wrong.status, 405);
    assert.match(wrong.headers.get("allow") ?? "", /GET/);
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as typeof openapi;
    const routes = [
      ["get", "/healthz"],
      ["get", "/readyz"],
      ["get", "/metrics"],
      ["get", "/openapi.json"],
      ["get", "/v1/models"],
      ["post", "/v1/models"],
      ["get", "/v1/models/{model}"],
      ["get", "/v1/models/{model}/versions"],
      ["post", "/v1/models/{model}/versions"],
      ["put", "/v1/models/{model}/versions/{version}/reference"],
      ["post", "/v1/models/{model}/events"],
      ["post", "/v1/models/{model}/labels"],
      ["get", "/v1/models/{model}/windows"],
      ["get", "/v1/models/{model}/windows/{start}/drift"],
      ["get", "/v1/models/{model}/windows/{start}/importance"],
      ["get", "/v1/models/{model}/series"],
      ["get", "/v1/overview"],
      ["get", "/v1/models/{model}/reports"],
      ["get", "/v1/models/{model}/reports/{id}"],
      ["get", "/v1/resources"],
      ["get", "/v1/stream"],
    ];
    for (const [method, path] of routes)
      assert.ok(
        (doc.paths as Record<string, Record<string, unknown>>)[path!]?.[method!],
        `${method} ${path} is described`,
      );
  } finally {
    await server.close();
  }
});

test("a port in use is a usage error naming --port, and the store is closed again", async () => {
  const first = await startServer({ port: 0, dataDir: join(dir, "port-a") });
  try {
    const port = Number(new URL(first.url).port);
    await assert.rejects(startServer({ port, dataDir: join(dir, "port-b") }), {
      code: "USAGE",
      message: /cannot listen on 127\.0\.0\.1:\d+ \(EADDRINUSE\)/,
    });
  } finally {
    await first.close();
  }
});
