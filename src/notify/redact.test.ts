import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseRetryAfter } from "./http.js";
import { notificationSeverity, notificationTitle } from "./notification.js";
import { sampleAlert, sampleNotification } from "./receivers.test.helpers.js";
import { endpointName, redact, redacted } from "./redact.js";
import { truncate } from "./text.js";

describe("redact", () => {
  test("removes the given secrets, their URL-encoded spellings and the parts of secret URLs", () => {
    const url = "https://hooks.example.org/services/T0AAA/B0BBB/TokenTokenToken42?sig=abc";
    assert.equal(redact(`POST ${url} failed`, [url]), `POST ${redacted} failed`);
    assert.equal(redact("got /services/T0AAA/B0BBB/TokenTokenToken42?sig=abc", [url]), `got ${redacted}`);
    assert.equal(redact("token TokenTokenToken42 rejected", [url]), `token ${redacted} rejected`);
    assert.equal(redact("key a+b/c=d here", ["a+b/c=d"]), `key ${redacted} here`);
    assert.equal(redact("key a%2Bb%2Fc%3Dd here", ["a+b/c=d"]), `key ${redacted} here`);
    assert.equal(redact("abc stays", ["abc"]), "abc stays", "secrets under 4 characters are ignored");
  });

  test("removes credentials in their usual places even when not listed", () => {
    assert.equal(redact("smtp://alerts:hunter22@mail:587 refused"), `smtp://${redacted}@mail:587 refused`);
    assert.equal(
      redact("POST https://hooks.slack.com/services/T0/B0/xyz failed"),
      `POST https://hooks.slack.com/${redacted} failed`,
    );
    assert.equal(
      redact("GET https://x.example.org/a?token=s3cr3t&page=2&api_key=k"),
      `GET https://x.example.org/a?token=${redacted}&page=2&api_key=${redacted}`,
    );
    assert.equal(redact("Authorization: Bearer eyJhbGciOi.J9.x-y"), `Authorization: Bearer ${redacted}`);
    assert.equal(redact("nothing secret here"), "nothing secret here");
  });

  test("endpointName keeps the origin only", () => {
    assert.equal(endpointName("https://hooks.slack.com/services/T0/B0/xyz"), "https://hooks.slack.com");
    assert.equal(endpointName("http://user:pw@127.0.0.1:9093/api"), "http://127.0.0.1:9093");
    assert.equal(endpointName("not a url secret"), "(invalid URL)");
  });
});

describe("helpers", () => {
  test("Retry-After in seconds or as an HTTP date", () => {
    const now = Date.parse("2015-10-21T07:27:00Z");
    assert.equal(parseRetryAfter("30", now), 30_000);
    assert.equal(parseRetryAfter(" 1.5 ", now), 1_500);
    assert.equal(parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", now), 60_000);
    assert.equal(parseRetryAfter("Wed, 21 Oct 2015 07:00:00 GMT", now), 0);
    assert.equal(parseRetryAfter("soon", now), undefined);
    assert.equal(parseRetryAfter("-5", now), undefined);
    assert.equal(parseRetryAfter(null, now), undefined);
  });

  test("titles in Alertmanager's style", () => {
    assert.equal(notificationTitle(sampleNotification()), "[FIRING:2] critical bike");
    const grouped = sampleNotification({
      groupLabels: { model: "bike", alertname: "ModelQualityLow" },
      commonLabels: { model: "bike", alertname: "ModelQualityLow", version: "3", severity: "critical" },
      alerts: [sampleAlert()],
    });
    assert.equal(notificationTitle(grouped), "[FIRING:1] critical bike ModelQualityLow (3)");
    assert.equal(notificationSeverity(sampleNotification({ alerts: [] })), undefined);
  });

  test("truncate cuts on lines, never inside a character or an entity", () => {
    assert.equal(truncate("line one\nline two\nline three", 22, "\n…"), "line one\nline two\n…");
    assert.equal(truncate("short", 100), "short");
    assert.equal(truncate("ab😀cd", 4, "…"), "ab…");
    assert.equal(truncate("a &amp; b", 6, "…"), "a …");
    assert.equal(truncate("x".repeat(50), 10, "…").length, 10);
  });
});
