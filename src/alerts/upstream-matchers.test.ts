/**
 * Cases transcribed from Alertmanager's own matcher tests, as data tables, so that our parser and
 * matchers answer as Alertmanager 0.25 (Debian's prometheus-alertmanager, which the integration
 * tests run) answers.
 *
 * Transcribed: 62 cases.
 * - pkg/labels/parse_test.go `TestMatchers`: 32 of 32. One, `job=`, is an error upstream since
 *   0.26 ("matcher value is not present"); 0.25 reads it as `job=""`, and that is what is asserted
 *   (checked with amtool 0.25's check-config).
 * - the same parser, whitespace outside the braces: 4 cases checked against amtool 0.25
 *   (`' {foo="bar"}'` and `'{foo="bar"} '` are errors there), not in upstream's table.
 * - pkg/labels/matcher_test.go `TestMatcher`: 17 of 17 (the upstream matchers have an empty name;
 *   ours are named `foo`, since a name is required here and does not affect the value match).
 * - pkg/labels/matcher_test.go `TestMatcherString`: 9 of 12.
 * Skipped as post-0.25 behaviour: 3 `TestMatcherString` cases (`foo!`, `foo🙂`, `foo bar`) print
 * UTF-8 label names quoted, which arrived with 0.27's UTF-8 support; 0.25 rejects those names.
 * `TestMatcherJSONMarshal`/`TestMatcherJSONUnmarshal` (9 cases) are covered by matchers.test.ts'
 * JSON round trip and are not repeated here.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type MatchType, matcherString, matches, newMatcher, parseMatchers } from "./matchers.js";

type Triple = readonly [name: string, type: MatchType, value: string];

// pkg/labels/parse_test.go, TestMatchers (0.25's expectations; `null` is an error).
const parseCases: readonly (readonly [input: string, want: readonly Triple[] | null])[] = [
  ['{foo="bar"}', [["foo", "=", "bar"]]],
  ['{foo=~"bar.*"}', [["foo", "=~", "bar.*"]]],
  ['{foo!="bar"}', [["foo", "!=", "bar"]]],
  ['{foo!~"bar.*"}', [["foo", "!~", "bar.*"]]],
  [
    '{foo="bar", baz!="quux"}',
    [
      ["foo", "=", "bar"],
      ["baz", "!=", "quux"],
    ],
  ],
  [
    '{foo="bar", baz!~"quux.*"}',
    [
      ["foo", "=", "bar"],
      ["baz", "!~", "quux.*"],
    ],
  ],
  [
    '{foo="bar",baz!~".*quux", derp="wat"}',
    [
      ["foo", "=", "bar"],
      ["baz", "!~", ".*quux"],
      ["derp", "=", "wat"],
    ],
  ],
  [
    '{foo="bar", baz!="quux", derp="wat"}',
    [
      ["foo", "=", "bar"],
      ["baz", "!=", "quux"],
      ["derp", "=", "wat"],
    ],
  ],
  [
    '{foo="bar", baz!~".*quux.*", derp="wat"}',
    [
      ["foo", "=", "bar"],
      ["baz", "!~", ".*quux.*"],
      ["derp", "=", "wat"],
    ],
  ],
  [
    '{foo="bar", instance=~"some-api.*"}',
    [
      ["foo", "=", "bar"],
      ["instance", "=~", "some-api.*"],
    ],
  ],
  ['{foo=""}', [["foo", "=", ""]]],
  [
    '{foo="bar,quux", job="job1"}',
    [
      ["foo", "=", "bar,quux"],
      ["job", "=", "job1"],
    ],
  ],
  [
    '{foo = "bar", dings != "bums", }',
    [
      ["foo", "=", "bar"],
      ["dings", "!=", "bums"],
    ],
  ],
  [
    "foo=bar,dings!=bums",
    [
      ["foo", "=", "bar"],
      ["dings", "!=", "bums"],
    ],
  ],
  [
    '{quote="She said: \\"Hi, ladies! That\'s gender-neutral…\\""}',
    [["quote", "=", 'She said: "Hi, ladies! That\'s gender-neutral…"']],
  ],
  ['statuscode=~"5.."', [["statuscode", "=~", "5.."]]],
  ["tricky=~~~", [["tricky", "=~", "~~"]]],
  ['trickier==\\\\=\\=\\"', [["trickier", "=", '=\\=\\="']]],
  [
    'contains_quote != "\\"" , contains_comma !~ "foo,bar" , ',
    [
      ["contains_quote", "!=", '"'],
      ["contains_comma", "!~", "foo,bar"],
    ],
  ],
  // Upstream expects "matcher value is not present" since 0.26; 0.25 (amtool check-config) reads `job=""`.
  ["job=", [["job", "=", ""]]],
  ['job="value', null],
  ['job=value"', null],
  ['trickier==\\\\=\\=\\""', null],
  ['contains_unescaped_quote = foo"bar', null],
  ['{invalid-name = "valid label"}', null],
  ['{foo=~"invalid[regexp"}', null],
  // "Double escaped strings."
  ['"{foo=\\"bar"}', null],
  ['"foo=\\"bar"', null],
  ['"foo=\\"bar\\""', null],
  ['"foo=\\"bar\\"', null],
  ['"{foo=\\"bar\\"}"', null],
  ['"foo="bar""', null],
];

// Not an upstream table: whitespace outside the braces, each checked with amtool 0.25's check-config
// (it refuses all four). The parser used to trim the input first and accepted them.
const outsideWhitespace: readonly string[] = [
  ' {foo="bar"}',
  '{foo="bar"} ',
  '\t{foo="bar"}',
  '{foo="bar"}\t',
];

// pkg/labels/matcher_test.go, TestMatcher.
const matchCases: readonly (readonly [type: MatchType, value: string, input: string, match: boolean])[] = [
  ["=", "bar", "bar", true],
  ["=", "bar", "foo-bar", false],
  ["!=", "bar", "bar", false],
  ["!=", "bar", "foo-bar", true],
  ["=~", "bar", "bar", true],
  ["=~", "bar", "foo-bar", false],
  ["=~", ".*bar", "foo-bar", true],
  ["!~", "bar", "bar", false],
  ["!~", "bar", "foo-bar", true],
  ["!~", ".*bar", "foo-bar", false],
  ["=~", "foo.bar", "foo-bar", true],
  ["=~", "foo\\.bar", "foo-bar", false],
  ["=~", "foo\\.bar", "foo.bar", true],
  ["=", "foo\nbar", "foo\nbar", true],
  ["=~", "foo.bar", "foo\nbar", false],
  ["=~", "(?s)foo.bar", "foo\nbar", true],
  ["=", '~!="', '~!="', true],
];

// pkg/labels/matcher_test.go, TestMatcherString (the 9 cases with label names valid in 0.25).
const stringCases: readonly (readonly [type: MatchType, value: string, want: string])[] = [
  ["=", "bar", 'foo="bar"'],
  ["!=", "bar", 'foo!="bar"'],
  ["=~", "bar", 'foo=~"bar"'],
  ["!~", "bar", 'foo!~"bar"'],
  ["=", "back\\slash", 'foo="back\\\\slash"'],
  ["=", 'double"quote', 'foo="double\\"quote"'],
  ["=", "new\nline", 'foo="new\\nline"'],
  ["=", "tab\tstop", 'foo="tab\tstop"'],
  ["=", "🙂", 'foo="🙂"'],
];

describe("upstream pkg/labels/parse_test.go TestMatchers (Alertmanager 0.25)", () => {
  for (const [input, want] of parseCases)
    it(JSON.stringify(input), () => {
      const result = parseMatchers(input);
      if (want === null) assert.equal(result.ok, false, `${input} should be rejected`);
      else {
        assert.ok(result.ok, result.ok ? "" : JSON.stringify(result.problems));
        assert.deepEqual(
          result.matchers.map((m) => [m.name, m.type, m.value]),
          want.map((t) => [...t]),
        );
      }
    });

  for (const input of outsideWhitespace)
    it(`rejects whitespace outside the braces: ${JSON.stringify(input)}`, () => {
      assert.equal(parseMatchers(input).ok, false);
    });
});

describe("upstream pkg/labels/matcher_test.go TestMatcher", () => {
  for (const [type, value, input, match] of matchCases)
    it(`${type}${JSON.stringify(value)} on ${JSON.stringify(input)} → ${match}`, () => {
      const result = newMatcher("foo", type, value);
      assert.ok(result.ok);
      assert.equal(matches(result.matcher, input), match);
    });
});

describe("upstream pkg/labels/matcher_test.go TestMatcherString", () => {
  for (const [type, value, want] of stringCases)
    it(want, () => {
      const result = newMatcher("foo", type, value);
      assert.ok(result.ok);
      assert.equal(matcherString(result.matcher), want);
    });
});
