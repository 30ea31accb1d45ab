import assert from "node:assert/strict";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { TikTokToeError } from "../../errors/index.js";
import { MAX_ERROR_BYTES, sendError } from "./respond.js";

/** Answers one request with `answer` and returns the status and body the client got (or "closed"). */
async function roundTrip(
  answer: (response: import("node:http").ServerResponse) => void,
): Promise<{ status: number; body: string } | "closed"> {
  const server = createServer((_request, response) => answer(response));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const { port } = server.address() as AddressInfo;
    return await new Promise((resolve) => {
      const req = request({ port, host: "127.0.0.1", path: "/" }, (res) => {
        let body = "";
        res.on("data", (c: Buffer) => {
          body += c.toString();
        });
        res.on("end", () => resolve({ status: res.statusCode!, body }));
        res.on("error", () => resolve("closed"));
      });
      req.on("error", () => resolve("closed"));
      req.end();
    });
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

test("an error with huge problems is cut to the byte bound and says so", async () => {
  const problems = Array.from({ length: 100_000 }, (_, i) => ({
    line: i + 1,
    field: "",
    code: "x",
    message: "bad",
  }));
  const result = await roundTrip((response) =>
    sendError(response, new TikTokToeError("INGEST_INVALID", "bad", { problems }), () => {}),
  );
  assert.notEqual(result, "closed");
  if (result === "closed") return;
  assert.equal(result.status, 400);
  assert.ok(result.body.length <= MAX_ERROR_BYTES, `${result.body.length} bytes`);
  const body = JSON.parse(result.body) as { problems: unknown[]; problems_truncated: boolean };
  assert.ok(body.problems.length > 100 && body.problems.length < 100_000);
  assert.equal(body.problems_truncated, true);
});

test("an answer that cannot be serialised, or a logger that throws, never escapes sendError", async () => {
  const logged: unknown[] = [];
  // A BigInt makes JSON.stringify throw.
  const unserialisable = new TikTokToeError("INGEST_INVALID", "bad", { problems: [{ n: 1n }] });
  const result = await roundTrip((response) => {
    assert.doesNotThrow(() => sendError(response, unserialisable, (e) => logged.push(e)));
  });
  assert.equal(result, "closed");
  assert.equal(logged.length, 1);
  const internal = await roundTrip((response) => {
    assert.doesNotThrow(() =>
      sendError(response, new Error("bug"), () => {
        throw new Error("the logger is broken too");
      }),
    );
  });
  assert.notEqual(internal, "closed");
  if (internal !== "closed") assert.equal(internal.status, 500);
});
