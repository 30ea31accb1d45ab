import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";
import { openLocalChangeBus, openSqliteStore } from "../store/index.js";
import { LoginSessions, MAX_SESSIONS } from "./login-sessions.js";

const HOUR = 3_600_000;

test("sessions on one store: a login on one instance is valid on another, a revocation ends it on both, a restart keeps the live ones only", async () => {
  const store = await openSqliteStore({ file: ":memory:" });
  const scope = randomUUID();
  let now = 1_000_000;
  const clock = () => now;
  const busA = openLocalChangeBus(scope);
  const busB = openLocalChangeBus(scope);
  try {
    const a = await LoginSessions.open<string>({ store, bus: busA, now: clock });
    const b = await LoginSessions.open<string>({ store, bus: busB, now: clock });
    const kept = await a.create(new Set(["read"]), now, 2 * HOUR);
    const ended = await a.create(new Set(["admin"]), now, 2 * HOUR);
    const short = await b.create(new Set(["read"]), now, HOUR);
    await busB.sync();
    assert.deepEqual([...(b.find(kept, now) ?? [])], ["read"]);
    assert.deepEqual([...(a.find(short, now) ?? [])], ["read"]);
    assert.equal(b.find("not-a-session", now), undefined);
    await b.revoke(ended);
    await busA.sync();
    assert.equal(a.find(ended, now), undefined, "ended on the other instance");
    // The id itself is nowhere in the store: only its hash.
    const docs = await store.listDocuments(
      "login-sessions",
      Number.NEGATIVE_INFINITY,
      Number.POSITIVE_INFINITY,
      10,
    );
    assert.equal(docs.length, 3);
    for (const doc of docs)
      for (const id of [kept, ended, short]) assert.ok(!`${doc.key}${doc.body}`.includes(id));
    // A restart an hour and a half later: the ended and the expired sessions are gone.
    now += 1.5 * HOUR;
    const restarted = await LoginSessions.open<string>({ store, now: clock });
    assert.equal(restarted.size, 1);
    assert.deepEqual([...(restarted.find(kept, now) ?? [])], ["read"]);
    assert.equal(restarted.find(short, now), undefined);
    assert.equal(restarted.find(ended, now), undefined);
  } finally {
    await busA.close();
    await busB.close();
    await store.close();
  }
});

test("the cap holds across the store: past it the oldest session ends, and a restart loads at most the cap", async () => {
  const store = await openSqliteStore({ file: ":memory:" });
  try {
    const sessions = await LoginSessions.open<string>({ store, now: () => 0 });
    const first = await sessions.create(new Set(["read"]), 0, HOUR);
    for (let i = 0; i < MAX_SESSIONS + 20; i++) await sessions.create(new Set(["read"]), 0, HOUR);
    assert.equal(sessions.size, MAX_SESSIONS);
    assert.equal(sessions.find(first, 0), undefined);
    const restarted = await LoginSessions.open<string>({ store, now: () => 0 });
    assert.equal(restarted.size, MAX_SESSIONS);
    assert.equal(restarted.find(first, 0), undefined);
  } finally {
    await store.close();
  }
});
