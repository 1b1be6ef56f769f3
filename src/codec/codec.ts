import protobuf from 'protobufjs';
import { DecodeError, fromProto3Json, toProto3Json } from './proto3-json';
import { Notification, PAYLOAD_FIELDS, PayloadField } from './notification';
import { LIMITS } from './payload-checks';
import { notificationType } from './schema';
import { ENCODING_ATTRIBUTE } from './attributes';

export { DecodeError };
export type Encoding = 'JSON' | 'BINARY';

/** The encoding of a message: its schema attribute when present, else the configured default. */
export function encodingOf(attributes: Record<string, string>, fallback: Encoding): Encoding {
  const declared = attributes[ENCODING_ATTRIBUTE]?.toUpperCase();
  return declared === 'JSON' || declared === 'BINARY' ? declared : fallback;
}

type Plain = Record<string, unknown>;

/**
 * A notification is a handful of objects (its payloads and maps). Megabytes of `[{},{},…]`
 * in unknown fields would pass through JSON.parse as millions of objects (~200 MiB for 10 MB)
 * before being ignored: such a payload is refused first.
 */
const MAX_JSON_STRUCTURES = 1000;

/** Objects and arrays in JSON text, brackets inside strings not counted; stops counting past the maximum. */
function jsonStructures(data: Buffer): number {
  let count = 0;
  let inString = false;
  for (let i = 0; i < data.length && count <= MAX_JSON_STRUCTURES; i++) {
    const b = data[i];
    if (inString) {
      if (b === 0x5c) i++; // backslash: the next byte is escaped
      else if (b === 0x22) inString = false;
    } else if (b === 0x22) inString = true;
    else if (b === 0x7b || b === 0x5b) count++;
  }
  return count;
}

/**
 * Bytes of either Pub/Sub encoding → the plain `Type.toObject` shape (proto field names,
 * int64 as strings, enums as numbers, absent fields absent); throws DecodeError.
 */
export function decodePlain(data: Buffer, encoding: Encoding): Plain {
  const type = notificationType();
  // Checked before anything is built from the bytes: decoding costs memory in proportion.
  if (data.length > LIMITS.notificationBytes) {
    throw new DecodeError(`payload is ${data.length} bytes, more than ${LIMITS.notificationBytes}: not decoded`);
  }
  if (encoding === 'JSON') {
    if (jsonStructures(data) > MAX_JSON_STRUCTURES) {
      throw new DecodeError(`payload holds more than ${MAX_JSON_STRUCTURES} JSON objects and arrays: not decoded`);
    }
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
  const template = p.template as Plain | undefined;
  if (typeof template === 'object' && template !== null) {
    n.template = { id: str(template.id), version: typeof template.version === 'number' ? template.version : 0, dataJson: str(template.data_json) };
  }
  if (str(p.locale)) n.locale = str(p.locale);
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
  if (n.template) plain.template = { id: n.template.id, version: n.template.version, data_json: n.template.dataJson };
  if (n.locale) plain.locale = n.locale;
  return plain;
}
