import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isMissingToken, MISSING_TOKENS } from "./missing-tokens.js";
import { parseDecimal, parseDecimalInto, scanPlainDecimal } from "./parse-decimal.js";

const encoder = new TextEncoder();

function parse(text: string): number {
  const bytes = encoder.encode(text);
  return parseDecimal(bytes, 0, bytes.length);
}

/** What parseDecimal must return: Number(text) when finite, else NaN. */
function expected(text: string): number {
  const value = Number(text);
  return Number.isFinite(value) ? value : Number.NaN;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomDouble(random: () => number): number {
  const bits = new DataView(new ArrayBuffer(8));
  bits.setUint32(0, Math.floor(random() * 2 ** 32));
  bits.setUint32(4, Math.floor(random() * 2 ** 32));
  return bits.getFloat64(0);
}

function randomDigits(random: () => number, count: number): string {
  let text = "";
  for (let k = 0; k < count; k++) text += String(Math.floor(random() * 10));
  return text;
}

/** Formatted values of many shapes: what CSV writers produce, and nastier. */
function randomNumberText(random: () => number): string {
  const sign = random() < 0.3 ? "-" : random() < 0.05 ? "+" : "";
  switch (Math.floor(random() * 10)) {
    case 0: {
      const value = randomDouble(random);
      return Number.isFinite(value) ? String(value) : "1";
    }
    case 1:
      return sign + (random() * 10 ** Math.floor(random() * 12)).toPrecision(1 + Math.floor(random() * 21));
    case 2:
      return sign + (random() * 1000).toFixed(Math.floor(random() * 12));
    case 3:
      return sign + random().toExponential(Math.floor(random() * 20));
    case 4: // long mantissas around and past 2^53
      return `${sign}${randomDigits(random, 1 + Math.floor(random() * 25))}`;
    case 5: // decimals with many digits on both sides
      return `${sign}${randomDigits(random, Math.floor(random() * 12))}.${randomDigits(random, Math.floor(random() * 25))}`;
    case 6: // explicit exponents, large and small
      return `${sign}${randomDigits(random, 1 + Math.floor(random() * 17))}e${random() < 0.5 ? "-" : random() < 0.5 ? "+" : ""}${Math.floor(random() * 330)}`;
    case 7: // subnormals and near the top of the range
      return `${sign}${(random() * 10).toFixed(Math.floor(random() * 17))}e${random() < 0.5 ? -300 - Math.floor(random() * 30) : 300 + Math.floor(random() * 9)}`;
    case 8: // leading zeros, bare dots
      return `${sign}${"0".repeat(Math.floor(random() * 4))}${randomDigits(random, Math.floor(random() * 4))}.${randomDigits(random, Math.floor(random() * 4))}`;
    default:
      return `${sign}${Math.floor(random() * 1e6)}`;
  }
}

describe("parseDecimal", () => {
  it("equals Number() on 200,000 seeded random formatted values", () => {
    const random = mulberry32(20240601);
    for (let k = 0; k < 200_000; k++) {
      const text = randomNumberText(random);
      const got = parse(text);
      const want = expected(text);
      if (!Object.is(got, want))
        assert.fail(`parseDecimal(${JSON.stringify(text)}) = ${got}, Number() = ${want}`);
    }
  });

  it("equals Number() on edge cases", () => {
    const cases = [
      "0",
      "-0",
      "+0",
      "-0.0",
      "0e999999999",
      "-0e-5",
      ".5",
      "5.",
      "-.5",
      "+.5e1",
      "5.e3",
      "1e-5",
      "2.5E+3",
      "2.5e+03",
      "351",
      "0.5283749",
      "-12.25",
      "007",
      "0.1",
      "0.3",
      "9007199254740991",
      "9007199254740992",
      "9007199254740993",
      "9007199254740993e-5",
      "18014398509481985",
      "123456789012345678901234567890",
      "0.30000000000000004",
      "1.7976931348623157e308",
      "1.7976931348623158e308",
      "1.7976931348623159e308",
      "4.9406564584124654e-324",
      "2.4703282292062327e-324",
      "2.4703282292062328e-324",
      "2.2250738585072011e-308",
      "2.2250738585072014e-308",
      "1e-400",
      "-1e-400",
      "1e22",
      "1e23",
      "1e-22",
      "1e-23",
      "123456789012345e-22",
      "8.98846567431158e307",
      "3.141592653589793238462643383279",
      `0.${"0".repeat(400)}1`,
      `1${"0".repeat(300)}`,
      "  42  ",
      "\t-3.5\t",
    ];
    for (const text of cases) {
      assert.ok(
        Object.is(parse(text), expected(text)),
        `${JSON.stringify(text)}: ${parse(text)} vs ${expected(text)}`,
      );
    }
  });

  it("rejects what is not a finite decimal", () => {
    const rejected = [
      "",
      "   ",
      "-",
      "+",
      ".",
      "-.",
      "e5",
      ".e5",
      "1e",
      "1e+",
      "1e-",
      "1..2",
      "1.2.3",
      "--1",
      "+-1",
      "1-",
      "inf",
      "-inf",
      "Infinity",
      "-Infinity",
      "NaN",
      "nan",
      "0x10",
      "0b1",
      "0o7",
      "1_000",
      "1,5",
      "1 2",
      "abc",
      "12abc",
      "true",
      "1e400",
      "-1e400",
      "1.8e308",
      "١٢",
    ];
    for (const text of rejected) assert.ok(Number.isNaN(parse(text)), JSON.stringify(text));
  });

  it("parses a range inside a larger buffer", () => {
    const bytes = encoder.encode("x,-12.25e1,y");
    assert.equal(parseDecimal(bytes, 2, 10), -122.5);
    assert.ok(Number.isNaN(parseDecimal(bytes, 0, 1)));
  });

  it("parseDecimalInto writes the value and leaves the target alone on failure", () => {
    const out = new Float64Array([7]);
    assert.equal(parseDecimalInto(encoder.encode("abc"), 0, 3, out, 0), false);
    assert.equal(out[0], 7);
    assert.equal(parseDecimalInto(encoder.encode("2.5E+3"), 0, 6, out, 0), true);
    assert.equal(out[0], 2500);
  });
});

describe("scanPlainDecimal", () => {
  it("agrees with Number() whenever it accepts, and stops at the first byte after the number", () => {
    const random = mulberry32(7);
    const out = new Float64Array(1);
    let accepted = 0;
    for (let k = 0; k < 100_000; k++) {
      const text = randomNumberText(random);
      const bytes = encoder.encode(`${text},`);
      const after = scanPlainDecimal(bytes, 0, bytes.length, out, 0);
      if (after < 0) continue;
      if (after !== text.length) continue; // stopped early (an exponent): the caller falls back
      accepted++;
      if (!Object.is(out[0], Number(text)))
        assert.fail(`${JSON.stringify(text)}: ${out[0]} vs ${Number(text)}`);
    }
    assert.ok(accepted > 30_000, `only ${accepted} took the fast path`);
  });

  it("declines empty tokens, huge mantissas and long fractions", () => {
    const out = new Float64Array(1);
    for (const text of ["", "-", ".", "9007199254740993", `0.${"1".repeat(23)}`, '"1"']) {
      const bytes = encoder.encode(text);
      assert.equal(scanPlainDecimal(bytes, 0, bytes.length, out, 0), -1, JSON.stringify(text));
    }
    const bytes = encoder.encode("-0,");
    assert.equal(scanPlainDecimal(bytes, 0, bytes.length, out, 0), 2);
    assert.ok(Object.is(out[0], -0));
  });
});

describe("isMissingToken", () => {
  it("accepts exactly the documented tokens, trimmed of spaces and tabs", () => {
    for (const token of MISSING_TOKENS) {
      for (const text of [token, ` ${token}`, `${token}\t `]) {
        const bytes = encoder.encode(text);
        assert.ok(isMissingToken(bytes, 0, bytes.length), JSON.stringify(text));
      }
    }
    for (const text of [
      "na",
      "n/a",
      "NAN",
      "Null",
      "none",
      "NONE",
      "-",
      "?",
      "N/",
      "#NA",
      "NA NA",
      "0",
      "nil",
      "NaT",
    ]) {
      const bytes = encoder.encode(text);
      assert.equal(isMissingToken(bytes, 0, bytes.length), false, JSON.stringify(text));
    }
  });
});
