import { eventType } from '../codec/event';
import { TableField, topicSchemaTable } from '../failures/bigquery-schema';
import type { LocalTable } from '../failures/local-tables';

/** The table the `notification-events-bigquery` subscription writes, in BigQuery and (npm start) in MySQL. */
export const EVENTS_TABLE = 'notification_events';

/** The event's fields (`*_micros` as TIMESTAMP) plus the metadata columns `write_metadata` adds. */
export function eventTableSchema(): TableField[] {
  return topicSchemaTable(eventType());
}

/** The local stand-in's table: the same columns in MySQL (src/failures/local-tables.ts). */
export function localEventsTable(): LocalTable {
  return { name: EVENTS_TABLE, fields: eventTableSchema() };
}
