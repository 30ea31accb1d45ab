import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { seededRandom } from "../testing/random.js";
import { fingerprint, groupKey } from "./fingerprint.js";
import { goQuote, type Labels, labelSetString, normalizeLabels } from "./labels.js";

// Golden values from Debian's prometheus-alertmanager 0.25.0: the alerts were POSTed to
// /api/v2/alerts and the fingerprints read back from GET /api/v2/alerts.
const goldenFingerprints: readonly [Labels, string][] = [
  [
    { alertname: "GpuMemoryHigh", instance: "gpu-node-1", model: "resnet50", severity: "critical" },
    "8edc4dc61615cc0a",
  ],
  [
    {
      alertname: "ModelLatencyHigh",
      metric: "latency_p99",
      model: "resnet50",
      severity: "emergency",
      version: "1",
    },
    "3255a2497e27fab6",
  ],
  [
    { alertname: "ModelQualityLow", metric: "accuracy", model: "bert", severity: "critical", version: "2" },
    "6842a2d2dd3df433",
  ],
  [{ alertname: "Empty" }, "84b8408c04466701"],
  [
    { alertname: "ModelDriftDetected", column: "age", model: "resnet50", severity: "warning", version: "1" },
    "8daf118337cdb1d4",
  ],
  [{ alertname: "Quoted", model: "x\\y\nz", note: "café ☃ \t tab", team: 'a"b' }, "9da9db6799ca61ad"],
  [
    {
      alertname: "X",
      model: "resnet-é",
      note: "café ☃ \t tab \u0007 \u007f \u00a0 \u200b",
      severity: "warning",
    },
    "b5448bd8f1a159ba",
  ],
];

function referenceFingerprint(labels: Labels): string {
  // The definition, spelled out with BigInt: FNV-1a 64 over `name 0xFF value 0xFF`, names sorted.
  const encoder = new TextEncoder();
  let h = 0xcbf29ce484222325n;
  const add = (b: number) => {
    h = BigInt.asUintN(64, (h ^ BigInt(b)) * 0x100000001b3n);
  };
  for (const name of Object.keys(labels).sort()) {
    for (const b of encoder.encode(name)) add(b);
    add(0xff);
    for (const b of encoder.encode(labels[name]!)) add(b);
    add(0xff);
  }
  return h.toString(16).padStart(16, "0");
}

describe("fingerprint", () => {
  it("matches the known test vector", () => {
    assert.equal(
      fingerprint({
        alertname: "GpuMemoryHigh",
        instance: "gpu-node-1",
        model: "resnet50",
        severity: "critical",
      }),
      "8edc4dc61615cc0a",
    );
  });

  it("matches Alertmanager 0.25 on escapes and non-ASCII values", () => {
    for (const [labels, expected] of goldenFingerprints) assert.equal(fingerprint(labels), expected);
  });

  it("ignores label order, is the FNV offset basis for no labels, and agrees with a BigInt reference", () => {
    assert.equal(fingerprint({ b: "2", a: "1" }), fingerprint({ a: "1", b: "2" }));
    assert.equal(fingerprint({}), "cbf29ce484222325");
    const random = seededRandom(7);
    const alphabet = 'abcXYZ_019 é☃😀\n"\\';
    const word = () =>
      Array.from({ length: Math.floor(random.uniform() * 12) }, () => {
        const chars = [...alphabet];
        return chars[Math.floor(random.uniform() * chars.length)];
      }).join("");
    for (let i = 0; i < 300; i++) {
      const labels: Record<string, string> = {};
      for (let j = Math.floor(random.uniform() * 6); j > 0; j--)
        labels[`l${word().replace(/[^a-zA-Z0-9_]/g, "")}`] = word();
      assert.equal(fingerprint(labels), referenceFingerprint(labels), JSON.stringify(labels));
    }
  });

  it("drops empty values when normalised, as Alertmanager does on ingest", () => {
    // Posted to Alertmanager 0.25 as {alertname: "Y", model: "resnet-2", severity: "critical", a: "", zz: "1"}:
    // stored without `a`, fingerprint 9154a27189da52d3.
    const posted = { alertname: "Y", model: "resnet-2", severity: "critical", a: "", zz: "1" };
    assert.equal(fingerprint(normalizeLabels(posted)), "9154a27189da52d3");
  });
});

describe("groupKey", () => {
  it("is the route key and the group labels in Alertmanager's format", () => {
    assert.equal(
      groupKey("{}", { model: "resnet50", alertname: "GpuMemoryHigh" }),
      '{}:{alertname="GpuMemoryHigh", model="resnet50"}',
    );
    assert.equal(groupKey("{}", {}), "{}:{}");
  });

  it("quotes values as Go's %q, as Alertmanager 0.25's webhook groupKey showed", () => {
    // groupKey fields of webhook payloads from prometheus-alertmanager 0.25.0 (routes with matchers
    // team="a\"b" and model=~"res.*",severity=~"warning|critical"; see routing.test.ts).
    assert.equal(
      groupKey('{}/{team="a\\"b"}', { alertname: "Quoted", model: "x\\y\nz" }),
      '{}/{team="a\\"b"}:{alertname="Quoted", model="x\\\\y\\nz"}',
    );
    assert.equal(
      labelSetString({
        alertname: "X",
        model: "resnet-é",
        note: "café ☃ \t tab \u0007 \u007f \u00a0 \u200b",
        severity: "warning",
      }),
      '{alertname="X", model="resnet-é", note="café ☃ \\t tab \\a \\x7f \\u00a0 \\u200b", severity="warning"}',
    );
  });

  it("goQuote escapes astral non-printables in long form and lone surrogates as U+FFFD", () => {
    assert.equal(goQuote("😀"), '"😀"');
    assert.equal(goQuote("\u{e0001}"), '"\\U000e0001"');
    assert.equal(goQuote("\ud800"), '"\\ufffd"');
  });
});
