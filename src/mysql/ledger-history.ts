import { isoText } from './sql';

/**
 * The ledger row's `history` (migration 0007): each write that changes a delivery's state
 * appends one entry in the same statement, so the status API costs the delivery path no
 * round trip. Times are the database's UTC clock, like the row's age.
 */
export const HISTORY_LIMIT = 50;

/**
 * One entry for now: by default two parameters, the event and the code (or null); or SQL
 * literals. `ref` names a provider's report (provider-reports.ts keeps each one once).
 */
export const historyEntry = (event = '?', code = '?', ref?: string) =>
  `JSON_OBJECT('at', ${isoText('UTC_TIMESTAMP(6)')}, 'event', ${event}, 'code', ${code}${ref ? `, 'ref', ${ref}` : ''})`;

/** A new row's history: just `entry`. */
export const newHistory = (entry = historyEntry()) => `JSON_ARRAY(${entry})`;

/** `history = …` with `entry` appended, the oldest entry dropped at the limit; `column` as the statement names it. */
export const appendHistory = (entry = historyEntry(), column = 'history') =>
  `${column} = JSON_ARRAY_APPEND(IF(JSON_LENGTH(COALESCE(${column}, '[]')) >= ${HISTORY_LIMIT}, JSON_REMOVE(${column}, '$[0]'), COALESCE(${column}, '[]')), '$', ${entry})`;

export interface HistoryEntry {
  at: string;
  event: string;
  code?: string;
}

/** The column as the driver returns it (a JSON string on MariaDB, parsed on MySQL 8) → entries. */
export function parseHistory(value: unknown): HistoryEntry[] {
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  if (!Array.isArray(parsed)) return [];
  return parsed.map((e: { at?: unknown; event?: unknown; code?: unknown }) => ({
    at: String(e.at),
    event: String(e.event),
    ...(typeof e.code === 'string' && e.code !== '' && { code: e.code }),
  }));
}
