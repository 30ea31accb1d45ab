import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseConfig } from "./parse.js";
import { splitQueueUrl } from "./queue.js";

describe("the queue section", () => {
  it("defaults to no queue", () => {
    const result = parseConfig("");
    assert.ok(result.ok);
    assert.deepEqual(result.config.queue, {
      url: null,
      deployment: "default",
      ack_wait: 30_000,
      publish_timeout: 5_000,
      worker_nice: 10,
    });
  });

  it("takes a NATS URL, its ?deployment= when deployment is not written, and the timeouts", () => {
    const result = parseConfig(
      "queue:\n  url: nats://n1:4222?deployment=prod\n  ack_wait: 10s\n  publish_timeout: 2s\n  worker_nice: 0\n",
    );
    assert.ok(result.ok, JSON.stringify(result));
    assert.deepEqual(result.config.queue, {
      url: "nats://n1:4222?deployment=prod",
      deployment: "prod",
      ack_wait: 10_000,
      publish_timeout: 2_000,
      worker_nice: 0,
    });
    const written = parseConfig("queue:\n  url: nats://n1:4222?deployment=prod\n  deployment: other\n");
    assert.ok(written.ok);
    assert.equal(written.config.queue.deployment, "other");
  });

  it("reports every bad key at once, with its line", () => {
    const result = parseConfig(
      "queue:\n  url: http://n1:4222\n  deployment: 'a b'\n  ack_wait: 10ms\n  stream: x\n  worker_nice: 20\n",
    );
    assert.equal(result.ok, false);
    const found = result.ok ? [] : result.problems.map((p) => [p.path, p.line]);
    assert.deepEqual(found, [
      ["queue.url", 2],
      ["queue.deployment", 3],
      ["queue.ack_wait", 4],
      ["queue.stream", 5],
      ["queue.worker_nice", 6],
    ]);
    assert.equal(
      parseConfig("models:\n  m:\n    queue:\n      url: nats://n:4222\n").ok,
      false,
      "global only",
    );
  });

  it("splits the servers from the deployment", () => {
    assert.deepEqual(splitQueueUrl("nats://n1:4222?deployment=a,nats://n2:4222"), {
      servers: "nats://n1:4222,nats://n2:4222",
      deployment: "a",
    });
  });
});
