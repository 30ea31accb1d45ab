// The native event scanner (native/ndjson.c) against the JavaScript parser it stands in front of:
// whenever the scanner says "valid", parseEventBatch must accept the body with as many records
// (else the API answers 202 and the worker dead-letters the batch: data loss), and typical valid
// bodies must be said valid (else the scanner buys nothing). Skipped when the addon is not built.
import assert from "node:assert/strict";
import { test } from "node:test";
import { type IngestContext, parseEventBatch, TIME_RANGE_MS } from "../../monitor/index.js";
import { seededRandom } from "../../testing/random.js";
import { eventScanner } from "./event-scan.js";

const scan = eventScanner();
const skip = scan === null ? "the native addon is not built (npm run build) or TIKTOKTOE_NATIVE=0" : false;
const SEED = Number(process.env.TIKTOKTOE_SCAN_SEED ?? 16_2026);

const BASE = Date.UTC(2026, 1, 16, 12);
const HOUR = 3_600_000;

/** A model the generator writes events for, and the context both validators get. */
interface Model {
  readonly name: string;
  readonly context: IngestContext;
  /** Versions and classes a typical event uses (the scanner compares them without escapes). */
  readonly versions: readonly string[];
  readonly numeric: readonly string[];
  readonly categorical: readonly string[];
}

function model(
  name: string,
  task: IngestContext["task"],
  numeric: readonly string[],
  categorical: readonly string[],
  versions: readonly string[],
  classes: readonly string[] | undefined,
  bounds: { oldest: number; newest: number },
): Model {
  const columns = new Map<string, "numeric" | "categorical">([
    ...numeric.map((n) => [n, "numeric"] as const),
    ...categorical.map((n) => [n, "categorical"] as const),
  ]);
  return {
    name,
    context: {
      task,
      columns,
      versions: new Set(versions),
      ...(classes === undefined ? {} : { classes }),
      oldestAcceptedMs: bounds.oldest,
      newestAcceptedMs: bounds.newest,
      nowMs: BASE,
    },
    versions,
    numeric,
    categorical,
  };
}

const finite = { oldest: BASE - HOUR, newest: BASE + HOUR };
const MODELS: readonly Model[] = [
  model(
    "regression, 20 numeric and 2 categorical columns",
    "regression",
    Array.from({ length: 20 }, (_, f) => `f${f}`),
    ["city", "größe"],
    ["1", "2", "v3-β"],
    undefined,
    finite,
  ),
  model("binary with scores", "binary", ["a", "b"], ["c"], ["1"], ["no", "yes"], {
    oldest: Number.NEGATIVE_INFINITY,
    newest: Number.POSITIVE_INFINITY,
  }),
  model(
    "multiclass, integer labels",
    "multiclass",
    ["x"],
    ["seg"],
    ["7"],
    ["0", "1", "2", "10", "-3"],
    finite,
  ),
  model("classifier without declared classes", "multiclass", ["x"], [], ["1"], undefined, finite),
  model("boolean classes", "binary", ["x"], ["flag"], ["1"], ["false", "true"], {
    oldest: BASE - 2 * HOUR,
    newest: Number.POSITIVE_INFINITY,
  }),
];

// ---- JSON written token by token, so that numbers, escapes and whitespace can be chosen ----------

/** Text written as it is: a number's spelling, a string literal with escapes, a broken token. */
class Raw {
  constructor(readonly text: string) {}
}
/** An object as a list of entries: duplicate keys and any key order can be written. */
class Obj {
  constructor(readonly entries: Array<[string | Raw, Value]>) {}
}
type Value = null | boolean | string | Raw | Obj | Value[];

type Rand = ReturnType<typeof random>;
function random(seed: number) {
  const rng = seededRandom(seed);
  const u = () => rng.uniform();
  const int = (lo: number, hi: number) => lo + Math.floor(u() * (hi - lo + 1));
  return {
    u,
    int,
    chance: (p: number) => u() < p,
    pick: <T>(items: readonly T[]): T => items[Math.floor(u() * items.length)]!,
    shuffle: <T>(items: T[]): T[] => {
      for (let i = items.length - 1; i > 0; i--) {
        const j = Math.floor(u() * (i + 1));
        [items[i], items[j]] = [items[j]!, items[i]!];
      }
      return items;
    },
  };
}

