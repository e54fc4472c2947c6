/**
 * Rows as the drivers return them, and the records the Store answers with.
 * Shared by both engines: PostgreSQL returns BIGINT as strings, SQLite as
 * numbers, so every number goes through Number(). Event rows are built by
 * ../event-columns.ts (the body built again from the raw body when the
 * event was appended with bodyFromRaw).
 */
import type { DecisionRecord } from '../../decide/decision';
import type { DeliveryRecord, DeliveryStatus, PluginRecord, QuarantineRecord, QuarantineStatus } from '../store';

export interface DeliveryRow {
  plugin: string;
  event_seq: number | string;
  event_id: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: number | string | null;
  last_error: string;
  updated_at: number | string;
}

export interface QuarantineRow {
  id: number | string;
  received_at: number | string;
  sdk_app_id: string | null;
  command: string | null;
  raw: string;
  query: string;
  reason: string;
  status: QuarantineStatus;
  note: string | null;
}

export interface RecordRow {
  key: string;
  at: number | string;
  value: string;
}

/** `text` gives back a text value as it was written (PostgreSQL stores NUL-holding text as a literal: ../postgres/pg-text.ts). */
export function toDelivery(row: DeliveryRow, text: (stored: string) => string = (s) => s): DeliveryRecord {
  return {
    plugin: row.plugin,
    eventSeq: Number(row.event_seq),
    eventId: text(row.event_id),
    status: row.status,
    attempts: Number(row.attempts),
    nextAttemptAt: row.next_attempt_at === null ? null : Number(row.next_attempt_at),
    lastError: row.last_error,
    updatedAt: Number(row.updated_at),
  };
}

export function toQuarantine(row: QuarantineRow): QuarantineRecord {
  return {
    id: Number(row.id),
    receivedAt: Number(row.received_at),
    sdkAppId: row.sdk_app_id,
    command: row.command,
    raw: row.raw,
    query: JSON.parse(row.query) as Record<string, string>,
    reason: row.reason,
    status: row.status,
    note: row.note,
  };
}

export function toRecord<V>(row: RecordRow): PluginRecord<V> {
  return { key: row.key, at: Number(row.at), value: JSON.parse(row.value) as V };
}

/** The decision column: JSON text, or null for an event nobody decided on. */
export function toDecision(text: string | null | undefined): DecisionRecord | null {
  return text ? (JSON.parse(text) as DecisionRecord) : null;
}
