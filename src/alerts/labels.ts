/**
 * Label sets: the identity of an alert, and the two ways Alertmanager prints them (group keys, route
 * keys). Printing matters because group keys are compared across restarts and, later, with a real
 * Alertmanager: a key printed differently is a different group.
 */

/**
 * A set of labels (or annotations): name → value. An empty value means "no such label", as in
 * Prometheus; {@link normalizeLabels} drops them.
 *
 * @example
 * ```ts
 * const labels: Labels = { alertname: "ModelLatencyHigh", model: "bike", severity: "warning" };
 * ```
 */
export type Labels = Readonly<Record<string, string>>;

/**
 * A copy without empty values, names sorted. Alertmanager drops empty-valued labels on ingest (checked
 * against 0.25: a posted `a=""` is gone from the stored alert and from its fingerprint), so an alert
 * built with `column: ""` and one built without `column` must be the same alert.
 *
 * @example
 * ```ts
 * normalizeLabels({ model: "bike", column: "" }); // { model: "bike" }
 * ```
 */
export function normalizeLabels(labels: Labels): Labels {
  // Object.fromEntries defines own properties, so a label named `__proto__` stays a label.
  return Object.fromEntries(
    Object.keys(labels)
      .sort(compareNames)
      .flatMap((name) => {
        const value = labels[name];
        return value !== undefined && value !== "" ? [[name, value] as const] : [];
      }),
  );
}

/**
 * Byte-wise order of label names, as Go's `sort.Strings`. `localeCompare` would order by locale, and
 * the default `sort()` compares UTF-16 code units; for the ASCII label names Prometheus allows these
 * agree, but the fingerprint is only stable if every caller sorts the same way, so there is one
 * comparator.
 *
 * @example
 * ```ts
 * ["model", "alertname"].sort(compareNames); // ["alertname", "model"]
 * ```
 */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A label's value, or undefined when the set has no such label. Plain indexing would also find
 * `Object.prototype` members (`labels.constructor` is a function), which a matcher on a label named
 * `constructor` must not see.
 *
 * @example
 * ```ts
 * labelValue({ model: "bike" }, "constructor"); // undefined
 * ```
 */
export function labelValue(labels: Labels, name: string): string | undefined {
  return Object.hasOwn(labels, name) ? labels[name] : undefined;
}

const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * True for a valid Prometheus label name (`[a-zA-Z_][a-zA-Z0-9_]*`).
 *
 * @example
 * ```ts
 * isLabelName("model"); // true
 * isLabelName("1st"); // false
 * ```
 */
export function isLabelName(name: string): boolean {
  return labelName.test(name);
}

/**
 * The labels two sets share with equal values (Alertmanager's `commonLabels`/`commonAnnotations`).
 *
 * @example
 * ```ts
 * commonLabels([{ model: "a", severity: "warning" }, { model: "a", severity: "critical" }]); // { model: "a" }
 * ```
 */
export function commonLabels(sets: readonly Labels[]): Labels {
  const [first, ...rest] = sets;
  if (first === undefined) return {};
  return Object.fromEntries(
    Object.keys(first)
      .sort(compareNames)
      .filter((name) => rest.every((set) => Object.hasOwn(set, name) && set[name] === first[name]))
      .map((name) => [name, first[name]!] as const),
  );
}

/**
 * Alertmanager's `LabelSet.String()`: `{a="1", b="2"}`, names sorted, values quoted as Go's `%q`. This
 * is the second half of a group key.
 *
 * @example
 * ```ts
 * labelSetString({ model: "resnet50", alertname: "GpuMemoryHigh" });
 * // '{alertname="GpuMemoryHigh", model="resnet50"}'
 * ```
 */
export function labelSetString(labels: Labels): string {
  const parts = Object.keys(labels)
    .sort(compareNames)
    .map((name) => `${name}=${goQuote(labels[name]!)}`);
  return `{${parts.join(", ")}}`;
}

// Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. Every other
// character (other spaces, controls, format characters) is escaped by strconv.Quote.
const printable = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
const shortEscapes: Readonly<Record<string, string>> = {
  "\u0007": "\\a",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\v": "\\v",
  "\\": "\\\\",
  '"': '\\"',
};

/**
 * Go's `strconv.Quote` (what `%q` prints): double quotes; `\a \b \f \n \r \t \v \\ \"`; other control
 * characters as `\xHH`; characters Go does not consider printable as `\uHHHH` / `\UHHHHHHHH`; lone
 * surrogates as `\ufffd` (Go replaces invalid UTF-8 so). Checked against Alertmanager 0.25's group
 * keys for a tab, BEL, DEL, a no-break space and a zero-width space. "Printable" follows the Unicode
 * version of the JavaScript engine, which may differ from Go's for characters added recently.
 *
 * @example
 * ```ts
 * goQuote('a"b\tc'); // '"a\\"b\\tc"'
 * ```
 */
export function goQuote(value: string): string {
  let out = '"';
  for (const char of value) {
    const short = shortEscapes[char];
    if (short !== undefined) {
      out += short;
      continue;
    }
    const code = char.codePointAt(0)!;
    if (code < 0x20 || code === 0x7f) out += `\\x${hex(code, 2)}`;
    else if (code >= 0xd800 && code <= 0xdfff) out += "\\ufffd";
    else if (printable.test(char)) out += char;
    else if (code < 0x10000) out += `\\u${hex(code, 4)}`;
    else out += `\\U${hex(code, 8)}`;
  }
  return `${out}"`;
}

/**
 * OpenMetrics escaping inside double quotes (`\\`, `\n`, `\"`), which Alertmanager uses to print a
 * matcher's value, e.g. in a route key.
 *
 * @example
 * ```ts
 * openMetricsQuote('a"b'); // '"a\\"b"'
 * ```
 */
export function openMetricsQuote(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"')}"`;
}

function hex(code: number, width: number): string {
  return code.toString(16).padStart(width, "0");
}
