import { createHash } from 'node:crypto';
import protobuf from 'protobufjs';
import { EVENT_PROTO_FILE } from '../paths';
import { DecodeError, fromProto3Json } from './proto3-json';

/**
 * The state changes of a delivery, in the order a delivery usually meets them
 * (notification_event.proto; docs/analysts.md "Lifecycle events").
 */
export const EVENT_KINDS = [
  'received',
  'duplicate',
  'routed',
  'suppressed',
  'held',
  'released',
  'replayed',
  'sending',
  'sent',
  'delivered',
  'bounced',
  'complained',
  'undelivered',
  'retry',
  'expired',
  'dead_lettered',
  'resolved',
] as const;

export type EventKind = (typeof EVENT_KINDS)[number];

/** One state change of one delivery: identifiers and codes, never an address or content. */
export interface NotificationEvent {
  eventId: string;
  event: EventKind;
  occurredAtMs: number;
  notificationId: string;
  channel: string;
  target: string;
  type: string;
  source: string;
  accountId: string;
  attempt: number;
  code: string;
  providerMessageId: string;
  createdAtMicros: bigint;
  sourceMessageId: string;
  /** The rendering sent (`id@version/locale/digest`); empty for the producer's own text. */
  template: string;
}

/** What names an event apart from its ID and time. */
export type EventFacts = Omit<NotificationEvent, 'eventId' | 'occurredAtMs'>;

/**
 * The same state change gets the same ID however often it is published (a retried
 * publish, a redelivered push recording it again): the push's message ID, the target,
 * the event, the attempt and the code name it (retries before an attempt differ by code).
 */
export function eventId(f: Pick<EventFacts, 'sourceMessageId' | 'notificationId' | 'target' | 'event' | 'attempt' | 'code'>): string {
  const key = [f.sourceMessageId, f.notificationId, f.target, f.event, f.attempt, f.code].join('\u0000');
  return createHash('sha256').update(key).digest('base64url').slice(0, 22);
}

let cached: protobuf.Type | undefined;

/** `notifier.v1.NotificationEvent`, loaded from the .proto file Pub/Sub and BigQuery see. */
export function eventType(): protobuf.Type {
  if (!cached) {
    const root = new protobuf.Root().loadSync(EVENT_PROTO_FILE, { keepCase: true });
    cached = root.lookupType('notifier.v1.NotificationEvent');
    cached.resolveAll();
  }
  return cached;
}


/**
 * An event as the `notification-events` topic takes it: canonical proto3 JSON (lowerCamelCase
 * names, 64-bit integers as strings, default values left out), written field by field: three
 * events per delivery make the generic walk (toProto3Json) a cost of the delivery path. A
 * unit test keeps the two in step.
 */
export function encodeEvent(e: NotificationEvent): Buffer {
  const micros = (v: bigint) => (v === 0n ? undefined : String(v));
  const json: Record<string, string | number | undefined> = {
    eventId: e.eventId || undefined,
    event: e.event,
    occurredAtMicros: micros(BigInt(Math.round(e.occurredAtMs * 1000))),
    notificationId: e.notificationId || undefined,
    channel: e.channel || undefined,
    target: e.target || undefined,
    type: e.type || undefined,
    source: e.source || undefined,
    accountId: e.accountId || undefined,
    attempt: e.attempt || undefined,
    code: e.code || undefined,
    providerMessageId: e.providerMessageId || undefined,
    createdAtMicros: micros(e.createdAtMicros),
    sourceMessageId: e.sourceMessageId || undefined,
    template: e.template || undefined,
  };
  return Buffer.from(JSON.stringify(json));
}

/** Bytes from the `notification-events` topic → the plain shape (every field, defaults included); throws DecodeError. */
export function decodeEventPlain(data: Buffer): Record<string, unknown> {
  const type = eventType();
  let json: unknown;
  try {
    json = JSON.parse(data.toString('utf8'));
  } catch {
    throw new DecodeError('event is not valid JSON');
  }
  const plain = fromProto3Json(type, json);
  return type.toObject(type.fromObject(plain), { longs: String, defaults: true });
}