function write(value: Value, r: Rand, spacey: boolean): string {
  const ws = () => (spacey && r.chance(0.3) ? r.pick([" ", "\t", "  ", "\r", " \t "]) : "");
  const go = (v: Value): string => {
    if (v === null) return "null";
    if (typeof v === "boolean") return String(v);
    if (typeof v === "string") return JSON.stringify(v);
    if (v instanceof Raw) return v.text;
    if (v instanceof Obj)
      return `{${ws()}${v.entries
        .map(
          ([k, x]) => `${typeof k === "string" ? JSON.stringify(k) : k.text}${ws()}:${ws()}${go(x)}${ws()}`,
        )
        .join(`,${ws()}`)}}`;
    return `[${ws()}${v.map((x) => `${go(x)}${ws()}`).join(`,${ws()}`)}]`;
  };
  return go(value);
}

/** A number's spelling from the forms clients send (all finite, none near the overflow). */
function numberText(r: Rand): Raw {
  const x = (r.u() - 0.5) * 10 ** r.int(-3, 6);
  return new Raw(
    r.pick([
      () => String(Math.round(x * 1e4) / 1e4),
      () => String(x),
      () => String(r.int(-1_000_000, 1_000_000)),
      () => `${r.int(0, 9)}.${r.int(0, 999_999)}e${r.pick(["", "+", "-"])}${r.int(0, 300)}`,
      () => `${r.pick(["", "-"])}${r.int(1, 9)}E${r.int(-20, 20)}`,
      () => r.pick(["0", "-0", "0.0", "-0.0", "0e0", "123456789012345678901234567890", "0.000001"]),
      () => x.toFixed(r.int(0, 12)),
    ])(),
  );
}

/** A probability's spelling (all within [0, 1] as JSON.parse reads them). */
function probabilityText(r: Rand): Raw {
  return new Raw(
    r.pick([
      () => String(r.u()),
      () => String(Math.round(r.u() * 100) / 100),
      () => r.pick(["0", "1", "1.0", "0.5", "1.000", "-0", "-0.0", "0.0"]),
      () => `${r.int(1, 9)}e-${r.int(1, 20)}`,
      () => r.pick(["1e0", "10e-1", "0.05e1", "5e-1", "0.25E0", "1E-300"]),
    ])(),
  );
}

/** A string value (categorical, id): letters, non-ASCII, escapes. */
function stringText(r: Rand, n: number): string | Raw {
  return r.pick([
    () => `v${n % 17}`,
    () => r.pick(["Zürich", "東京", "😀 smile", "a\tb", 'quote " inside', "back\\slash", "", "\u2028"]),
    () =>
      new Raw(r.pick(['"\\u00e9t\\u00E9"', '"line\\nbreak"', '"\\/path"', '"\\ud83d\\ude00"', '"\\ud800"'])),
  ])();
}

interface EventOptions {
  /** Only what the scanner is meant to vouch for (the "typical" family). */
  readonly typical: boolean;
}

