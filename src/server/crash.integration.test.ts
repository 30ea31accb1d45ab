import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { exited, spawnServe } from "../testing/serve-process.js";

const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-crash-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const serve = () => spawnServe(["--data-dir", dir, "--port", "0", "--clock", "event"]);

const post = (url: string, path: string, body: string, type = "application/json") =>
  fetch(`${url}${path}`, { method: "POST", headers: { "content-type": type }, body });

test("kill -9 while ingesting: every acknowledged event is there after a restart, none twice", async (t) => {
  let { child, url } = await serve();
  await post(
    url,
    "/v1/models",
    JSON.stringify({ name: "m", task: "regression", features: [{ name: "x", type: "numeric" }] }),
  );
  await post(url, "/v1/models/m/versions", JSON.stringify({ version: "1" }));
  const acknowledged: string[] = [];
  const batch = (b: number) =>
    Array.from({ length: 500 }, (_, i) =>
      JSON.stringify({
        id: `b${b}-${i}`,
        time: 1_700_000_000_000 + (b * 500 + i) * 10,
        version: "1",
        features: { x: i },
        prediction: i,
      }),
    ).join("\n");
  // Fire 40 batches at once and kill the server while they are being answered.
  const requests = Array.from({ length: 40 }, (_, b) =>
    post(url, "/v1/models/m/events", batch(b), "application/x-ndjson").then(
      async (response) => {
        if (response.status === 200) for (let i = 0; i < 500; i++) acknowledged.push(`b${b}-${i}`);
        await response.text();
      },
      () => {}, // connection reset by the kill: not acknowledged
    ),
  );
  await new Promise((resolve) => setTimeout(resolve, 150));
  child.kill("SIGKILL");
  await Promise.all(requests);
  await exited(child);
  assert.ok(acknowledged.length > 0, "some batches were acknowledged before the kill");
  t.diagnostic(`acknowledged ${acknowledged.length} of 20000 events before the kill`);

  ({ child, url } = await serve());
  try {
    const windows = (await (await fetch(`${url}/v1/models/m/windows`)).json()) as {
      windows: Array<{ events: number }>;
    };
    const stored = windows.windows.reduce((sum, w) => sum + w.events, 0);
    assert.ok(stored >= acknowledged.length, `stored ${stored} < acknowledged ${acknowledged.length}`);
    // Every acknowledged id is stored: resending them finds only duplicates.
    const ids = new Set(acknowledged);
    const resend = [...ids].map((id) => {
      const [b, i] = id.slice(1).split("-").map(Number);
      return JSON.stringify({
        id,
        time: 1_700_000_000_000 + (b! * 500 + i!) * 10,
        version: "1",
        features: { x: i },
        prediction: i,
      });
    });
    const answer = (await (
      await post(url, "/v1/models/m/events", resend.join("\n"), "application/x-ndjson")
    ).json()) as Record<string, unknown>;
    assert.deepEqual(answer, { accepted: 0, duplicates: ids.size });
    // Nothing counted twice: the stored count equals the distinct ids the log holds.
    assert.equal(stored % 500, 0, "batches are all-or-nothing");
  } finally {
    child.kill("SIGTERM");
    await exited(child);
  }
});
