import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { startServer } from "./start.js";

const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-login-"));
after(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, "tokens.txt"), "read-1 read\n");

test("wrong bearer tokens: five answers 401, then 429 with Retry-After that grows; after it a right token works", async () => {
  let now = Date.UTC(2026, 0, 1);
  const server = await startServer({
    port: 0,
    dataDir: join(dir, "bearer"),
    tokensFile: join(dir, "tokens.txt"),
    now: () => now,
  });
  const get = (token: string) =>
    fetch(`${server.url}/v1/models`, { headers: { authorization: `Bearer ${token}` } });
  try {
    for (let i = 0; i < 6; i++) assert.equal((await get(`guess-${i}`)).status, 401);
    const locked = await get("read-1");
    assert.equal(locked.status, 429, "even the right token waits out the lockout");
    assert.equal(((await locked.json()) as { code: string }).code, "TOO_MANY_REQUESTS");
    assert.equal(locked.headers.get("retry-after"), "1");
    now += 1000;
    assert.equal((await get("guess-7")).status, 401);
    assert.equal((await get("guess-8")).headers.get("retry-after"), "2");
    now += 2000;
    assert.equal((await get("read-1")).status, 200);
    assert.equal((await get("guess-9")).status, 401, "the right token cleared the record");
  } finally {
    await server.close();
  }
});

test("the login form is throttled the same way", async () => {
  const server = await startServer({
    port: 0,
    dataDir: join(dir, "form"),
    tokensFile: join(dir, "tokens.txt"),
  });
  const login = (token: string) =>
    fetch(`${server.url}/login`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token, next: "/" }).toString(),
      redirect: "manual",
    });
  try {
    for (let i = 0; i < 6; i++) assert.equal((await login(`guess-${i}`)).status, 401);
    const locked = await login("read-1");
    assert.equal(locked.status, 429);
    assert.ok(Number(locked.headers.get("retry-after")) >= 1);
  } finally {
    await server.close();
  }
});

test("the session cookie is Secure behind an https external URL, and not on plain http", async () => {
  for (const [externalUrl, secure] of [
    ["https://monitor.example.com", true],
    [undefined, false],
  ] as const) {
    const server = await startServer({
      port: 0,
      dataDir: join(dir, `cookie-${secure}`),
      tokensFile: join(dir, "tokens.txt"),
      ...(externalUrl === undefined ? {} : { externalUrl }),
    });
    try {
      const answer = await fetch(`${server.url}/login`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "token=read-1&next=%2F",
        redirect: "manual",
      });
      assert.equal(answer.status, 303);
      const cookie = answer.headers.get("set-cookie") ?? "";
      assert.match(cookie, /HttpOnly/);
      assert.equal(/;\s*Secure/.test(cookie), secure, cookie);
    } finally {
      await server.close();
    }
  }
});

test("an external URL's host is accepted without tokens; other hosts are not", async () => {
  const server = await startServer({
    port: 0,
    dataDir: join(dir, "external"),
    externalUrl: "http://monitor.internal:9000",
  });
  try {
    const { request } = await import("node:http");
    const status = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const target = new URL(server.url);
        const req = request(
          { host: target.hostname, port: target.port, path: "/v1/models", headers: { host } },
          (res) => {
            res.resume();
            resolve(res.statusCode!);
          },
        );
        req.on("error", reject);
        req.end();
      });
    assert.equal(await status("monitor.internal:9000"), 200);
    assert.equal(await status("other.internal"), 403);
  } finally {
    await server.close();
  }
});

test("a bad --external-url is a usage error", async () => {
  await assert.rejects(
    startServer({ port: 0, dataDir: join(dir, "bad-url"), externalUrl: "monitor.example.com" }),
    {
      code: "USAGE",
    },
  );
});