function event(m: Model, r: Rand, n: number, options: EventOptions): Obj {
  const { context } = m;
  const entries: Array<[string, Value]> = [];
  entries.push([
    "id",
    r.pick([
      () => `e-${n}`,
      () => `é-${n}-😀`,
      () => new Raw(String(r.int(0, 999_999_999_999))),
      () => new Raw(`"id\\u0041${n}"`),
      () => "x".repeat(r.pick([1, 255, 256])),
    ])(),
  ]);
  if (r.chance(0.8)) {
    const lo = Number.isFinite(context.oldestAcceptedMs) ? context.oldestAcceptedMs : BASE - 1e9;
    const hi = Number.isFinite(context.newestAcceptedMs) ? context.newestAcceptedMs : BASE + 1e9;
    entries.push([
      "time",
      r.chance(0.1)
        ? null
        : new Raw(
            r.pick([
              () => String(r.int(lo, hi)),
              () => `${r.int(lo, hi - 1)}.5`,
              () => String(lo),
              () => String(hi),
            ])(),
          ),
    ]);
  }
  entries.push(["version", r.pick(m.versions)]);
  const columns = [...m.numeric, ...m.categorical].filter(() => r.chance(0.9));
  if (r.chance(0.3)) r.shuffle(columns);
  entries.push([
    "features",
    new Obj(
      columns.map((c): [string, Value] => [
        c,
        r.chance(0.05)
          ? null
          : m.numeric.includes(c)
            ? numberText(r)
            : r.pick([() => stringText(r, n), () => numberText(r), () => r.chance(0.5)])(),
      ]),
    ),
  ]);
  const classes = context.classes;
  if (context.task === "regression") entries.push(["prediction", numberText(r)]);
  else if (classes === undefined)
    entries.push([
      "prediction",
      r.pick([() => stringText(r, n), () => new Raw(String(r.int(-5, 5))), () => true])(),
    ]);
  else {
    const label = r.pick(classes);
    entries.push([
      "prediction",
      label === "true" || label === "false"
        ? label === "true"
        : /^-?\d+$/.test(label)
          ? new Raw(label)
          : label,
    ]);
    if (r.chance(0.6)) entries.push(["scores", r.chance(0.1) ? null : classes.map(() => probabilityText(r))]);
  }
  if (r.chance(0.5))
    entries.push([
      "latency_ms",
      r.chance(0.2) ? null : new Raw(String(Math.abs(Number(numberText(r).text)))),
    ]);
  if (!options.typical || r.chance(0.3)) r.shuffle(entries);
  return new Obj(entries);
}

function body(r: Rand, events: Obj[], spacey: boolean): string {
  const lines = events.map((e) => write(e, r, spacey));
  let text = "";
  for (const [i, line] of lines.entries()) {
    if (i > 0) text += r.pick(["\n", "\n", "\r\n", "\n\n", "\n \n"]);
    text += spacey && r.chance(0.2) ? ` ${line}\t` : line;
  }
  return r.chance(0.3) ? `${text}\n` : text;
}

/** The property: a count from the scanner is the parser's acceptance with that many records. */
function check(m: Model, bytes: Buffer, what: string): { scanned: number; parsed: boolean } {
  const scanned = scan!(bytes, m.context);
  const parsed = parseEventBatch(bytes.toString("utf8"), "ndjson", m.context);
  if (scanned >= 0)
    assert.ok(
      parsed.ok && parsed.records.length === scanned,
      `scanner said ${scanned} valid event(s), the parser ${parsed.ok ? `${parsed.records.length} records` : JSON.stringify(parsed.problems.slice(0, 3))} (${m.name}, ${what}, seed ${SEED}):\n${JSON.stringify(bytes.toString("utf8"))}`,
    );
  return { scanned, parsed: parsed.ok };
}

// ---- mutations ---------------------------------------------------------------------------------

const TRICKY_VALUES: readonly Value[] = [
  null,
  true,
  false,
  "text",
  "",
  [],
  new Obj([]),
  [new Raw("0.5")],
  new Obj([["a", new Raw("1")]]),
  new Raw(`${"[".repeat(600)}${"]".repeat(600)}`),
  new Raw(`${'{"a":'.repeat(300)}1${"}".repeat(300)}`),
  new Raw('"2026-02-16T12:00:00Z"'),
  ...[
    "1e400",
    "-1e400",
    "1e308",
    "1e309",
    "1.7976931348623157e308",
    "1.7976931348623159e308",
    "-1.7976931348623157e308",
    "1e-400",
    "-1e-400",
    "4.9e-324",
    "NaN",
    "Infinity",
    "-Infinity",
    "0x10",
    "+1",
    ".5",
    "1.",
    "01",
    "-01",
    "00",
    "1e",
    "1e+",
    "-",
    "--1",
    "1.5.2",
    "1e5e5",
    "9007199254740993",
    "9007199254740992",
    "123456789012345",
    "1234567890123456",
    "1.0",
    "-0",
    "0e0",
    "1E2",
    "1e-7",
    `1${"0".repeat(400)}`,
    `0.${"0".repeat(400)}1`,
    '"\\ud800"',
    '"\u0001"',
    '"\\x41"',
    '"\\u12"',
    '"unterminated',
    "nul",
    "nulll",
    "truee",
    "True",
    "undefined",
  ].map((t) => new Raw(t)),
];

