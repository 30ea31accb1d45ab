// Inputs tried as an attacker would (issue #10), each against a spawned `tiktoktoe serve`: after every
// one the server must still be up, its answer a bounded 4xx with a stable code, and nothing stored.
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { gzipSync } from "node:zlib";
import { repoPath } from "../testing/paths.js";
import { exited, spawnServe } from "../testing/serve-process.js";

const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-hostile-"));
let child: ChildProcess;
let url: string;
let stderr = "";

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

/** One request through node:http, which (unlike fetch) lets a test set Host and send any body. */
function send(
  method: string,
  path: string,
  body: Buffer | string | null,
  headers: Record<string, string> = {},
  base = url,
): Promise<Answer> {
  const target = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: target.hostname, port: target.port, method, path, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode!, headers: res.headers, text: Buffer.concat(chunks).toString() }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body ?? undefined);
  });
}

const json = (method: string, path: string, body: unknown) =>
  send(method, path, JSON.stringify(body), { "content-type": "application/json" });
const ndjson = (path: string, lines: readonly unknown[]) =>
  send("POST", path, lines.map((l) => JSON.stringify(l)).join("\n"), {
    "content-type": "application/x-ndjson",
  });

async function assertUp(): Promise<void> {
  const health = await send("GET", "/healthz", null);
  assert.equal(health.status, 200, "the server still answers /healthz");
}

function errorOf(answer: Answer): {
  code: string;
  message: string;
  location: { path?: string };
  problems?: Array<{ line: number; field: string; code: string }>;
  problems_truncated?: boolean;
} {
  return JSON.parse(answer.text);
}

const T0 = Date.UTC(2026, 0, 5);
const event = (id: string, time: unknown, extra: Record<string, unknown> = {}) => ({
  id,
  time,
  version: "1",
  features: { x: 1, plan: "a" },
  prediction: 1,
  ...extra,
});

before(async () => {
  ({ child, url } = await spawnServe(["--data-dir", join(dir, "data"), "--port", "0", "--clock", "event"], {
    stderr: "pipe",
  }));
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  assert.equal(
    (
      await json("POST", "/v1/models", {
        name: "m",
        task: "regression",
        features: [
          { name: "x", type: "numeric" },
          { name: "plan", type: "categorical" },
        ],
      })
    ).status,
    201,
  );
  assert.equal((await json("POST", "/v1/models/m/versions", { version: "1" })).status, 201);
  assert.equal((await ndjson("/v1/models/m/events", [event("first", T0)])).status, 200);
});

after(async () => {
  child.kill("SIGKILL");
  await exited(child);
  rmSync(dir, { recursive: true, force: true });
});

describe("a body of millions of bad lines", () => {
  // ~12 KB on the wire, 12 MiB once inflated: 6 Mi lines of `1`.
  const bomb = gzipSync(Buffer.from("1\n".repeat(6 * 2 ** 20)), { level: 9 });

  for (const path of ["/v1/models/m/events", "/v1/models/m/labels"])
    test(`to ${path} is a bounded 400 listing the first problems, and the server stays up`, async () => {
      assert.ok(bomb.length < 64 * 1024, `the request is small (${bomb.length} bytes)`);
      const answer = await send("POST", path, bomb, {
        "content-type": "application/x-ndjson",
        "content-encoding": "gzip",
      });
      assert.equal(answer.status, 400);
      assert.ok(answer.text.length <= 64 * 1024, `answer of ${answer.text.length} bytes`);
      const error = errorOf(answer);
      assert.equal(error.code, "INGEST_INVALID");
      assert.equal(error.problems!.length, 100);
      assert.equal(error.problems_truncated, true);
      assert.deepEqual(
        error.problems!.slice(0, 2).map((p) => [p.line, p.code]),
        [
          [1, "not_an_object"],
          [2, "not_an_object"],
        ],
      );
      await assertUp();
    });
});

