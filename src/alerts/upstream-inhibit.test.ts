/**
 * Cases transcribed from Alertmanager's inhibit/inhibit_test.go, as data tables (its behaviour is
 * the same in 0.25 and later for these cases).
 *
 * Transcribed: 24 cases.
 * - `TestInhibitRuleHasEqual`: 5 of 5. `hasEqual` is private upstream and is called with
 *   `excludeTwoSidedMatch` false; here the input carries a marker label `target="yes"` that the rule's
 *   source matcher `target!="yes"` excludes, so the two-sided exclusion is equally out of play.
 *   Resolved source alerts are left out by the caller (`inhibitedBy` takes firing sources), as the
 *   upstream rule's cache skips them.
 * - `TestInhibitRuleMatches`: 8 of 8, with its rules as written upstream (legacy
 *   `source_match`/`target_match`) and as the equivalent `source_matchers`/`target_matchers`.
 * - `TestInhibitRuleMatchers`: 8 of 8.
 * - `TestInhibit`: 3 of 3 (the latest update of an alert wins, so a resolved update ends inhibition).
 * Skipped: none of the cases of these four tests.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fingerprint } from "./fingerprint.js";
import {
  buildInhibitRules,
  type InhibitionSource,
  type InhibitRule,
  type InhibitRuleConfig,
  inhibitedBy,
} from "./inhibition.js";
import type { Labels } from "./labels.js";

function source(labels: Labels): InhibitionSource {
  return { fingerprint: fingerprint(labels), labels };
}

function rules(...configs: InhibitRuleConfig[]): readonly InhibitRule[] {
  const result = buildInhibitRules(configs);
  assert.ok(result.ok, result.ok ? "" : JSON.stringify(result.problems));
  return result.rules;
}

// TestInhibitRuleHasEqual: firing sources (resolved ones already left out), equal, input, result.
const hasEqualCases: readonly (readonly [
  what: string,
  firing: readonly Labels[],
  equal: readonly string[],
  input: Labels,
  result: boolean,
])[] = [
  ["no source alerts at all", [], [], { a: "b" }, false],
  ["no equal labels: any source alert satisfies the requirement", [{}], [], { a: "b" }, true],
  ["matching but already resolved", [], ["a", "b"], { a: "b", b: "c" }, false],
  ["matching and unresolved", [{ a: "b", c: "f" }], ["a"], { a: "b" }, true],
  ["equal label does not match", [], ["a"], { a: "b" }, false],
];

// TestInhibitRuleMatches and TestInhibitRuleMatchers share their sources and targets.
const sourceAlert1 = { s1: "1", t1: "2", e: "1" };
const sourceAlert2 = { s2: "1", t2: "1", e: "1" };
const matchTargets: readonly Labels[] = [
  { t1: "1", e: "1" },
  { t2: "1", e: "1" },
  { t1: "1", t3: "1", e: "1" },
  { t1: "1", t2: "1", e: "1" },
  { t1: "0", e: "1" },
  { s1: "1", t1: "1", e: "1" },
  { s2: "1", t2: "1", e: "1" },
  { t1: "1", e: "0" },
];
const matchesExpected = [true, true, true, true, false, true, false, false];
const matchersExpected = [false, true, false, true, true, false, true, false];

describe("upstream inhibit/inhibit_test.go", () => {
  for (const [what, firing, equal, input, result] of hasEqualCases)
    it(`TestInhibitRuleHasEqual: ${what}`, () => {
      const rule = rules({ source_matchers: ['target!="yes"'], target_matchers: [], equal: [...equal] });
      const muted = inhibitedBy(rule, { ...input, target: "yes" }, firing.map(source)).length > 0;
      assert.equal(muted, result);
    });

  const legacy = rules(
    { source_matchers: ['s1="1"'], target_matchers: ['t1="1"'], equal: ["e"] },
    { source_matchers: ['s2="1"'], target_matchers: ['t2="1"'], equal: ["e"] },
  );
  const modern = rules(
    { source_matchers: ['s1="1"'], target_matchers: ['t1!="1"'], equal: ["e"] },
    { source_matchers: ['s2="1"'], target_matchers: ['t2="1"'], equal: ["e"] },
  );
  // TestInhibitRuleMatches's rules exactly as upstream writes them: SourceMatch/TargetMatch maps.
  const asWritten = rules(
    { source_match: { s1: "1" }, target_match: { t1: "1" }, equal: ["e"] },
    { source_match: { s2: "1" }, target_match: { t2: "1" }, equal: ["e"] },
  );
  const sources = [source(sourceAlert1), source(sourceAlert2)];
  matchTargets.forEach((target, i) => {
    it(`TestInhibitRuleMatches ${JSON.stringify(target)} → ${matchesExpected[i]}`, () => {
      assert.equal(inhibitedBy(legacy, target, sources).length > 0, matchesExpected[i]);
      assert.equal(inhibitedBy(asWritten, target, sources).length > 0, matchesExpected[i]);
    });
    it(`TestInhibitRuleMatchers ${JSON.stringify(target)} → ${matchersExpected[i]}`, () => {
      assert.equal(inhibitedBy(modern, target, sources).length > 0, matchersExpected[i]);
    });
  });

  // TestInhibit: alertOne {t=1,e=f} and alertTwo {s=1,e=f}, firing or resolved; latest update wins.
  const inhibit = rules({ source_matchers: ['s="1"'], target_matchers: ['t="1"'], equal: ["e"] });
  const alertOne = { t: "1", e: "f" };
  const alertTwo = { s: "1", e: "f" };
  const inhibitCases: readonly (readonly [
    what: string,
    updates: readonly (readonly [Labels, boolean])[],
    expected: readonly (readonly [Labels, boolean])[],
  ])[] = [
    ["alertOne is not muted while alertTwo has not fired", [[alertOne, false]], [[alertOne, false]]],
    [
      "alertOne is muted by the active alertTwo",
      [
        [alertOne, false],
        [alertTwo, false],
      ],
      [
        [alertOne, true],
        [alertTwo, false],
      ],
    ],
    [
      "alertOne is not muted once alertTwo resolved",
      [
        [alertOne, false],
        [alertTwo, false],
        [alertTwo, true],
      ],
      [
        [alertOne, false],
        [alertTwo, false],
      ],
    ],
  ];
  for (const [what, updates, expected] of inhibitCases)
    it(`TestInhibit: ${what}`, () => {
      const latest = new Map<string, readonly [Labels, boolean]>();
      for (const update of updates) latest.set(fingerprint(update[0]), update);
      const firing = [...latest.values()]
        .filter(([, resolved]) => !resolved)
        .map(([labels]) => source(labels));
      for (const [labels, muted] of expected)
        assert.equal(inhibitedBy(inhibit, labels, firing).length > 0, muted, JSON.stringify(labels));
    });
});
