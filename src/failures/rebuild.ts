import { notificationFromPlain } from '../codec/codec';
import { ChannelName, channelName, Notification } from '../codec/notification';
import { notificationType } from '../codec/schema';
import { fieldsOf, isMapColumn, TableField } from './bigquery-schema';
import { Row } from './store';
import { targetKey } from '../delivery/routing';
import { TARGET_ATTRIBUTE } from '../codec/attributes';

/**
 * A TIMESTAMP column value → epoch microseconds, exactly: BigQuery gives ISO text with up
 * to 6 fractional digits, the MySQL stand-in `YYYY-MM-DD HH:MM:SS.ffffff`.
 */
export function timestampMicros(value: unknown): bigint {
  if (value instanceof Date) return BigInt(value.getTime()) * 1000n;
  const match = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,6})\d*)?(?:Z|[+-]00:?00)?$/.exec(String(value).trim());
  if (!match) throw new Error(`not a timestamp: ${String(value)}`);
  const seconds = BigInt(Date.parse(`${match[1]}T${match[2]}Z`) / 1000);
  return seconds * 1_000_000n + BigInt((match[3] ?? '').padEnd(6, '0'));
}

/** A column value → the plain `Type.toObject` shape the codec builds notifications from. */
function plainValue(field: TableField, value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (field.type === 'RECORD' || field.mode === 'REPEATED') {
    const parsed = typeof value === 'string' ? JSON.parse(value) : value;
    if (isMapColumn(field)) {
      return Object.fromEntries((parsed as { key: unknown; value: unknown }[]).map((e) => [e.key, e.value]));
    }
    if (field.mode === 'REPEATED') return (parsed as unknown[]).map((v) => plainValue({ ...field, mode: 'NULLABLE' }, v));
    return field.type === 'RECORD' ? plainRecord(field.fields ?? [], parsed as Row) : parsed;
  }
  if (field.type === 'TIMESTAMP') return timestampMicros(value).toString();
  if (field.type === 'INTEGER') return typeof value === 'string' && !/^-?\d{1,15}$/.test(value) ? value : Number(value);
  return value;
}

function plainRecord(fields: readonly TableField[], row: Row): Row {
  const out: Row = {};
  for (const f of fields) {
    const v = plainValue(f, row[f.name]);
    if (v !== undefined) out[f.name] = v;
  }
  return out;
}

/**
 * The notification a dead-letter row was written from: every proto column is read back,
 * so a field added to the proto is replayed without changes here.
 */
export function notificationFromRow(row: Row): Notification {
  return notificationFromPlain(plainRecord(fieldsOf(notificationType()), row));
}

/** The address a notification goes to on its channel: what a routed message's target was made from. */
const RECIPIENT: Partial<Record<ChannelName, (n: Notification) => string | undefined>> = {
  EMAIL: (n) => n.email?.to,
  SMS: (n) => n.sms?.to,
  PUSH: (n) => n.push?.deviceToken,
  SLACK: (n) => n.slack?.channel,
  LINE: (n) => n.line?.to,
  WEBHOOK: (n) => n.webhook?.url,
};

/** Pub/Sub's own dead-letter policy forwarded the message as pushed, with its raw attributes. */
const forwardedByPubSub = (attributes: Record<string, unknown>) => Object.keys(attributes).some((k) => k.startsWith('CloudPubSubDeadLetterSource'));

/**
 * Attributes a replay must carry over from the failed message: a routed notification's
 * per-contact message is known by its target (`notifier_target`), so its replay reopens that
 * contact's ledger row and no other. The notifier writes its records with the attributes it
 * verified; a record forwarded by Pub/Sub has the message's raw attributes, where a target is
 * believed only if it is the target of the notification's own recipient (a producer's would
 * otherwise give a replay a fresh ledger key, and a second send).
 */
export function carriedAttributes(row: Row, n?: Notification): Record<string, string> {
  const raw = row.attributes;
  let attributes: Record<string, unknown> | null;
  try {
    attributes = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Record<string, unknown> | null;
  } catch {
    return {};
  }
  const target = attributes?.[TARGET_ATTRIBUTE];
  if (typeof target !== 'string') return {};
  if (forwardedByPubSub(attributes!)) {
    const channel = n && (channelName(n.channel) as ChannelName | undefined);
    const address = channel && RECIPIENT[channel]?.(n!);
    if (!channel || address === undefined || target !== targetKey(channel, address)) return {};
  }
  return { [TARGET_ATTRIBUTE]: target };
}
