/**
 * The part every fairness accumulator shares: declared sensitive attributes, and per attribute a bounded
 * map from group value to that group's state, with counts of events that had no value (missing) or whose
 * value arrived after the map was full (overflow). Memory is O(attributes × maxGroups × state), whatever
 * the number of events: a high-cardinality column given as an attribute by mistake (a zip code, a user
 * id) fills the map and then only counts overflow, instead of growing without bound.
 */

import { expectArray, expectCount, expectRecord, expectString } from "../metrics/json.js";

/**
 * The default bound on groups kept per attribute.
 *
 * @example
 * ```ts
 * new GroupConfusionAccumulator({ attributes: ["sex"] }).maxGroups === DEFAULT_MAX_GROUPS; // true
 * ```
 */
export const DEFAULT_MAX_GROUPS = 1000;

/**
 * The sensitive attributes of one event: attribute name → group value, or null (or absent) when the
 * event does not carry it.
 *
 * @example
 * ```ts
 * const groups: SensitiveGroups = { sex: "Female", race: null };
 * ```
 */
export type SensitiveGroups = Readonly<Record<string, string | null | undefined>>;

/**
 * How an accumulator creates, merges and serialises the state of one group.
 *
 * @example
 * ```ts
 * const ops: GroupStateOps<{ n: number }> = {
 *   create: () => ({ n: 0 }),
 *   merge: (into, from) => { into.n += from.n; },
 *   clone: (s) => ({ ...s }),
 *   total: (s) => s.n,
 *   toJSON: (s) => ({ n: s.n }),
 *   fromJSON: (r, what) => ({ n: expectCount(r.n, `${what}.n`) }),
 * };
 * ```
 */
export interface GroupStateOps<S> {
  create(): S;
  merge(into: S, from: S): void;
  clone(state: S): S;
  /** Events the state holds (counted as overflow when a merge finds the map full). */
  total(state: S): number;
  toJSON(state: S): Record<string, unknown>;
  fromJSON(record: Record<string, unknown>, what: string): S;
}

/**
 * One attribute's groups, sorted by value (code point order, as Python sorts strings).
 *
 * @example
 * ```ts
 * const { attribute, missing, overflow, groups }: AttributeGroups<GroupCounts> = table.attribute("sex");
 * ```
 */
export interface AttributeGroups<S> {
  readonly attribute: string;
  /** Events without a value for this attribute. */
  readonly missing: number;
  /** Events whose value came after `maxGroups` values had been seen: counted, not kept by group. */
  readonly overflow: number;
  readonly groups: ReadonlyArray<{ readonly group: string; readonly state: Readonly<S> }>;
}

interface Slot<S> {
  readonly groups: Map<string, S>;
  missing: number;
  overflow: number;
}

/**
 * Per attribute, per group value, a state `S`; bounded, mergeable, serialisable.
 *
 * @example
 * ```ts
 * const table = new GroupTable(["sex", "race"], 1000, ops);
 * for (const state of table.resolve({ sex: "Female", race: "White" })) if (state) state.n += 1;
 * ```
 */
export class GroupTable<S> {
  readonly attributes: readonly string[];
  readonly maxGroups: number;
  private readonly ops: GroupStateOps<S>;
  private readonly slots = new Map<string, Slot<S>>();

  constructor(attributes: readonly string[], maxGroups: number, ops: GroupStateOps<S>) {
    if (!Array.isArray(attributes) || attributes.length === 0) {
      throw new RangeError("attributes must name at least one sensitive attribute");
    }
    for (const name of attributes) {
      if (typeof name !== "string" || name === "")
        throw new TypeError("attribute names must be non-empty strings");
      if (this.slots.has(name)) throw new RangeError(`attribute "${name}" is declared twice`);
      this.slots.set(name, { groups: new Map(), missing: 0, overflow: 0 });
    }
    if (!Number.isSafeInteger(maxGroups) || maxGroups < 1) {
      throw new RangeError(`maxGroups must be a positive integer, got ${maxGroups}`);
    }
    this.attributes = [...attributes];
    this.maxGroups = maxGroups;
    this.ops = ops;
  }

  /**
   * Throws, changing nothing, unless `groups` is an object whose keys are declared attributes and whose
   * values are strings, null or undefined. An undeclared key is a bug in the caller (a typo would
   * otherwise silently count every event as missing), so it throws rather than being ignored.
   */
  validate(groups: SensitiveGroups): void {
    if (typeof groups !== "object" || groups === null || Array.isArray(groups)) {
      throw new TypeError("groups must be an object of attribute → group value");
    }
    for (const [key, value] of Object.entries(groups)) {
      if (!this.slots.has(key)) throw new RangeError(`"${key}" is not a declared sensitive attribute`);
      if (value !== null && value !== undefined && typeof value !== "string") {
        throw new TypeError(`the group value of "${key}" must be a string or null, got ${typeof value}`);
      }
    }
  }

  /**
   * The states of an event's groups that already exist, without counting anything or creating a group:
   * for a label that completes an event counted earlier (its missing or overflow groups were counted then).
   */
  lookup(groups: SensitiveGroups): Array<S | null> {
    return this.attributes.map((name) => {
      const value = Object.hasOwn(groups, name) ? groups[name] : undefined;
      if (value === null || value === undefined) return null;
      return this.slots.get(name)!.groups.get(value) ?? null;
    });
  }

