import { groupsOf, type PredictionEvent, type WindowModel } from "../../monitor/index.js";

/** What a late label needs of its event to update the event's window: kept in the store's index. */
export interface EventJoin {
  readonly prediction: PredictionEvent["prediction"];
  readonly scores: PredictionEvent["scores"];
  /** The sensitive attributes' values, when the model has any: the label's fairness counts need them. */
  readonly groups?: Record<string, string | null>;
}

/** A logged label line: the label and the fields of its event (see the store's `labelLogLine`). */
export interface LoggedLabel {
  readonly label: { readonly id: string; readonly value: number | string; readonly time: number };
  readonly event: { readonly version: string; readonly time: number; readonly join: EventJoin };
}

/**
 * The join fields of an event, JSON encoded for the store's event index.
 *
 * @example
 * ```ts
 * joinOf(runtime.window, event); // '{"prediction":2,"scores":null}'
 * ```
 */
export function joinOf(window: Pick<WindowModel, "sensitive">, event: PredictionEvent): string {
  const groups = (window.sensitive ?? []).length > 0 ? groupsOf(window, event.features) : undefined;
  const join: EventJoin = {
    prediction: event.prediction,
    scores: event.scores,
    ...(groups === undefined ? {} : { groups }),
  };
  return JSON.stringify(join);
}
