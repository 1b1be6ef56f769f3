import protobuf from 'protobufjs';

/** A BigQuery table field, in the JSON form `bq` and Terraform's `schema` take. */
export interface TableField {
  name: string;
  type: 'STRING' | 'INTEGER' | 'FLOAT' | 'BOOLEAN' | 'BYTES' | 'TIMESTAMP' | 'JSON' | 'RECORD';
  mode: 'NULLABLE' | 'REPEATED';
  fields?: TableField[];
  description?: string;
}

const SCALARS: Record<string, TableField['type']> = {
  string: 'STRING',
  bool: 'BOOLEAN',
  bytes: 'BYTES',
  double: 'FLOAT',
  float: 'FLOAT',
  ...Object.fromEntries(
    ['int32', 'sint32', 'sfixed32', 'uint32', 'fixed32', 'int64', 'sint64', 'sfixed64', 'uint64', 'fixed64'].map((t) => [t, 'INTEGER']),
  ),
};
const INT64 = /^(s?fixed|u?int|sint)64$/;

/** Our naming convention: an int64 `*_micros` field is epoch microseconds, a TIMESTAMP column. */
const isMicros = (field: protobuf.Field) => INT64.test(field.type) && field.name.endsWith('_micros');

/** The column for a value of `field`'s type (ignoring repeated-ness). */
function valueColumn(name: string, field: protobuf.Field): TableField {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Enum) return { name, type: 'INTEGER', mode: 'NULLABLE' };
  if (resolved instanceof protobuf.Type) return { name, type: 'RECORD', mode: 'NULLABLE', fields: fieldsOf(resolved) };
  const type = isMicros(field) ? 'TIMESTAMP' : SCALARS[field.type];
  if (!type) throw new Error(`${field.fullName}: proto type ${field.type} has no BigQuery mapping`);
  return { name, type, mode: 'NULLABLE' };
}

function columnFor(field: protobuf.Field): TableField {
  field.resolve();
  if (field instanceof protobuf.MapField) {
    const key: TableField = { name: 'key', type: SCALARS[field.keyType]!, mode: 'NULLABLE' };
    return { name: field.name, type: 'RECORD', mode: 'REPEATED', fields: [key, valueColumn('value', field)] };
  }
  return { ...valueColumn(field.name, field), mode: field.repeated ? 'REPEATED' : 'NULLABLE' };
}

/** A proto map's column: REPEATED RECORD<key, value> (see columnFor). */
export function isMapColumn(field: TableField): boolean {
  return field.mode === 'REPEATED' && field.type === 'RECORD' && field.fields?.map((f) => f.name).join() === 'key,value';
}

/**
 * The columns a BigQuery subscription with `use_topic_schema` writes for a message type
 * (enums → INTEGER, `*_micros` int64 → TIMESTAMP, nested → RECORD, map → REPEATED
 * RECORD<key, value>). A oneof cannot be mapped, so it is refused here.
 */
export function fieldsOf(type: protobuf.Type): TableField[] {
  if (type.oneofsArray.length) throw new Error(`${type.fullName} has a oneof, which BigQuery subscriptions cannot map`);
  return type.fieldsArray.map(columnFor);
}

/** What `write_metadata = true` adds to every row. */
export const METADATA_FIELDS: readonly TableField[] = Object.freeze([
  { name: 'subscription_name', type: 'STRING', mode: 'NULLABLE' },
  { name: 'message_id', type: 'STRING', mode: 'NULLABLE' },
  { name: 'publish_time', type: 'TIMESTAMP', mode: 'NULLABLE' },
  { name: 'attributes', type: 'JSON', mode: 'NULLABLE' },
]);

/**
 * The table of a BigQuery subscription with `use_topic_schema` and `write_metadata`: the
 * topic schema's fields plus the metadata columns (dead_letters, notification_events).
 */
export function topicSchemaTable(type: protobuf.Type): TableField[] {
  return [...fieldsOf(type), ...METADATA_FIELDS];
}

/** The dead-letter table: the notification's fields plus the metadata columns. */
export const deadLetterTableSchema = topicSchemaTable;

/** The poison table (schema-less topic): the raw bytes plus the metadata columns. */
export const POISON_TABLE_SCHEMA: readonly TableField[] = Object.freeze([
  { name: 'data', type: 'BYTES', mode: 'NULLABLE' },
  ...METADATA_FIELDS,
]);
