// Issue #12: a full disk, for real. The real `tiktoktoe serve` keeps its SQLite file on a small tmpfs;
// one model's events fill it until the store refuses writes. The refusal must be a retryable
// STORE_UNAVAILABLE naming the cause, readiness must say not ready while liveness stays up; once
// space returns (a filler file beside the database is deleted) another model's events are accepted,
// and after a graceful restart every acknowledged event is counted in its window exactly once.
//
// Mounting needs root (or CAP_SYS_ADMIN); elsewhere the test skips, and durability.integration.test.ts
// covers the same promises with an injected store failure.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { exited, spawnServe } from "../testing/serve-process.js";

const T0 = Date.parse("2026-05-04T00:00:00Z");

/** Mounts a tmpfs of `size` on a new directory; undefined (and why) where that is not permitted. */
function mountTmpfs(size: string): { dir: string } | { skip: string } {
  if (process.getuid?.() !== 0)
    return { skip: "mounting a tmpfs needs root; the injected-failure test covers this" };
  const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-disk-full-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir], { stdio: "pipe" });
    return { dir };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    return { skip: `mount -t tmpfs is not permitted here (${(error as Error).message.split("\n")[0]})` };
  }
}

function unmount(dir: string): void {
  try {
    execFileSync("umount", [dir], { stdio: "pipe" });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A batch of `n` events of a model, times advancing 100 ms per event from `first` (an event index). */
const batch = (model: string, first: number, n: number) =>
  Array.from({ length: n }, (_, i) =>
    JSON.stringify({
      id: `${model}-${first + i}`,
      time: T0 + (first + i) * 100,
      version: "1",
      // Padding makes each event bigger, so the disk fills after fewer requests.
      features: { x: (first + i) % 97, note: `n${(first + i) % 13}`.padEnd(120, "_") },
      prediction: i % 5,
      latency_ms: 2,
    }),
  ).join("\n");

test("a full tmpfs: retryable STORE_UNAVAILABLE, not ready, and every acknowledged event once after space returns", async (t) => {
  const mounted = mountTmpfs("24m");
  if ("skip" in mounted) {
    t.skip(mounted.skip);
    return;
  }
  const data = join(mounted.dir, "data");
  mkdirSync(data);
  const config = join(tmpdir(), `tiktoktoe-disk-full-${process.pid}.yaml`);
  writeFileSync(config, "monitor: { window: 1h, lateness: 10m, min_samples: 1 }\n");
  const serve = () =>
    spawnServe(
      ["--data-dir", data, "--port", "0", "--clock", "event", "--config", config, "--log-level", "error"],
      {
        stderr: "pipe",
      },
    );
  let logged = "";
  const started = async () => {
    const running = await serve();
    running.child.stderr?.on("data", (chunk: Buffer) => {
      logged += chunk.toString();
    });
    return running;
  };
  let { child, url } = await started();
  try {
    const call = (method: string, path: string, body?: string, type = "application/json") =>
      fetch(`${url}${path}`, {
        method,
        headers: { "content-type": type },
        ...(body === undefined ? {} : { body }),
      });
    for (const model of ["a", "b"]) {
      const registered = await call(
        "POST",
        "/v1/models",
        JSON.stringify({
          name: model,
          task: "regression",
          features: [
            { name: "x", type: "numeric" },
            { name: "note", type: "categorical" },
          ],
        }),
      );
      assert.equal(registered.status, 201);
      assert.equal(
        (await call("POST", `/v1/models/${model}/versions`, JSON.stringify({ version: "1" }))).status,
        201,
      );
    }
    // The space to give back later: a file beside the database, created by this test.
    const filler = join(mounted.dir, "filler");
    writeFileSync(filler, Buffer.alloc(6 * 1024 * 1024, 1));

    const acknowledged = { a: 0, b: 0 };
    const sent = { a: 0, b: 0 };
    let refusal:
      | { status: number; retryAfter: string | null; body: { code: string; message: string; hint?: string } }
      | undefined;
    for (let i = 0; i < 2_000 && refusal === undefined; i++) {
      const answer = await call(
        "POST",
        "/v1/models/a/events",
        batch("a", sent.a, 500),
        "application/x-ndjson",
      );
      const text = await answer.text();
      if (answer.status === 200) {
        assert.deepEqual(JSON.parse(text), { accepted: 500, duplicates: 0 });
        acknowledged.a += 500;
        sent.a += 500;
      } else
        refusal = {
          status: answer.status,
          retryAfter: answer.headers.get("retry-after"),
          body: JSON.parse(text) as { code: string; message: string; hint?: string },
        };
    }
    assert.ok(refusal !== undefined, "the 24 MiB disk filled up");
    t.diagnostic(`the disk filled after ${acknowledged.a} acknowledged events: ${JSON.stringify(refusal)}`);
    assert.ok(refusal.status === 503 || refusal.status === 507, `status ${refusal.status}`);
    assert.equal(refusal.body.code, "STORE_UNAVAILABLE");
    assert.match(refusal.body.message, /disk is full/);
    assert.ok(Number(refusal.retryAfter) > 0, "Retry-After says when to retry");
    const ready = await call("GET", "/readyz");
    assert.equal(ready.status, 503);
    assert.equal(((await ready.json()) as { reason: string }).reason, "disk_full");
    assert.equal((await call("GET", "/healthz")).status, 200, "the process is alive");

    // The windows' writes fail too while the disk is full (the flush runs every 2 s): wait for one to
    // fail, at most ten flushes (a flush may still fit in pages SQLite has free; then it is not tested).
    for (let i = 0; i < 100 && !logged.includes("writing windows failed"); i++)
      await new Promise((resolve) => setTimeout(resolve, 200));
    t.diagnostic(
      logged.includes("writing windows failed")
        ? "a flush of the windows failed too while the disk was full"
        : "no flush failed while the disk was full (it fitted in free pages)",
    );

    // Space returns; the other model's events are accepted, and readiness comes back.
    rmSync(filler);
    for (let i = 0; i < 4; i++) {
      const answer = await call(
        "POST",
        "/v1/models/b/events",
        batch("b", sent.b, 500),
        "application/x-ndjson",
      );
      assert.equal(answer.status, 200, await answer.text());
      acknowledged.b += 500;
      sent.b += 500;
    }
    assert.equal((await call("GET", "/readyz")).status, 200, "ready once a write succeeds");

    // A graceful restart: every acknowledged event counted in its window, exactly once.
    child.kill("SIGTERM");
    await exited(child);
    assert.equal(child.exitCode, 0, "the server wrote its windows and stopped cleanly");
    ({ child, url } = await started());
    for (const model of ["a", "b"] as const) {
      const { windows } = (await (await call("GET", `/v1/models/${model}/windows`)).json()) as {
        windows: Array<{ events: number }>;
      };
      const counted = windows.reduce((sum, w) => sum + w.events, 0);
      assert.equal(counted, acknowledged[model], `model ${model}: windows count ${counted}`);
    }
    // And nothing acknowledged is lost from the index: a resend of the last acknowledged batch (still
    // within the lateness) finds duplicates only.
    const resent = await call(
      "POST",
      "/v1/models/a/events",
      batch("a", acknowledged.a - 500, 500),
      "application/x-ndjson",
    );
    assert.deepEqual(await resent.json(), { accepted: 0, duplicates: 500 });
  } finally {
    child.kill("SIGTERM");
    await exited(child);
    rmSync(config, { force: true });
    unmount(mounted.dir);
  }
});
