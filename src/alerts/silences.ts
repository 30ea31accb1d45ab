/**
 * Silences: "mute what these matchers select, from this time to that, because …", as Alertmanager's.
 * A silenced alert still exists and is still listed (state `suppressed`, `silencedBy`); only its
 * notifications stop.
 */
import type { Labels } from "./labels.js";
import {
  type Matcher,
  type MatcherJson,
  matcherFromJson,
  matcherToJson,
  matches,
  matchesAll,
} from "./matchers.js";

/**
 * A silence. Times are epoch milliseconds; it is active from `startsAt` (inclusive) to `endsAt`
 * (exclusive).
 *
 * @example
 * ```ts
 * const silence: Silence = {
 *   id: "7d1c…", matchers: [modelIsBike], startsAt: Date.parse("2026-11-27T10:00:00Z"),
 *   endsAt: Date.parse("2026-11-27T12:00:00Z"), createdBy: "ana", comment: "retraining bike, ignore drift",
 * };
 * ```
 */
export interface Silence {
  readonly id: string;
  readonly matchers: readonly Matcher[];
  readonly startsAt: number;
  readonly endsAt: number;
  readonly createdBy: string;
  readonly comment: string;
}

/**
 * A silence in Alertmanager's API v2 JSON form; times as RFC 3339 strings (epoch milliseconds are
 * accepted too).
 *
 * @example
 * ```ts
 * const json: SilenceJson = {
 *   id: "7d1c…", matchers: [{ name: "model", value: "bike", isRegex: false, isEqual: true }],
 *   startsAt: "2026-11-27T10:00:00Z", endsAt: "2026-11-27T12:00:00Z", createdBy: "ana", comment: "retraining",
 * };
 * ```
 */
export interface SilenceJson {
  readonly id: string;
  readonly matchers: readonly MatcherJson[];
  readonly startsAt: string | number;
  readonly endsAt: string | number;
  readonly createdBy: string;
  readonly comment: string;
}

/**
 * A silence's state at a given time: before its start `pending`, until its end `active`, then
 * `expired`.
 *
 * @example
 * ```ts
 * const state: SilenceState = silenceState(silence, now);
 * ```
 */
export type SilenceState = "pending" | "active" | "expired";

/**
 * The state of a silence at `now` (Alertmanager's `CalcSilenceState`).
 *
 * @example
 * ```ts
 * silenceState({ ...silence, startsAt: 1000, endsAt: 2000 }, 1500); // "active"
 * ```
 */
export function silenceState(silence: Pick<Silence, "startsAt" | "endsAt">, now: number): SilenceState {
  if (now < silence.startsAt) return "pending";
  if (now < silence.endsAt) return "active";
  return "expired";
}

/**
 * What {@link silenceFromJson} returns: the silence, or every problem with it.
 *
 * @example
 * ```ts
 * const result: SilenceResult = silenceFromJson(body);
 * ```
 */
export type SilenceResult =
  | { readonly ok: true; readonly silence: Silence }
  | { readonly ok: false; readonly problems: readonly string[] };

/**
 * Reads and checks a silence in its JSON form, with Alertmanager's rules (an id; at least one matcher;
 * each matcher valid; at least one matcher that does not match the empty string, so a silence cannot
 * mute everything by accident; start and end times, the end not before the start) and two of its
 * API's required fields, who created it and why, which must not be empty. Every problem is reported.
 *
 * @example
 * ```ts
 * silenceFromJson({ id: "s1", matchers: [{ name: "model", value: "bike", isRegex: false }],
 *   startsAt: "2026-11-27T10:00:00Z", endsAt: "2026-11-27T12:00:00Z", createdBy: "ana", comment: "retraining" });
 * ```
 */