describe("times", () => {
  for (const [label, time] of [
    ["1e20", 1e20],
    ["-1e20", -1e20],
    ["8640000000000001", 8640000000000001],
    ["microseconds since the epoch", T0 * 1000],
    ["seconds since the epoch before 1970 ends", -1],
  ] as const)
    test(`an event at ${label} is a 400 naming the field; the model still answers`, async () => {
      const answer = await ndjson("/v1/models/m/events", [event(`t-${label}`, time)]);
      assert.equal(answer.status, 400, answer.text);
      const error = errorOf(answer);
      assert.equal(error.code, "INGEST_INVALID");
      assert.deepEqual(
        error.problems!.map((p) => [p.field, p.code]),
        [["time", "out_of_range"]],
      );
      assert.equal((await send("GET", "/v1/models/m/windows", null)).status, 200);
      assert.equal((await send("GET", "/v1/overview", null)).status, 200);
    });

  test("a label at 1e20 is a 400 naming its field", async () => {
    const answer = await json("POST", "/v1/models/m/labels", [{ id: "first", value: 1, time: 1e20 }]);
    assert.equal(answer.status, 400);
    assert.deepEqual(
      errorOf(answer).problems!.map((p) => [p.field, p.code]),
      [["time", "out_of_range"]],
    );
  });

  test("one event cannot move the event clock beyond the bound: a year ahead is in_future, later real events are accepted", async () => {
    const ahead = await ndjson("/v1/models/m/events", [event("year-ahead", T0 + 365 * 86_400_000)]);
    assert.equal(ahead.status, 400);
    assert.deepEqual(
      errorOf(ahead).problems!.map((p) => [p.field, p.code]),
      [["time", "in_future"]],
    );
    const real = await ndjson("/v1/models/m/events", [event("real", T0 + 60_000)]);
    assert.equal(real.status, 200, real.text);
  });

  test("query times beyond the range of dates are a 400 naming the parameter", async () => {
    for (const query of ["from=-100000000000000000000", "to=8640000000000001"]) {
      const answer = await send("GET", `/v1/models/m/windows?${query}`, null);
      assert.equal(answer.status, 400, query);
      assert.equal(errorOf(answer).location.path, query.split("=")[0]);
    }
  });
});

describe("malformed requests", () => {
  test("malformed percent-encoding in a path is a 400", async () => {
    for (const path of ["/v1/models/%/windows", "/v1/models/%E0%A4%A/windows", "/v1/models/%zz"]) {
      const answer = await send("GET", path, null);
      assert.equal(answer.status, 400, path);
      assert.equal(errorOf(answer).code, "REQUEST_INVALID");
    }
  });

  test("a version's meta nested very deep is a 400, and nothing is registered", async () => {
    const depth = 100_000;
    const body = `{"version":"deep","meta":${'{"a":'.repeat(depth)}1${"}".repeat(depth)}}`;
    const answer = await send("POST", "/v1/models/m/versions", body, { "content-type": "application/json" });
    assert.equal(answer.status, 400);
    assert.equal(errorOf(answer).code, "REQUEST_INVALID");
    const versions = JSON.parse((await send("GET", "/v1/models/m/versions", null)).text) as {
      versions: Array<{ version: string }>;
    };
    assert.ok(!versions.versions.some((v) => v.version === "deep"));
  });

  test("an ONNX upload that is not base64, empty, truncated or not a model is a 400; nothing is stored", async () => {
    const model = readFileSync(repoPath("models", "breast_cancer_mlp.onnx"));
    const cases: Array<[string, unknown]> = [
      ["not base64", "this is not base64!"],
      ["empty", ""],
      ["truncated", model.subarray(0, Math.floor(model.length / 2)).toString("base64")],
      ["protobuf that is not a model", Buffer.from([0x08, 0x96, 0x01]).toString("base64")],
      ["a number", 42],
    ];
    for (const [i, [label, onnx]] of cases.entries()) {
      const answer = await json("POST", "/v1/models/m/versions", { version: `bad${i}`, onnx });
      assert.equal(answer.status, 400, `${label}: ${answer.text}`);
      const error = errorOf(answer);
      assert.equal(error.code, "ONNX_INVALID", label);
      assert.equal(error.location.path, "onnx", label);
    }
    const versions = JSON.parse((await send("GET", "/v1/models/m/versions", null)).text) as {
      versions: Array<{ version: string }>;
    };
    assert.deepEqual(
      versions.versions.map((v) => v.version).filter((v) => v.startsWith("bad")),
      [],
    );
    const good = await json("POST", "/v1/models/m/versions", {
      version: "onnx-ok",
      onnx: model.toString("base64"),
    });
    assert.equal(good.status, 201, good.text);
  });

  test("a feature named in parentheses (the prediction's name space) is refused at registration", async () => {
    const answer = await json("POST", "/v1/models", {
      name: "reserved",
      task: "binary",
      classes: ["a", "b"],
      features: [{ name: "(prediction)", type: "categorical" }],
    });
    assert.equal(answer.status, 400);
    assert.equal(errorOf(answer).location.path, "features[0].name");
  });
});