const TRICKY_KEYS: readonly (string | Raw)[] = [
  "Id",
  "ID",
  "id ",
  " id",
  "ids",
  "time_ms",
  "versions",
  "feature",
  "score",
  "latency",
  "label",
  "",
  "__proto__",
  "constructor",
  "f99",
  "F0",
  "city ",
  new Raw('"\\u0069d"'),
  new Raw('"i\\d"'),
  new Raw('"f\\u0030"'),
  new Raw("id"),
  new Raw("'id'"),
];

/** Time spellings around the model's bounds and the accepted range (as text: their rounding counts). */
function boundaryTimes(m: Model): string[] {
  const out = [
    "0",
    "-0",
    "-1",
    "0.5",
    "4102444800000",
    "4102444799999",
    "4102444799999.9999",
    "4102444799999.99999",
  ];
  out.push(
    "1e400",
    "1.7e12",
    "17e11",
    "1700000000000.0000000001",
    "2026",
    "1771243200000e0",
    "177124320000e1",
  );
  for (const bound of [m.context.oldestAcceptedMs, m.context.newestAcceptedMs])
    if (Number.isFinite(bound))
      out.push(
        String(bound),
        String(bound - 1),
        String(bound + 1),
        `${bound - 1}.9999999`,
        `${bound - 1}.99999999999`,
        `${bound}.00000001`,
        `${bound}.0001`,
        `${bound - 1}.9997`,
        `${bound}.0002`,
        `${String(bound).slice(0, 4)}.${String(bound).slice(4)}e9`,
        `${bound}0e-1`,
        `${bound}.000000000000000000000001`,
      );
  return out;
}

const TRICKY_IDS: readonly Value[] = [
  "",
  "x".repeat(256),
  "x".repeat(257),
  `${"x".repeat(255)}😀`,
  `${"x".repeat(254)}😀`,
  `${"x".repeat(255)}é`,
  new Raw(`"${"x".repeat(255)}\\u0041"`),
  new Raw(`"${"x".repeat(256)}\\u0041"`),
  new Raw(`"${"x".repeat(254)}\\ud83d\\ude00"`),
  new Raw(`"${"x".repeat(255)}\\ud83d\\ude00"`),
  ...[
    "0",
    "-0",
    "-5",
    "999999999999999",
    "9999999999999999",
    "9007199254740991",
    "1e3",
    "1.0",
    "1.5",
    "-1",
  ].map((t) => new Raw(t)),
];

