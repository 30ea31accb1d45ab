import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { normalizeLabels } from "./labels.js";
import {
  type Matcher,
  type MatchType,
  matcherFromJson,
  matcherString,
  matchersString,
  matcherToJson,
  matches,
  matchesAll,
  parseMatcher,
  parseMatchers,
  sortMatchers,
} from "./matchers.js";

function parsed(input: string): Matcher {
  const result = parseMatcher(input);
  assert.ok(result.ok, `${input}: ${result.ok ? "" : result.problem.message}`);
  return result.matcher;
}

function plain(m: Matcher): [string, MatchType, string] {
  return [m.name, m.type, m.value];
}

function problem(input: string): string {
  const result = parseMatcher(input);
  assert.equal(result.ok, false, `${input} should be rejected`);
  return result.ok ? "" : result.problem.message;
}

describe("parseMatcher", () => {
  it("reads the four operators, quoted or not, with whitespace around tokens", () => {
    assert.deepEqual(plain(parsed("model=bike")), ["model", "=", "bike"]);
    assert.deepEqual(plain(parsed('model != "bike"')), ["model", "!=", "bike"]);
    assert.deepEqual(plain(parsed('  severity =~ "warning|critical" ')), [
      "severity",
      "=~",
      "warning|critical",
    ]);
    assert.deepEqual(plain(parsed("model!~res.*")), ["model", "!~", "res.*"]);
    assert.deepEqual(plain(parsed("job=")), ["job", "=", ""]);
    assert.deepEqual(plain(parsed('job=""')), ["job", "=", ""]);
  });

  it("follows Alertmanager's escaping, including its tricky cases (pkg/labels/parse_test.go)", () => {
    assert.deepEqual(plain(parsed("tricky=~~~")), ["tricky", "=~", "~~"]);
    assert.deepEqual(plain(parsed('trickier==\\\\=\\=\\"')), ["trickier", "=", '=\\=\\="']);
    assert.deepEqual(plain(parsed('quote="She said: \\"Hi!\\""')), ["quote", "=", 'She said: "Hi!"']);
    assert.deepEqual(plain(parsed('nl="a\\nb"')), ["nl", "=", "a\nb"]);
    assert.deepEqual(plain(parsed('re=~"\\d+"')), ["re", "=~", "\\d+"]);
    assert.deepEqual(plain(parsed("a:b=c")), ["a:b", "=", "c"]);
  });

  it("anchors regexes at both ends and treats a missing label as empty", () => {
    const m = parsed('model=~"res.*"');
    assert.equal(matches(m, "resnet50"), true);
    assert.equal(matches(m, "my-resnet"), false);
    assert.equal(matches(parsed('severity=~"warning|critical"'), "critical-ish"), false);
    assert.equal(matches(parsed('team=""'), undefined), true);
    assert.equal(matches(parsed('team!~".+"'), undefined), true);
    assert.equal(matches(parsed("team!=a"), undefined), true);
    assert.equal(matches(parsed("team=a"), undefined), false);
    assert.equal(matches(parsed('x=~"(?i)BIKE"'), "bike"), true);
    assert.equal(matches(parsed('x=~"res\\-net"'), "res-net"), true, "RE2 allows \\- outside a class");
  });

  it("reports precise problems instead of throwing", () => {
    assert.match(problem(""), /empty matcher/);
    assert.match(problem("model"), /expected =, !=, =~ or !~ after the label name "model"$/);
    assert.match(problem("model bike"), /after the label name "model", found "b" at column 7/);
    assert.match(problem("invalid-name = x"), /after the label name "invalid", found "-" at column 8/);
    assert.match(problem("1st=x"), /expected a label name at column 1, found "1"/);
    assert.match(problem('job="value'), /opens a double quote that is never closed/);
    assert.match(problem('job=value"'), /unescaped double quote at column 10/);
    assert.match(problem('job = foo"bar'), /unescaped double quote at column 10/);
    assert.match(problem('foo=~"invalid[regexp"'), /^invalid regex "invalid\[regexp": /);
    assert.match(problem('x=~"(?m)a"'), /only \(\?i\) and \(\?s\)/);
    const column = parseMatcher('job=value"');
    assert.equal(column.ok ? 0 : column.problem.column, 10);
  });
});

