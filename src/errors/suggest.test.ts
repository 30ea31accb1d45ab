import assert from "node:assert/strict";
import { it } from "node:test";
import { suggest } from "./suggest.js";

it("suggests the nearest key for typos, transpositions and other spellings, and nothing for strangers", () => {
  const drift = ["type", "method", "significance", "correction", "ks_mode", "emergency_share"];
  assert.equal(suggest("signficance", drift), "significance");
  assert.equal(suggest("mehtod", drift), "method");
  assert.equal(suggest("Correction", drift), "correction");
  assert.equal(suggest("ksMode", drift), "ks_mode");
  assert.equal(suggest("emergency-share", drift), "emergency_share");
  assert.equal(suggest("alpha", drift), undefined);
  assert.equal(suggest("colour", ["window", "lateness"]), undefined);
  // Short words allow one edit only, so "min" does not become "mae".
  assert.equal(suggest("xy", ["ab"]), undefined);
  // Two equally near candidates: no coin-flip suggestion.
  assert.equal(suggest("bat", ["cat", "hat"]), undefined);
});