export function silenceFromJson(json: SilenceJson): SilenceResult {
  const problems: string[] = [];
  if (typeof json.id !== "string" || json.id === "") problems.push("id: missing");
  const matchers: Matcher[] = [];
  if (!Array.isArray(json.matchers) || json.matchers.length === 0)
    problems.push("matchers: at least one matcher is required");
  else
    json.matchers.forEach((m, i) => {
      const result = matcherFromJson(m);
      if (result.ok) matchers.push(result.matcher);
      else problems.push(`matchers[${i}]: ${result.problem.message}`);
    });
  if (
    matchers.length > 0 &&
    matchers.length === json.matchers.length &&
    matchers.every((m) => matches(m, ""))
  )
    problems.push(
      "matchers: at least one matcher must not match the empty string, or the silence mutes every alert",
    );
  const startsAt = time(json.startsAt, "startsAt", problems);
  const endsAt = time(json.endsAt, "endsAt", problems);
  if (startsAt !== null && endsAt !== null && endsAt < startsAt)
    problems.push("endsAt: the end time must not be before the start time");
  if (typeof json.createdBy !== "string" || json.createdBy.trim() === "")
    problems.push("createdBy: say who creates the silence");
  if (typeof json.comment !== "string" || json.comment.trim() === "")
    problems.push("comment: say why the alerts are silenced");
  if (problems.length > 0 || startsAt === null || endsAt === null) return { ok: false, problems };
  return {
    ok: true,
    silence: { id: json.id, matchers, startsAt, endsAt, createdBy: json.createdBy, comment: json.comment },
  };
}

function time(value: string | number, name: string, problems: string[]): number | null {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string") {
    // Date.parse reads many formats; an RFC 3339 time has a date, a time and a zone.
    const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(value)
      ? Date.parse(value)
      : Number.NaN;
    if (Number.isFinite(ms)) return ms;
    problems.push(`${name}: ${JSON.stringify(value)} is not an RFC 3339 time such as 2026-11-27T10:00:00Z`);
    return null;
  }
  problems.push(`${name}: missing; give an RFC 3339 time such as 2026-11-27T10:00:00Z`);
  return null;
}

/**
 * A silence in its JSON form, times as RFC 3339 strings, plus its state at `now`.
 *
 * @example
 * ```ts
 * silenceToJson(silence, now); // { id, matchers: [...], startsAt: "2026-…Z", …, status: { state: "active" } }
 * ```
 */
export function silenceToJson(
  silence: Silence,
  now: number,
): SilenceJson & { readonly status: { readonly state: SilenceState } } {
  return {
    id: silence.id,
    matchers: silence.matchers.map(matcherToJson),
    startsAt: new Date(silence.startsAt).toISOString(),
    endsAt: new Date(silence.endsAt).toISOString(),
    createdBy: silence.createdBy,
    comment: silence.comment,
    status: { state: silenceState(silence, now) },
  };
}

/**
 * The silence expired at `now`, as Alertmanager's expire: an active one ends now; a pending one
 * starts and ends now (it never mutes anything); an expired one is unchanged.
 *
 * @example
 * ```ts
 * silences = silences.map((s) => (s.id === id ? expireSilence(s, now) : s));
 * ```
 */
export function expireSilence(silence: Silence, now: number): Silence {
  switch (silenceState(silence, now)) {
    case "active":
      return { ...silence, endsAt: now };
    case "pending":
      return { ...silence, startsAt: now, endsAt: now };
    case "expired":
      return silence;
  }
}

/**
 * The ids of the silences active at `now` whose matchers all match the labels (a missing label is the
 * empty string), sorted. Empty: not silenced.
 *
 * @example
 * ```ts
 * silencedBy(silences, { alertname: "ModelDriftDetected", model: "bike" }, now); // ["s1"]
 * ```
 */
export function silencedBy(silences: readonly Silence[], labels: Labels, now: number): string[] {
  return silences
    .filter((s) => silenceState(s, now) === "active" && matchesAll(s.matchers, labels))
    .map((s) => s.id)
    .sort();
}