function mutateStructure(m: Model, r: Rand, e: Obj): void {
  const entries = e.entries;
  const features = entries.find(([k]) => k === "features")?.[1];
  const target =
    features instanceof Obj && features.entries.length > 0 && r.chance(0.4) ? features.entries : entries;
  const i = r.int(0, Math.max(0, target.length - 1));
  switch (r.int(0, 9)) {
    case 0: // rename a key
      if (target[i] !== undefined) target[i] = [r.pick(TRICKY_KEYS), target[i]![1]];
      break;
    case 1: // duplicate a key
      if (target[i] !== undefined)
        target.splice(r.int(0, target.length), 0, [
          target[i]![0],
          r.chance(0.5) ? target[i]![1] : r.pick(TRICKY_VALUES),
        ]);
      break;
    case 2: // remove a field
      target.splice(i, 1);
      break;
    case 3: // a value of another type
      if (target[i] !== undefined) target[i] = [target[i]![0], r.pick(TRICKY_VALUES)];
      break;
    case 4:
      setField(entries, "time", new Raw(r.pick(boundaryTimes(m))));
      break;
    case 5:
      setField(entries, "id", r.pick(TRICKY_IDS));
      break;
    case 6:
      setField(
        entries,
        "scores",
        r.pick<Value>([
          [new Raw("0.2"), new Raw("0.8")],
          [new Raw("0.2"), new Raw("0.3"), new Raw("0.5")],
          [new Raw("1.0000001"), new Raw("0")],
          [new Raw("1.00000000000000000001"), new Raw("0")],
          [new Raw("-0.0"), new Raw("1")],
          [new Raw("-1e-400"), new Raw("1")],
          [new Raw("-0.000001"), new Raw("1")],
          [new Raw("1e0"), new Raw("0e5")],
          [new Raw("10e-1"), new Raw("0.5e1")],
          [new Raw("1e-400"), new Raw("1")],
          [null, new Raw("1")],
          ["0.5", new Raw("0.5")],
          [[new Raw("0.5")], new Raw("0.5")],
          new Obj([
            ["no", new Raw("0.2")],
            ["yes", new Raw("0.8")],
          ]),
          new Raw("0.3"),
          new Raw("1.5"),
          [],
          null,
        ]),
      );
      break;
    case 7:
      setField(
        entries,
        "prediction",
        r.pick<Value>([
          ...(m.context.classes ?? []),
          "maybe",
          "YES",
          new Raw("1.0"),
          new Raw("01"),
          new Raw("-0"),
          new Raw("1e0"),
          new Raw("10"),
          new Raw("-3"),
          new Raw("2"),
          true,
          false,
          null,
          new Raw('"y\\u0065s"'),
          new Raw("1e400"),
        ]),
      );
      break;
    case 8:
      setField(
        entries,
        "latency_ms",
        r.pick(
          ["-1", "-0", "-0.0", "1e400", "0", "1e308", "1e309", "-1e-400", '"5"', "[1]"].map(
            (t) => new Raw(t),
          ),
        ),
      );
      break;
    default: {
      // a feature value of the edge of its type
      if (!(features instanceof Obj)) break;
      const column = r.pick([...m.numeric, ...m.categorical, "unknown"]);
      setField(features.entries, column, r.pick(TRICKY_VALUES));
      break;
    }
  }
}

function setField(entries: Array<[string | Raw, Value]>, key: string, value: Value): void {
  const i = entries.findIndex(([k]) => k === key);
  if (i === -1) entries.push([key, value]);
  else entries[i] = [key, value];
}

const TOKENS = [
  ",",
  "}",
  "{",
  '"',
  "\\",
  "\\u",
  "\\ud800",
  ":",
  "[",
  "]",
  "null",
  "true",
  "1e400",
  "-",
  ".",
  "e",
  "0",
  "\n",
  "\r",
  "\t",
  " ",
  "\v",
  "\f",
  "\u2028",
  "\ufeff",
  "\u00a0",
  "\u0000",
  '""',
  ',"x":1',
  ',"id":"dup"',
  "\u00e9",
];
const BYTES = [
  0x00, 0x0a, 0x0d, 0x09, 0x0b, 0x20, 0x22, 0x2c, 0x2d, 0x2e, 0x30, 0x31, 0x3a, 0x5b, 0x5c, 0x5d, 0x7b, 0x7d,
  0x7f, 0x80, 0xbf, 0xc0, 0xc3, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff,
];

