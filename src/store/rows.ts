/**
 * The tables' rows as both SQL adapters read them (snake_case columns; JSON columns as text, bytes as
 * Uint8Array — pg's Buffer is one) and their mapping to the port's records: one definition, so the
 * SQLite and PostgreSQL stores cannot drift apart in how a record reads back. The adapters' SQL
 * stays their own.
 */
import { TikTokToeError } from "../errors/index.js";
import type { DocumentRecord } from "./port.js";
import type { LogBatch, ModelRecord, OutboxItem, VersionRecord, WindowRecord } from "./records.js";

/** Rows as read by both adapters. */
export interface ModelRow {
  name: string;
  task: ModelRecord["task"];
  features: string;
  classes: string | null;
  created_ms: number;
}
export interface VersionRow {
  model: string;
  version: string;
  created_ms: number;
  meta: string;
}
export interface BatchRow {
  sequence: number;
  model: string;
  kind: LogBatch["kind"];
  received_ms: number;
  min_event_ms: number;
  max_event_ms: number;
  count: number;
  payload: Uint8Array;
}
export interface WindowRow {
  model: string;
  version: string;
  start_ms: number;
  end_ms: number;
  state: Uint8Array;
  summary: string;
  updated_ms: number;
}
export interface OutboxRow {
  id: number;
  created_ms: number;
  channel: string;
  group_key: string;
  payload: string;
  state: OutboxItem["state"];
  attempts: number;
  next_attempt_ms: number;
  last_error: string | null;
  sent_ms: number | null;
}
export interface SilenceRow {
  id: string;
  matchers: string;
  starts_ms: number;
  ends_ms: number;
  created_by: string;
  comment: string;
  created_ms: number;
}
export interface DocumentRow {
  collection: string;
  key: string;
  time_ms: number;
  body: string;
}

/** A `models` row as the port's record (features and classes are JSON text). */
export function toModel(row: ModelRow): ModelRecord {
  return {
    name: row.name,
    task: row.task,
    features: JSON.parse(row.features) as ModelRecord["features"],
    ...(row.classes === null ? {} : { classes: JSON.parse(row.classes) as string[] }),
    createdMs: row.created_ms,
  };
}

/** A `versions` row as the port's record (meta is JSON text). */
export function toVersion(row: VersionRow): VersionRecord {
  return {
    model: row.model,
    version: row.version,
    createdMs: row.created_ms,
    meta: JSON.parse(row.meta) as Record<string, unknown>,
  };
}

/** An `ingest_log` row as the port's log batch (the payload copied out of the driver's buffer). */
export function toBatch(row: BatchRow): LogBatch {
  return {
    sequence: row.sequence,
    model: row.model,
    kind: row.kind,
    receivedMs: row.received_ms,
    minEventMs: row.min_event_ms,
    maxEventMs: row.max_event_ms,
    count: row.count,
    payload: new Uint8Array(row.payload),
  };
}

/** A `windows` row without its state, as the port's record without it (the summary is JSON text). */
export function summaryOf(row: Omit<WindowRow, "state">): Omit<WindowRecord, "state"> {
  return {
    model: row.model,
    version: row.version,
    startMs: row.start_ms,
    endMs: row.end_ms,
    summary: JSON.parse(row.summary) as Record<string, unknown>,
    updatedMs: row.updated_ms,
  };
}

/** An `outbox` row as the port's item. */
export function toOutbox(row: OutboxRow): OutboxItem {
  return {
    id: row.id,
    createdMs: row.created_ms,
    channel: row.channel,
    groupKey: row.group_key,
    payload: row.payload,
    state: row.state,
    attempts: row.attempts,
    nextAttemptMs: row.next_attempt_ms,
    lastError: row.last_error,
    sentMs: row.sent_ms,
  };
}

/** A `documents` row as the port's record. */
export function toDocument(row: DocumentRow): DocumentRecord {
  return { collection: row.collection, key: row.key, timeMs: row.time_ms, body: row.body };
}

/** STORE_CONFLICT: a record of that name exists already. */
export function storeConflict(message: string): TikTokToeError {
  return new TikTokToeError("STORE_CONFLICT", message, {
    hint: "read the existing record, or choose another name",
  });
}

/** STORE_NOT_FOUND: the model or version an operation names does not exist. */
export function storeNotFound(message: string): TikTokToeError {
  return new TikTokToeError("STORE_NOT_FOUND", message, { hint: "register the model (and version) first" });
}