describe("without tokens, only loopback host names (DNS rebinding)", () => {
  test("a request for another host name is refused", async () => {
    for (const host of ["rebound.example", "rebound.example:80", "127.0.0.1.nip.example", "10.0.0.1"]) {
      const answer = await send("GET", "/v1/models", null, { host });
      assert.equal(answer.status, 403, host);
      assert.equal(errorOf(answer).code, "HOST_NOT_ALLOWED");
    }
  });

  test("loopback names are served", async () => {
    const port = new URL(url).port;
    for (const host of [
      `127.0.0.1:${port}`,
      `localhost:${port}`,
      "localhost",
      "127.0.0.2",
      "app.localhost",
    ]) {
      const answer = await send("GET", "/v1/models", null, { host });
      assert.equal(answer.status, 200, host);
    }
  });
});

describe("/login's next", () => {
  for (const next of [
    "/%09/evil.example/phish",
    "/%0d%0aSet-Cookie:%20x=1",
    "//evil.example",
    "/\\evil.example",
    "https://evil.example/",
  ])
    test(`${next} redirects to a same-origin path`, async () => {
      const answer = await send("GET", `/login?next=${next}`, null);
      assert.equal(answer.status, 303);
      const location = String(answer.headers.location);
      assert.match(location, /^\/(?![/\\])/);
      assert.ok(![...location].some((c) => c.charCodeAt(0) < 0x20), location);
      assert.equal(new URL(location, "http://origin.test").origin, "http://origin.test");
    });

  test("a plain path is kept", async () => {
    const answer = await send("GET", "/login?next=%2Fmodels%2Fm%3Fversion%3D1", null);
    assert.equal(answer.headers.location, "/models/m?version=1");
  });
});

describe("slow and aborted uploads", () => {
  test("aborted uploads are not logged as internal errors", async () => {
    const before = stderr.length;
    for (let i = 0; i < 20; i++) {
      const socket = await openSocket();
      socket.write(
        "POST /v1/models/m/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-ndjson\r\nContent-Length: 100000\r\n\r\n",
      );
      socket.write("x".repeat(1000));
      await new Promise((resolve) => setTimeout(resolve, 5));
      socket.destroy();
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    await assertUp();
    const logged = stderr.slice(before);
    assert.doesNotMatch(logged, /INTERNAL|Error: aborted|ECONNRESET|at \S+ \(/, logged.slice(0, 500));
  });

  test("past the bound of concurrent uploads a request is answered 503 at once, and /healthz still is", async () => {
    const held: Socket[] = [];
    try {
      for (let i = 0; i < 64; i++) {
        const socket = await openSocket();
        socket.write(
          "POST /v1/models/m/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-ndjson\r\nContent-Length: 100000\r\n\r\n{",
        );
        held.push(socket);
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
      const answer = await ndjson("/v1/models/m/events", [event("busy", T0 + 120_000)]);
      assert.equal(answer.status, 503, answer.text);
      assert.equal(errorOf(answer).code, "SERVER_BUSY");
      assert.ok(Number(answer.headers["retry-after"]) > 0);
      await assertUp();
    } finally {
      for (const socket of held) socket.destroy();
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    const again = await ndjson("/v1/models/m/events", [event("after-busy", T0 + 120_000)]);
    assert.equal(again.status, 200, again.text);
  });
});

function openSocket(): Promise<Socket> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(target.port), target.hostname, () => resolve(socket));
    socket.on("error", reject);
  });
}

test("the server is still the same process after everything above", async () => {
  assert.equal(child.exitCode, null);
  assert.equal(child.signalCode, null);
  await assertUp();
  writeFileSync(join(dir, "stderr.log"), stderr);
});