describe("parseMatchers", () => {
  it("splits on commas outside quotes, with optional braces and a trailing comma", () => {
    const all = (input: string) => {
      const result = parseMatchers(input);
      assert.ok(result.ok, input);
      return result.matchers.map(plain);
    };
    assert.deepEqual(all('{foo = "bar", dings != "bums", }'), [
      ["foo", "=", "bar"],
      ["dings", "!=", "bums"],
    ]);
    assert.deepEqual(all("foo=bar,dings!=bums"), [
      ["foo", "=", "bar"],
      ["dings", "!=", "bums"],
    ]);
    assert.deepEqual(all('{foo="bar,quux", job="job1"}'), [
      ["foo", "=", "bar,quux"],
      ["job", "=", "job1"],
    ]);
    assert.deepEqual(all('contains_quote != "\\"" , contains_comma !~ "foo,bar" , '), [
      ["contains_quote", "!=", '"'],
      ["contains_comma", "!~", "foo,bar"],
    ]);
    assert.deepEqual(all("{}"), []);
  });

  it("reports every bad matcher", () => {
    const result = parseMatchers('a, b="x, c=~"(", d=ok');
    assert.equal(result.ok, false);
    if (!result.ok) assert.equal(result.problems.length, 2);
  });
});

describe("matcher forms", () => {
  it("converts to and from the API v2 JSON form; isEqual defaults to true", () => {
    const cases: [string, { isRegex: boolean; isEqual: boolean }][] = [
      ["a=1", { isRegex: false, isEqual: true }],
      ["a!=1", { isRegex: false, isEqual: false }],
      ["a=~1", { isRegex: true, isEqual: true }],
      ["a!~1", { isRegex: true, isEqual: false }],
    ];
    for (const [text, flags] of cases) {
      const m = parsed(text);
      assert.deepEqual(matcherToJson(m), { name: "a", value: "1", ...flags });
      const back = matcherFromJson(matcherToJson(m));
      assert.ok(back.ok);
      assert.deepEqual(plain(back.matcher), plain(m));
    }
    const defaulted = matcherFromJson({ name: "model", value: "bi.*", isRegex: true });
    assert.ok(defaulted.ok);
    assert.equal(defaulted.matcher.type, "=~");
    const bad = matcherFromJson({ name: "model", value: "(", isRegex: true });
    assert.equal(bad.ok, false);
    assert.equal(matcherFromJson({ name: "1x", value: "a", isRegex: false }).ok, false);
  });

  it("prints as Alertmanager (OpenMetrics escapes) and parses back", () => {
    const m = parsed('team="a\\"b\\\\c\\nd"');
    assert.equal(matcherString(m), 'team="a\\"b\\\\c\\nd"');
    assert.deepEqual(plain(parsed(matcherString(m))), plain(m));
    const ms = sortMatchers([
      parsed('severity=~"warning|critical"'),
      parsed('model=~"res.*"'),
      parsed("model=a"),
    ]);
    assert.equal(matchersString(ms), '{model="a",model=~"res.*",severity=~"warning|critical"}');
  });

  it("matches a label set only when every matcher does; no matchers match everything", () => {
    const labels = { model: "bike", severity: "critical" };
    assert.equal(matchesAll([], labels), true);
    assert.equal(matchesAll([parsed("model=bike"), parsed('severity=~"critical|emergency"')], labels), true);
    assert.equal(matchesAll([parsed("model=bike"), parsed("severity=warning")], labels), false);
  });

  it("does not see Object.prototype members as labels", () => {
    assert.equal(matchesAll([parsed('constructor=""')], {}), true);
    assert.equal(matchesAll([parsed('toString=~".+"')], {}), false);
    assert.equal(matchesAll([parsed("__proto__=x")], normalizeLabels({ ["__proto__"]: "x", a: "" })), true);
  });

  it("compiles the regex of a matcher written as a literal", () => {
    const literal: Matcher = { name: "model", type: "=~", value: "bi.*" };
    assert.equal(matches(literal, "bike"), true);
    assert.equal(matches({ name: "model", type: "=~", value: "(" }, "("), false);
  });
});
