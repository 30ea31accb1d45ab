import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseConfig } from "./parse.js";

describe("the store section", () => {
  it("defaults to the embedded SQLite store: no URL, 8 connections, daily partitions", () => {
    const result = parseConfig("");
    assert.ok(result.ok);
    assert.deepEqual(result.config.store, { url: null, pool_size: 8, partition: 86_400_000 });
  });

  it("takes a PostgreSQL URL with a schema, a pool size and a partition width", () => {
    const result = parseConfig(
      "store:\n  url: postgres://tiktoktoe@db.internal:5432/tt?schema=prod\n  pool_size: 16\n  partition: 1w\n",
    );
    assert.ok(result.ok, JSON.stringify(result));
    assert.deepEqual(result.config.store, {
      url: "postgres://tiktoktoe@db.internal:5432/tt?schema=prod",
      pool_size: 16,
      partition: 7 * 86_400_000,
    });
  });

  it("reports every bad key at once, with its line", () => {
    const result = parseConfig("store:\n  url: mysql://db/x\n  pool_size: 0\n  partition: 10s\n  pool: 3\n");
    assert.equal(result.ok, false);
    const found = result.ok ? [] : result.problems.map((p) => [p.path, p.line, p.message]);
    assert.deepEqual(
      found.map(([path, line]) => [path, line]),
      [
        ["store.url", 2],
        ["store.pool_size", 3],
        ["store.partition", 4],
        ["store.pool", 5],
      ],
    );
    assert.match(String(found[0]![2]), /mysql:/);
    assert.match(String(found[2]![2]), /at least 1m/);
    assert.equal(
      parseConfig("store:\n  url: postgres://h/db?schema=Bad-Name\n").ok,
      false,
      "a schema name that would need quoting",
    );
  });
});
