import { decodeEventPlain, encodeEvent, EVENT_KINDS, eventId, eventType, NotificationEvent } from '../../../src/codec/event';
import { toProto3Json } from '../../../src/codec/proto3-json';

/** The plain `Type.toObject` shape of an event (proto field names, int64 as strings): what the generic encoder takes. */
function eventToPlain(e: NotificationEvent): Record<string, unknown> {
  return {
    event_id: e.eventId,
    event: e.event,
    occurred_at_micros: String(BigInt(Math.round(e.occurredAtMs * 1000))),
    notification_id: e.notificationId,
    channel: e.channel,
    target: e.target,
    type: e.type,
    source: e.source,
    account_id: e.accountId,
    attempt: e.attempt,
    code: e.code,
    provider_message_id: e.providerMessageId,
    created_at_micros: String(e.createdAtMicros),
    source_message_id: e.sourceMessageId,
    template: e.template,
  };
}

const full: NotificationEvent = {
  eventId: 'e-1',
  event: 'sent',
  occurredAtMs: 1_765_000_000_123.456,
  notificationId: 'n-1',
  channel: 'EMAIL',
  target: 'EMAIL:0a1b2c3d',
  type: 'order.shipped',
  source: 'orders',
  accountId: 'acct-1',
  attempt: 2,
  code: 'PROVIDER_TIMEOUT',
  providerMessageId: '<id@notifier>',
  createdAtMicros: 1_765_000_000_000_000n,
  sourceMessageId: 'm-1',
  template: 'order.shipped@1/ja/0123456789ab',
};
const sparse: NotificationEvent = { ...full, channel: '', target: 'ROUTED', accountId: '', attempt: 0, code: '', providerMessageId: '', createdAtMicros: 0n, template: '' };

describe('encodeEvent', () => {
  test.each([['every field set', full], ['defaults left out', sparse]])('when %s, then it is the canonical proto3 JSON of the schema (the generic encoder)', (_, e) => {
    expect(JSON.parse(encodeEvent(e).toString())).toEqual(toProto3Json(eventType(), eventToPlain(e)));
  });

  test('when decoded, then every field comes back under its proto name, with microseconds kept', () => {
    expect(decodeEventPlain(encodeEvent(full))).toMatchObject({
      event_id: 'e-1', event: 'sent', occurred_at_micros: '1765000000123456', target: 'EMAIL:0a1b2c3d', attempt: 2, created_at_micros: '1765000000000000',
    });
  });

  test('when the schema is read, then every event kind fits its string field and every field has a mapping', () => {
    expect(eventType().fieldsArray.map((f) => f.name)).toEqual(Object.keys(eventToPlain(full)));
    expect(new Set(EVENT_KINDS).size).toBe(EVENT_KINDS.length);
  });
});

describe('eventId', () => {
  const facts = { sourceMessageId: 'm-1', notificationId: 'n-1', target: 'EMAIL', event: 'sent' as const, attempt: 1, code: '' };

  test('when the same state change is named twice, then it has the same ID; a different attempt or push, another', () => {
    expect(eventId(facts)).toBe(eventId({ ...facts }));
    expect(eventId({ ...facts, attempt: 2 })).not.toBe(eventId(facts));
    expect(eventId({ ...facts, sourceMessageId: 'm-2' })).not.toBe(eventId(facts));
    // Retries before any attempt differ by their reason only.
    expect(eventId({ ...facts, event: 'retry', attempt: 0, code: 'RATE_LIMITED' })).not.toBe(eventId({ ...facts, event: 'retry', attempt: 0, code: 'CIRCUIT_OPEN' }));
    expect(eventId(facts)).toMatch(/^[\w-]{22}$/);
  });
});
