import protobuf from 'protobufjs';
import { deadLetterTableSchema, fieldsOf, METADATA_FIELDS, POISON_TABLE_SCHEMA } from '../../../src/failures/bigquery-schema';
import { notificationType } from '../../../src/codec/schema';

function typeOf(body: string): protobuf.Type {
  const root = protobuf.parse(`syntax = "proto3"; package t; message M { ${body} }`, { keepCase: true }).root;
  return root.lookupType('t.M');
}

describe('fieldsOf: proto → BigQuery columns as use_topic_schema writes them', () => {
  test.each([
    ['string s = 1;', { name: 's', type: 'STRING', mode: 'NULLABLE' }],
    ['bool b = 1;', { name: 'b', type: 'BOOLEAN', mode: 'NULLABLE' }],
    ['bytes b = 1;', { name: 'b', type: 'BYTES', mode: 'NULLABLE' }],
    ['double d = 1;', { name: 'd', type: 'FLOAT', mode: 'NULLABLE' }],
    ['float f = 1;', { name: 'f', type: 'FLOAT', mode: 'NULLABLE' }],
    ['int32 i = 1;', { name: 'i', type: 'INTEGER', mode: 'NULLABLE' }],
    ['uint32 i = 1;', { name: 'i', type: 'INTEGER', mode: 'NULLABLE' }],
    ['int64 i = 1;', { name: 'i', type: 'INTEGER', mode: 'NULLABLE' }],
    ['sfixed64 i = 1;', { name: 'i', type: 'INTEGER', mode: 'NULLABLE' }],
    ['int64 sent_at_micros = 1;', { name: 'sent_at_micros', type: 'TIMESTAMP', mode: 'NULLABLE' }],
    ['int32 size_micros = 1;', { name: 'size_micros', type: 'INTEGER', mode: 'NULLABLE' }],
    ['enum E { A = 0; } E e = 1;', { name: 'e', type: 'INTEGER', mode: 'NULLABLE' }],
    ['repeated string tags = 1;', { name: 'tags', type: 'STRING', mode: 'REPEATED' }],
    [
      'message N { string x = 1; int64 at_micros = 2; } N n = 1;',
      { name: 'n', type: 'RECORD', mode: 'NULLABLE', fields: [{ name: 'x', type: 'STRING', mode: 'NULLABLE' }, { name: 'at_micros', type: 'TIMESTAMP', mode: 'NULLABLE' }] },
    ],
    [
      'message N { string x = 1; } repeated N ns = 1;',
      { name: 'ns', type: 'RECORD', mode: 'REPEATED', fields: [{ name: 'x', type: 'STRING', mode: 'NULLABLE' }] },
    ],
    [
      'map<string, int64> counts = 1;',
      { name: 'counts', type: 'RECORD', mode: 'REPEATED', fields: [{ name: 'key', type: 'STRING', mode: 'NULLABLE' }, { name: 'value', type: 'INTEGER', mode: 'NULLABLE' }] },
    ],
  ])('when the field is `%s`, then the column is as BigQuery maps it', (body, column) => {
    expect(fieldsOf(typeOf(body))).toEqual([column]);
  });

  test('when the message has a oneof, then it is refused as unmappable', () => {
    expect(() => fieldsOf(typeOf('oneof o { string a = 1; string b = 2; }'))).toThrow(/oneof/);
  });

  test('when the message is the notification, then every column exists and the metadata columns follow', () => {
    const schema = deadLetterTableSchema(notificationType());
    expect(schema.map((f) => `${f.name}:${f.type}`)).toEqual([
      'notification_id:STRING',
      'account_id:STRING',
      'type:STRING',
      'channel:INTEGER',
      'source:STRING',
      'created_at_micros:TIMESTAMP',
      'expires_at_micros:TIMESTAMP',
      'email:RECORD',
      'sms:RECORD',
      'push:RECORD',
      'slack:RECORD',
      'line:RECORD',
      'webhook:RECORD',
      'content:RECORD',
      'template:RECORD',
      'locale:STRING',
      'subscription_name:STRING',
      'message_id:STRING',
      'publish_time:TIMESTAMP',
      'attributes:JSON',
    ]);
    expect(schema.slice(-4)).toEqual(METADATA_FIELDS);
  });

  test('when the topic has no schema (poison), then the row is the raw data plus metadata', () => {
    expect(POISON_TABLE_SCHEMA.map((f) => f.name)).toEqual(['data', 'subscription_name', 'message_id', 'publish_time', 'attributes']);
  });
});
