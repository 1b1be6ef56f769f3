import { eventType } from '../../../src/codec/event';
import { eventTableSchema, EVENTS_TABLE, localEventsTable } from '../../../src/events/table';
import { METADATA_FIELDS } from '../../../src/failures/bigquery-schema';

describe('the notification_events table (use_topic_schema + write_metadata)', () => {
  test('when the table is laid out, then every event field is a column, times as TIMESTAMP, and the metadata columns follow', () => {
    const schema = eventTableSchema();
    expect(schema.map((f) => `${f.name}:${f.type}`)).toEqual([
      'event_id:STRING',
      'event:STRING',
      'occurred_at_micros:TIMESTAMP',
      'notification_id:STRING',
      'channel:STRING',
      'target:STRING',
      'type:STRING',
      'source:STRING',
      'account_id:STRING',
      'attempt:INTEGER',
      'code:STRING',
      'provider_message_id:STRING',
      'created_at_micros:TIMESTAMP',
      'source_message_id:STRING',
      'template:STRING',
      'subscription_name:STRING',
      'message_id:STRING',
      'publish_time:TIMESTAMP',
      'attributes:JSON',
    ]);
    expect(schema.slice(0, -METADATA_FIELDS.length).map((f) => f.name)).toEqual(eventType().fieldsArray.map((f) => f.name));
    expect(schema.slice(-METADATA_FIELDS.length)).toEqual(METADATA_FIELDS);
  });

  test('when the local stand-in creates its table, then it has the BigQuery name and columns', () => {
    expect(localEventsTable()).toEqual({ name: EVENTS_TABLE, fields: eventTableSchema() });
    expect(EVENTS_TABLE).toBe('notification_events');
  });
});