function mutateBytes(r: Rand, input: Buffer): Buffer {
  let bytes: Buffer = input;
  const i = r.int(0, Math.max(0, bytes.length - 1));
  switch (r.int(0, 7)) {
    case 0: {
      const copy = Buffer.from(bytes);
      if (copy.length > 0) copy[i] = r.chance(0.7) ? r.pick(BYTES) : r.int(0, 255);
      return copy;
    }
    case 1:
      return Buffer.concat([bytes.subarray(0, i), bytes.subarray(Math.min(bytes.length, i + r.int(1, 3)))]);
    case 2:
      return Buffer.concat([bytes.subarray(0, i), Buffer.from(r.pick(TOKENS)), bytes.subarray(i)]);
    case 3:
      return bytes.subarray(0, i);
    case 4: {
      // lines duplicated, dropped, joined
      const lines = bytes.toString("utf8").split("\n");
      const j = r.int(0, lines.length - 1);
      if (r.chance(0.5)) lines.splice(j, 0, lines[j]!);
      else if (lines.length > 1)
        lines.splice(j, 2, `${lines[j]}${r.pick(["", " ", ","])}${lines[j + 1] ?? ""}`);
      return Buffer.from(lines.join("\n"));
    }
    case 5:
      return Buffer.concat([Buffer.from(r.pick(["\ufeff", "\v", "\u00a0", "[", " ", "\n\n", "\r"])), bytes]);
    case 6:
      return Buffer.concat([
        bytes,
        Buffer.from(r.pick(["]", " x", ",", "\u00a0", "\u0000", "{}", "\n{", "\n[]", "\ufeff", "\f"])),
      ]);
    default: {
      // an invalid or overlong UTF-8 sequence inside a string
      const quote = bytes.indexOf(0x22, i);
      if (quote === -1) return bytes;
      const bad = r.pick([
        [0xc0, 0x80],
        [0xed, 0xa0, 0x80],
        [0xf4, 0x90, 0x80, 0x80],
        [0xe2, 0x82],
        [0x80],
        [0xf8, 0x88, 0x80, 0x80, 0x80],
        [0xc3, 0xa9],
      ]);
      bytes = Buffer.concat([bytes.subarray(0, quote + 1), Buffer.from(bad), bytes.subarray(quote + 1)]);
      return bytes;
    }
  }
}

// ---- tests ---------------------------------------------------------------------------------------

test("typical valid bodies (numbers, categorical features, classifiers with scores, absent times) are said valid, with their record counts", {
  skip,
}, (t) => {
  t.diagnostic(`seed ${SEED} (rerun with TIKTOKTOE_SCAN_SEED=${SEED})`);
  const r = random(SEED);
  let bodies = 0;
  for (const m of MODELS)
    for (let b = 0; b < 400; b++) {
      const events = Array.from({ length: r.int(1, 6) }, (_, i) =>
        event(m, r, b * 10 + i, { typical: true }),
      );
      const text = body(r, events, r.chance(0.3));
      const bytes = Buffer.from(text);
      const parsed = parseEventBatch(text, "ndjson", m.context);
      assert.ok(
        parsed.ok,
        `the generator wrote an invalid body (${m.name}): ${text} ${JSON.stringify(!parsed.ok && parsed.problems)}`,
      );
      assert.equal(
        scan!(bytes, m.context),
        events.length,
        `not said valid (${m.name}, seed ${SEED}): ${JSON.stringify(text)}`,
      );
      bodies++;
    }
  t.diagnostic(`${bodies} typical bodies, every one said valid`);
});

test("whenever the scanner says valid, parseEventBatch accepts the body (random mutations of valid bodies)", {
  skip,
}, (t) => {
  t.diagnostic(`seed ${SEED} (rerun with TIKTOKTOE_SCAN_SEED=${SEED})`);
  const r = random(SEED + 1);
  const counts = { bodies: 0, scannerValid: 0, parserValid: 0 };
  for (let n = 0; n < 12_000; n++) {
    const m = r.pick(MODELS);
    const events = Array.from({ length: r.int(1, 4) }, (_, i) =>
      event(m, r, n * 10 + i, { typical: r.chance(0.5) }),
    );
    for (let k = r.int(0, 2); k >= 0; k--) if (r.chance(0.6)) mutateStructure(m, r, r.pick(events));
    let bytes: Buffer = Buffer.from(body(r, events, r.chance(0.4)));
    for (let k = r.int(0, 2); k > 0; k--) bytes = mutateBytes(r, bytes);
    const { scanned, parsed } = check(m, bytes, `mutation ${n}`);
    counts.bodies++;
    if (scanned >= 0) counts.scannerValid++;
    if (parsed) counts.parserValid++;
  }
  t.diagnostic(
    `${counts.bodies} bodies: the parser accepted ${counts.parserValid}, the scanner vouched for ${counts.scannerValid}`,
  );
  // The mutations must leave both kinds: else the property is checked on nothing.
  assert.ok(
    counts.scannerValid > 500 && counts.parserValid - counts.scannerValid > 500,
    JSON.stringify(counts),
  );
});

