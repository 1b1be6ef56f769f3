import { DecodeError, fromProto3Json, toProto3Json } from './proto3-json';
import { Notification } from './notification';
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

/** The plain `Type.toObject` shape (proto field names, int64 as strings) → Notification. */
export function notificationFromPlain(p: Plain): Notification {
  const email = p.email as Plain | undefined;
  return {
    notificationId: str(p.notification_id),
    accountId: str(p.account_id),
    type: str(p.type),
    channel: typeof p.channel === 'number' ? p.channel : 0,
    source: str(p.source),
    createdAtMicros: int64(p.created_at_micros),
    expiresAtMicros: int64(p.expires_at_micros),
    email: email && {
      to: str(email.to),
      subject: str(email.subject),
      text: str(email.text),
      html: str(email.html),
    },
  };
}

function toPlain(n: Notification): Plain {
  return {
    notification_id: n.notificationId,
    account_id: n.accountId,
    type: n.type,
    channel: n.channel,
    source: n.source,
    created_at_micros: n.createdAtMicros.toString(),
    expires_at_micros: n.expiresAtMicros.toString(),
    ...(n.email && { email: { ...n.email } }),
  };
}

