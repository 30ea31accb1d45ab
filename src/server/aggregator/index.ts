export { Aggregator, type AggregatorOptions, type AppendedEvents, type OpenWindow } from "./aggregator.js";
export { type EventJoin, joinOf, type LoggedLabel } from "./log-lines.js";