test("the scanner's edge cases: what it vouches for and what it leaves to the parser", { skip }, () => {
  const m = MODELS[0]!;
  const line = (fields: string) =>
    `{"id":"a","version":"1","features":{"f0":1,"city":"x"},"prediction":1${fields}}`;
  const said = (text: string, context = m.context) => scan!(Buffer.from(text), context);
  // Vouched for (and the parser agrees).
  for (const text of [
    line(""),
    line(',"time":null'),
    line(`,"time":${BASE}`),
    line(`,"time":${BASE - HOUR}`),
    line(`,"time":${BASE + HOUR}`),
    // rounds to the bound itself (doubles near 1.77e12 are 2^-8 apart): accepted by JSON.parse's rounding
    line(`,"time":${BASE - HOUR - 1}.9999999999`),
    line(',"latency_ms":0,"scores":null'),
    `\r\n  ${line("")}\t\r\n\n${line("")}\n`,
    '{"id":123456789012345,"version":"v3-β","features":{"größe":"東京","city":true,"f1":-0.0},"prediction":-1.5e-7}',
  ]) {
    assert.ok(said(text) > 0, `not vouched for: ${text}`);
    assert.ok(parseEventBatch(text, "ndjson", m.context).ok);
  }
  // Left to the parser: some valid (the scanner is conservative), some not.
  for (const text of [
    "",
    "\n \r\n",
    `[${line("")}]`,
    `\ufeff${line("")}`,
    `\u00a0${line("")}`,
    `${line("")}\v`,
    line(`,"time":"2026-02-16T12:00:00Z"`),
    line(`,"time":${BASE - HOUR - 1}`),
    line(`,"time":${BASE + HOUR + 1}`),
    line(`,"time":${BASE - HOUR - 1}.9997`),
    line(',"time":1e400'),
    line(',"time":4102444800000'),
    line(',"id":"b"'),
    line(',"Id":"b"'),
    '{"\\u0069d":"a","version":"1","features":{},"prediction":1}',
    '{"id":"a","version":"1","features":{"f0":1,"f0":2},"prediction":1}',
    '{"id":"a","version":"1","features":{"f0":1e400},"prediction":1}',
    '{"id":"a","version":"1","features":{"f0":"1"},"prediction":1}',
    '{"id":"a","version":"1","features":{"f0":[1]},"prediction":1}',
    '{"id":"a","version":"1","features":{"nope":1},"prediction":1}',
    '{"id":"a","version":"3","features":{},"prediction":1}',
    '{"id":"a","version":"1","features":{},"prediction":null}',
    '{"id":"a","version":"1","features":{}}',
    '{"id":1.0,"version":"1","features":{},"prediction":1}',
    '{"id":1234567890123456,"version":"1","features":{},"prediction":1}',
    `{"id":"${"x".repeat(257)}","version":"1","features":{},"prediction":1}`,
    '{"id":"a","version":"1","features":{},"prediction":01}',
    '{"id":"a","version":"1","features":{},"prediction":1} {}',
    '{"id":"a","version":"1","features":{},"prediction":1,}',
    '{"id":"a","version":"1","features":{},"prediction":1,"latency_ms":-1}',
    '{"id":"a","version":"1","features":{},"prediction":1,"scores":[0.5,0.5]}',
  ])
    assert.equal(said(text), -1, `vouched for: ${JSON.stringify(text)}`);
});