  /**
   * The state of this event's group for each attribute, in `attributes` order: null where the value is
   * missing or the map is full (those counters are incremented here). Call {@link GroupTable.validate}
   * first.
   */
  resolve(groups: SensitiveGroups): Array<S | null> {
    return this.attributes.map((name) => {
      const slot = this.slots.get(name)!;
      const value = Object.hasOwn(groups, name) ? groups[name] : undefined;
      if (value === null || value === undefined) {
        slot.missing += 1;
        return null;
      }
      let state = slot.groups.get(value);
      if (state === undefined) {
        if (slot.groups.size >= this.maxGroups) {
          slot.overflow += 1;
          return null;
        }
        state = this.ops.create();
        slot.groups.set(value, state);
      }
      return state;
    });
  }

  /**
   * Adds another table of the same attributes; `other` is not changed. Groups new to this table are
   * copied while there is room; past `maxGroups` their events count as overflow, so the result can
   * depend on the merge order only in which groups overflow, never in the totals.
   */
  merge(other: GroupTable<S>): void {
    if (
      other.attributes.length !== this.attributes.length ||
      other.attributes.some((name, i) => name !== this.attributes[i])
    ) {
      throw new RangeError("cannot merge fairness accumulators with different attributes");
    }
    for (const name of this.attributes) {
      const mine = this.slots.get(name)!;
      const theirs = other.slots.get(name)!;
      mine.missing += theirs.missing;
      mine.overflow += theirs.overflow;
      // Sorted, so that which groups overflow does not depend on the other table's arrival order.
      for (const [group, state] of sortedEntries(theirs.groups)) {
        const existing = mine.groups.get(group);
        if (existing !== undefined) this.ops.merge(existing, state);
        else if (mine.groups.size < this.maxGroups) mine.groups.set(group, this.ops.clone(state));
        else mine.overflow += this.ops.total(state);
      }
    }
  }

  /** One attribute's groups, sorted by value. Throws for an undeclared attribute. */
  attribute(name: string): AttributeGroups<S> {
    const slot = this.slots.get(name);
    if (slot === undefined) throw new RangeError(`"${name}" is not a declared sensitive attribute`);
    return {
      attribute: name,
      missing: slot.missing,
      overflow: slot.overflow,
      groups: sortedEntries(slot.groups).map(([group, state]) => ({ group, state })),
    };
  }

  /** `{ maxGroups, attributes: [{ name, missing, overflow, groups: [{ group, …state }] }] }`. */
  toJSON(): { maxGroups: number; attributes: Array<Record<string, unknown>> } {
    return {
      maxGroups: this.maxGroups,
      attributes: this.attributes.map((name) => {
        const slot = this.slots.get(name)!;
        return {
          name,
          missing: slot.missing,
          overflow: slot.overflow,
          groups: sortedEntries(slot.groups).map(([group, state]) => ({ group, ...this.ops.toJSON(state) })),
        };
      }),
    };
  }

  /** Rebuilds a table from the `maxGroups` and `attributes` fields of {@link GroupTable.toJSON}'s form. */
  static fromJSON<S>(record: Record<string, unknown>, ops: GroupStateOps<S>): GroupTable<S> {
    const maxGroups = expectCount(record.maxGroups, "maxGroups");
    const attributes = expectArray(record.attributes, "attributes").map((value, i) =>
      expectRecord(value, `attributes[${i}]`),
    );
    const table = new GroupTable(
      attributes.map((a, i) => expectString(a.name, `attributes[${i}].name`)),
      maxGroups,
      ops,
    );
    attributes.forEach((a, i) => {
      const slot = table.slots.get(table.attributes[i]!)!;
      slot.missing = expectCount(a.missing, `attributes[${i}].missing`);
      slot.overflow = expectCount(a.overflow, `attributes[${i}].overflow`);
      const groups = expectArray(a.groups, `attributes[${i}].groups`);
      if (groups.length > maxGroups)
        throw new RangeError(`fromJSON: attributes[${i}] has more than maxGroups groups`);
      groups.forEach((value, j) => {
        const what = `attributes[${i}].groups[${j}]`;
        const g = expectRecord(value, what);
        const group = expectString(g.group, `${what}.group`);
        if (slot.groups.has(group)) throw new RangeError(`fromJSON: ${what} repeats group "${group}"`);
        slot.groups.set(group, ops.fromJSON(g, what));
      });
    });
    return table;
  }
}

/**
 * Orders strings by code point, as Python's `sorted` does (JavaScript's `<` compares UTF-16 code units,
 * which puts astral characters before U+E000–U+FFFF).
 *
 * @example
 * ```ts
 * ["b", "B", "a"].sort(compareCodePoints); // ["B", "a", "b"]
 * ```
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    return (a.codePointAt(i) ?? x) - (b.codePointAt(i) ?? y);
  }
  return a.length - b.length;
}

function sortedEntries<S>(groups: Map<string, S>): Array<[string, S]> {
  return [...groups.entries()].sort((a, b) => compareCodePoints(a[0], b[0]));
}
