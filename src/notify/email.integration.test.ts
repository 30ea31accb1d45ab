import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { type AttemptRecord, deliver } from "./delivery.js";
import { buildEmail, EmailNotifier, smtpOutcome } from "./email.js";
import { deadUrl, resolvedNotification, sampleAlert, sampleNotification } from "./receivers.test.helpers.js";

// A real SMTP server (the `smtp-server` package) on 127.0.0.1, with login required, and the received
// message parsed by `mailparser`: what nodemailer sends is checked as a mail client would read it.
const user = "alerts";
const password = "hunter2-S3cret";
const fast = { initialDelayMs: 5, maxDelayMs: 20, random: () => 1 } as const;

interface Received {
  readonly mail: ParsedMail;
  readonly from: string;
  readonly to: string[];
}

const received: Received[] = [];
/** What the server answers to the next messages' DATA: a reply code to reject with, or "accept". */
const dataScript: Array<number | "accept"> = [];
let server: SMTPServer;
let port = 0;

function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

before(async () => {
  server = new SMTPServer({
    logger: false,
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    onAuth(auth, _session, callback) {
      if (auth.username === user && auth.password === password) callback(null, { user });
      else callback(smtpError(535, "5.7.8 Authentication credentials invalid"));
    },
    onRcptTo(address, _session, callback) {
      if (address.address.endsWith("@unknown.example.org"))
        callback(smtpError(550, "5.1.1 No such user here"));
      else callback();
    },
    onData(stream, session, callback) {
      const next = dataScript.shift() ?? "accept";
      simpleParser(stream).then(
        (mail) => {
          if (next !== "accept") {
            callback(
              smtpError(next, next < 500 ? "4.3.0 Try again later" : "5.7.1 Message rejected as spam"),
            );
            return;
          }
          const from = session.envelope.mailFrom === false ? "" : session.envelope.mailFrom.address;
          received.push({ mail, from, to: session.envelope.rcptTo.map((r) => r.address) });
          callback(null);
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.server.address() as AddressInfo).port;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const smtpUrl = () => `smtp://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}`;
const mailer = (smtp = smtpUrl(), to = ["oncall@example.org", "ml-team@example.org"]) =>
  new EmailNotifier({ name: "mail", smtp, from: "TikTokToe <tiktoktoe@example.org>", to, timeoutMs: 3_000 });

describe("EmailNotifier through a real SMTP server", () => {
  test("subject in Alertmanager's style, text and HTML bodies, envelope", async () => {
    const notifier = mailer();
    try {
      const seen = received.length;
      assert.deepEqual(await notifier.send(sampleNotification(), AbortSignal.timeout(5_000)), { ok: true });
      const { mail, from, to } = received[seen]!;
      assert.equal(mail.subject, "[FIRING:2] critical bike");
      assert.equal(from, "tiktoktoe@example.org");
      assert.deepEqual(to, ["oncall@example.org", "ml-team@example.org"]);
      assert.equal(mail.from?.value[0]?.name, "TikTokToe");
      assert.equal(
        mail.text,
        [
          "[FIRING:2] critical bike",
          "",
          "Severity: critical",
          "Model: bike",
          "Value: 91.2",
          "Threshold: 40",
          "Dashboard: http://127.0.0.1:8080",
          "",
          "Firing (2):",
          "- ModelQualityLow: MAE above threshold (value 91.2, threshold 40)",
          "  since 2026-11-27 10:00 UTC",
          "  labels: metric=mae, severity=critical",
          "  source: http://127.0.0.1:8080/models/bike/windows",
          "- ModelLatencyHigh: p99 latency above threshold (value 250ms, threshold 100ms)",
          "  since 2026-11-27 10:05 UTC",
          "  labels: metric=p99, severity=warning",
          "  source: http://127.0.0.1:8080/models/bike/windows",
          "",
          'Group: {}:{model="bike"}',
          "",
        ].join("\n"),
      );
      const html = String(mail.html);
      assert.match(html, /<h2 style="color:#b42318[^"]*">\[FIRING:2\] critical bike<\/h2>/);
      assert.match(html, /<th[^>]*>Severity<\/th><td>critical<\/td>/);
      assert.match(html, /<a href="http:\/\/127\.0\.0\.1:8080">Dashboard<\/a>/);
      assert.match(html, /<h3>Firing \(2\)<\/h3>/);
      assert.match(
        html,
        /<strong>ModelQualityLow: MAE above threshold \(value 91\.2, threshold 40\)<\/strong>/,
      );
      assert.match(html, /Group \{\}:\{model=&quot;bike&quot;\}/);
    } finally {
      await notifier.close();
    }
  });

  test("a resolved group says so; annotations are escaped in the HTML", async () => {
    const notifier = mailer();
    try {
      const seen = received.length;
      assert.deepEqual(await notifier.send(resolvedNotification(), AbortSignal.timeout(5_000)), { ok: true });
      const { mail } = received[seen]!;
      assert.equal(mail.subject, "[RESOLVED] critical bike");
      assert.match(mail.text ?? "", /Every alert of this group is resolved\./);
      assert.match(mail.text ?? "", /Resolved \(2\):/);
      assert.match(mail.text ?? "", /2026-11-27 10:00 UTC – 2026-11-27 11:00 UTC/);
    } finally {
      await notifier.close();
    }
    const html = buildEmail(
      sampleNotification({
        alerts: [sampleAlert({ annotations: { summary: `<script>alert("x")</script>` } })],
      }),
    ).html;
    assert.ok(!html.includes("<script>"));
    assert.match(html, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;/);
  });

  test("SMTP 451 (transient) is retried and then delivered; every attempt recorded", async () => {
    const notifier = mailer();
    const attempts: AttemptRecord[] = [];
    try {
      dataScript.push(451);
      const seen = received.length;
      const result = await deliver(notifier, sampleNotification(), {
        ...fast,
        onAttempt: (a) => attempts.push(a),
      });
      assert.equal(result.ok, true);
      assert.equal(result.attempts, 2);
      assert.equal(received.length - seen, 1);
      assert.deepEqual(attempts[0]!.outcome, {
        ok: false,
        retry: true,
        reason: "smtp_transient",
        status: 451,
        message: `smtp://127.0.0.1:${port} answered 451 4.3.0 Try again later`,
      });
      assert.deepEqual(attempts[1]!.outcome, { ok: true });
      assert.equal(attempts[0]!.kind, "email");
    } finally {
      await notifier.close();
    }
  });

  test("SMTP 550 (permanent) is not retried, at DATA or when every recipient is refused", async () => {
    const notifier = mailer();
    const refused = mailer(smtpUrl(), ["nobody@unknown.example.org"]);
    try {
      dataScript.push(550);
      const seen = received.length;
      const result = await deliver(notifier, sampleNotification(), fast);
      assert.ok(!result.ok);
      assert.equal(result.gaveUp, "permanent");
      assert.equal(result.attempts, 1);
      assert.equal(received.length, seen);
      assert.ok(
        !result.outcome.ok && result.outcome.reason === "smtp_permanent" && result.outcome.status === 550,
      );

      const rcpt = await deliver(refused, sampleNotification(), fast);
      assert.ok(!rcpt.ok && rcpt.gaveUp === "permanent" && rcpt.attempts === 1, JSON.stringify(rcpt));
      assert.ok(!rcpt.outcome.ok && rcpt.outcome.status === 550);
    } finally {
      await notifier.close();
      await refused.close();
    }
  });

  test("a wrong password is permanent; a refused connection is retryable; no credential in any outcome", async () => {
    const wrong = mailer(`smtp://${user}:WrongPassw0rd-xyz@127.0.0.1:${port}`);
    const dead = mailer(`smtp://${user}:${encodeURIComponent(password)}@${new URL(await deadUrl()).host}`);
    try {
      const denied = await wrong.send(sampleNotification(), AbortSignal.timeout(5_000));
      assert.ok(!denied.ok && !denied.retry && denied.reason === "smtp_permanent" && denied.status === 535);
      assert.ok(!JSON.stringify(denied).includes("WrongPassw0rd-xyz"), JSON.stringify(denied));
      const unreachable = await dead.send(sampleNotification(), AbortSignal.timeout(5_000));
      assert.ok(
        !unreachable.ok && unreachable.retry && unreachable.reason === "network",
        JSON.stringify(unreachable),
      );
      assert.ok(!JSON.stringify(unreachable).includes(password), JSON.stringify(unreachable));
      assert.match(unreachable.message, /^could not reach smtp:\/\/127\.0\.0\.1:\d+: /);
    } finally {
      await wrong.close();
      await dead.close();
    }
  });

  test("smtpOutcome maps nodemailer's failures without quoting secrets", () => {
    const secrets = ["s3cr3t-pass"];
    assert.deepEqual(
      smtpOutcome(
        Object.assign(new Error("Greeting never received"), { code: "ETIMEDOUT" }),
        "smtp://m:25",
        secrets,
      ),
      {
        ok: false,
        retry: true,
        reason: "timeout",
        message: "smtp://m:25 timed out: Greeting never received",
      },
    );
    const auth = smtpOutcome(
      Object.assign(new Error("Invalid login for s3cr3t-pass"), { code: "EAUTH" }),
      "smtp://m:25",
      secrets,
    );
    assert.ok(!auth.retry && auth.reason === "smtp_permanent" && !auth.message.includes("s3cr3t-pass"));
    const aborted = smtpOutcome(
      Object.assign(new Error("aborted"), { code: "EABORT" }),
      "smtp://m:25",
      secrets,
    );
    assert.ok(!aborted.retry && aborted.reason === "aborted");
  });
});