test("a model's compiled description follows its versions; names the addon cannot compare are left out", {
  skip,
}, () => {
  const versions = new Set(["1"]);
  const context: IngestContext = {
    task: "binary",
    columns: new Map([
      ["x", "numeric"],
      ["__proto__", "categorical"],
    ]),
    versions,
    classes: ["no", "yes"],
    oldestAcceptedMs: TIME_RANGE_MS.min,
    newestAcceptedMs: TIME_RANGE_MS.max,
    nowMs: BASE,
  };
  const event = (version: string, features = '{"x":1}') =>
    Buffer.from(
      `{"id":"a","version":${JSON.stringify(version)},"features":${features},"prediction":"yes","scores":[0.1,0.9]}`,
    );
  assert.equal(scan!(event("1"), context), 1);
  assert.equal(scan!(event("2"), context), -1);
  versions.add("2");
  assert.equal(scan!(event("2"), context), 1, "a registered version is known at once");
  versions.add("\ud800");
  // U+FFFD in the body: the addon's copy of the lone surrogate is U+FFFD, JavaScript's is not.
  assert.equal(scan!(event("\ufffd"), context), -1);
  assert.equal(parseEventBatch(event("\ufffd").toString(), "ndjson", context).ok, false);
  assert.equal(scan!(event("1", '{"__proto__":"a"}'), context), -1);
});

test("times near the bounds and scores near 1 are judged on the double JSON.parse rounds them to", {
  skip,
}, () => {
  const m = MODELS[0]!;
  const r = random(SEED + 2);
  const line = (fields: string) => `{"id":"a","version":"1","features":{},"prediction":1${fields}}`;
  let judged = 0;
  for (const bound of [m.context.oldestAcceptedMs, m.context.newestAcceptedMs]) {
    for (let i = 0; i < 2_000; i++) {
      // A spelling within a few ulps of the bound (doubles there are 2^-8 apart), 13 to 30 digits.
      const offset = (r.u() - 0.5) * 0.02;
      const fraction = Math.abs(offset).toFixed(r.int(1, 17)).slice(2);
      const whole = offset < 0 ? bound - 1 : bound;
      const digits = offset < 0 ? complement(fraction) : fraction;
      const text = r.chance(0.2)
        ? `${String(whole).slice(0, 1)}.${String(whole).slice(1)}${digits}e${String(whole).length - 1}`
        : `${whole}.${digits}`;
      const scanned = scan!(Buffer.from(line(`,"time":${text}`)), m.context);
      const parsed = parseEventBatch(line(`,"time":${text}`), "ndjson", m.context).ok;
      // The scanner decides every one of these (fast path or strtod_l): it must agree both ways.
      assert.equal(scanned >= 0, parsed, `time ${text} (seed ${SEED}): scanner ${scanned}, parser ${parsed}`);
      judged++;
    }
  }
  const binary = MODELS[1]!;
  const scored = (s: string) => `{"id":"a","version":"1","features":{},"prediction":"yes","scores":[0,${s}]}`;
  for (const s of ["1.0000000000000001e0", "0.99999999999999999999e0", "100e-2", "1e-324", "0.1e1"]) {
    assert.ok(parseEventBatch(scored(s), "ndjson", binary.context).ok, s);
    if (s !== "1e-324") assert.equal(scan!(Buffer.from(scored(s)), binary.context), 1, s);
  }
  for (const s of ["1.0000000000000003e0", "1.1e0", "-1e-5", "2e0"]) {
    assert.equal(parseEventBatch(scored(s), "ndjson", binary.context).ok, false, s);
    assert.equal(scan!(Buffer.from(scored(s)), binary.context), -1, s);
  }
  assert.ok(judged > 0);
});

/** The digits of 1 − 0.digits (so that `bound − 1` and them spell bound − 0.digits). */
function complement(digits: string): string {
  const n = BigInt(`1${"0".repeat(digits.length)}`) - BigInt(digits === "" ? "0" : digits);
  return n.toString().padStart(digits.length, "0").slice(-digits.length) || "0";
}
