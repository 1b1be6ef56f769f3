import protobuf from 'protobufjs';
import { DecodeError, fromProto3Json, toProto3Json } from './proto3-json';
import { Notification, PAYLOAD_FIELDS, PayloadField } from './notification';
import { notificationType } from './schema';

export { DecodeError };
export type Encoding = 'JSON' | 'BINARY';

/** Pub/Sub's attribute naming the encoding of a message on a schema'd topic. */
export const ENCODING_ATTRIBUTE = 'googclient_schemaencoding';

/** The encoding of a message: its schema attribute when present, else the configured default. */
export function encodingOf(attributes: Record<string, string>, fallback: Encoding): Encoding {
  const declared = attributes[ENCODING_ATTRIBUTE]?.toUpperCase();
  return declared === 'JSON' || declared === 'BINARY' ? declared : fallback;
}

type Plain = Record<string, unknown>;

/**
 * Bytes of either Pub/Sub encoding → the plain `Type.toObject` shape (proto field names,
 * int64 as strings, enums as numbers, absent fields absent); throws DecodeError.
 */
export function decodePlain(data: Buffer, encoding: Encoding): Plain {
  const type = notificationType();
  if (encoding === 'JSON') {
    let json: unknown;
    try {
      json = JSON.parse(data.toString('utf8'));
    } catch {
      throw new DecodeError('payload is not valid JSON');
    }
    return fromProto3Json(type, json);
  }
  try {
    return type.toObject(type.decode(data), { longs: String, enums: Number });
  } catch (err) {
    throw new DecodeError(`payload is not a binary notifier.v1.Notification: ${(err as Error).message}`);
  }
}

/** Bytes of either Pub/Sub encoding → Notification; throws DecodeError naming the problem. */
export function decodeNotification(data: Buffer, encoding: Encoding): Notification {
  return notificationFromPlain(decodePlain(data, encoding));
}

/** Notification → bytes in the given encoding (what the producer client publishes). */
export function encodeNotification(n: Notification, encoding: Encoding): Buffer {
  const type = notificationType();
  const plain = toPlain(n);
  if (encoding === 'JSON') return Buffer.from(JSON.stringify(toProto3Json(type, plain)));
  return Buffer.from(type.encode(type.fromObject(plain)).finish());
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const int64 = (v: unknown): bigint => (v === undefined || v === null || v === '' ? 0n : BigInt(v as string));
const stringMap = (v: unknown): Record<string, string> =>
  typeof v === 'object' && v !== null ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, str(x)])) : {};

/** One field of a channel payload: a string, or a map of strings. */
export interface PayloadFieldInfo {
  /** The TypeScript name (lowerCamelCase). */
  name: string;
  /** The proto field name (snake_case). */
  protoName: string;
  map: boolean;
}

const payloadFieldCache = new Map<PayloadField, PayloadFieldInfo[]>();

/** The fields of a channel payload's nested message, from the proto itself. */
export function payloadFields(field: PayloadField): PayloadFieldInfo[] {
  let fields = payloadFieldCache.get(field);
  if (!fields) {
    const type = notificationType().fields[field]!.resolvedType as protobuf.Type;
    fields = type.fieldsArray.map((f) => ({ name: protobuf.util.camelCase(f.name), protoName: f.name, map: f.map }));
    payloadFieldCache.set(field, fields);
  }
  return fields;
}

/** Plain payload (proto names) → the TypeScript payload (lowerCamelCase names). */
function payloadFromPlain(field: PayloadField, p: Plain): Record<string, unknown> {
  return Object.fromEntries(payloadFields(field).map((f) => [f.name, f.map ? stringMap(p[f.protoName]) : str(p[f.protoName])]));
}

/** TypeScript payload → plain payload (proto names). */
function payloadToPlain(field: PayloadField, payload: Record<string, unknown>): Plain {
  return Object.fromEntries(payloadFields(field).map((f) => [f.protoName, payload[f.name]]));
}

/** The plain `Type.toObject` shape (proto field names, int64 as strings) → Notification. */
export function notificationFromPlain(p: Plain): Notification {
  const n: Notification = {
    notificationId: str(p.notification_id),
    accountId: str(p.account_id),
    type: str(p.type),
    channel: typeof p.channel === 'number' ? p.channel : 0,
    source: str(p.source),
    createdAtMicros: int64(p.created_at_micros),
    expiresAtMicros: int64(p.expires_at_micros),
  };
  for (const field of PAYLOAD_FIELDS) {
    const value = p[field];
    if (typeof value === 'object' && value !== null) Object.assign(n, { [field]: payloadFromPlain(field, value as Plain) });
  }
  return n;
}

function toPlain(n: Notification): Plain {
  const plain: Plain = {
    notification_id: n.notificationId,
    account_id: n.accountId,
    type: n.type,
    channel: n.channel,
    source: n.source,
    created_at_micros: n.createdAtMicros.toString(),
    expires_at_micros: n.expiresAtMicros.toString(),
  };
  for (const field of PAYLOAD_FIELDS) {
    const payload = n[field];
    if (payload) plain[field] = payloadToPlain(field, payload as unknown as Record<string, unknown>);
  }
  return plain;
}
