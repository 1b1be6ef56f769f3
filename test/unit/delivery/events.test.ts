import { EVENT_KINDS } from '../../../src/codec/event';
import { emitAll, outcomeEvents, STATUS_EVENTS, targetFor } from '../../../src/delivery/events';
import { OUTCOMES, OutcomeKind } from '../../../src/delivery/outcomes';
import { TERMINAL_STATUSES } from '../../../src/delivery/ports';
import { emailNotification } from '../../support/notifications';

const n = emailNotification({ source: 'orders' });
const msg = { messageId: 'm-1', data: Buffer.alloc(0), attributes: {} };
const result = (outcome: OutcomeKind, extra = {}) => ({ outcome, messageId: 'm-1', notificationId: n.notificationId, channel: 'EMAIL', attempt: 2, ...extra });

/** Each outcome of the classification table (OUTCOMES), and the event it is. */
const EXPECTED: Record<OutcomeKind, [string, string] | undefined> = {
  sent: ['sent', ''],
  sent_unrecorded: ['sent', 'LEDGER_WRITE_FAILED'],
  duplicate: ['duplicate', ''],
  replay_refused: ['duplicate', 'REPLAY_REFUSED'],
  suppressed: ['suppressed', ''],
  held: ['held', ''],
  routed: ['routed', ''],
  expired: ['expired', ''],
  dead_lettered: ['dead_lettered', ''],
  retry: ['retry', ''],
  rate_limited: ['retry', 'RATE_LIMITED'],
  circuit_open: ['retry', 'CIRCUIT_OPEN'],
  poisoned: undefined,
  lock_busy: undefined,
  in_flight: undefined,
};

describe('outcomeEvents', () => {
  test('the expectations cover every outcome of the classification table', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(Object.keys(OUTCOMES).sort());
  });

  test.each(Object.entries(EXPECTED))('when the outcome is %s, then its event is %j', (outcome, expected) => {
    const events = outcomeEvents(msg, n, result(outcome as OutcomeKind));
    expect(events.map((e) => [e.event, e.code])).toEqual(expected ? [expected] : []);
    for (const e of events) {
      expect(e).toMatchObject({ notificationId: n.notificationId, channel: 'EMAIL', target: 'EMAIL', type: n.type, source: 'orders', attempt: 2, sourceMessageId: 'm-1' });
    }
  });

  test('when a failure has a code, then the event carries it; a sent one carries the provider ID', () => {
    expect(outcomeEvents(msg, n, result('dead_lettered', { code: 'INVALID_RECIPIENT' }))[0]!.code).toBe('INVALID_RECIPIENT');
    expect(outcomeEvents(msg, n, result('sent', { providerMessageId: 'p-1' }))[0]!.providerMessageId).toBe('p-1');
  });

  test('when a replay reopened the row, then replayed comes before the outcome', () => {
    expect(outcomeEvents(msg, n, result('sent', { replay: 1 })).map((e) => [e.event, e.code])).toEqual([['replayed', 'REPLAY_1'], ['sent', '']]);
  });

  test('when the delivery is to one contact of a routed notification, then the event names the target and its channel', () => {
    const [e] = outcomeEvents(msg, n, result('sent', { target: 'EMAIL:0a1b2c3d' }));
    expect(e).toMatchObject({ channel: 'EMAIL', target: 'EMAIL:0a1b2c3d' });
  });
});

describe('eventFacts of a notification that is not valid', () => {
  test('when its fields are megabytes long or not well-formed Unicode, then the event carries them cut to an identifier’s length and well-formed', () => {
    const bad = { ...n, type: 'x'.repeat(3 * 1024 * 1024), source: 'orders\ud800', notificationId: 'n'.repeat(500) };
    const [e] = outcomeEvents(msg, bad, result('dead_lettered', { code: 'INVALID_PAYLOAD' }));
    expect(e!.type).toHaveLength(128);
    expect(e!.notificationId).toHaveLength(128);
    expect(e!.source).toBe('orders\ufffd');
  });
});

describe('targetFor', () => {
  test('when the notification names a channel, then the target is it, or the signed contact target', () => {
    expect(targetFor(n, {})).toBe('EMAIL');
    expect(targetFor(n, { notifier_target: 'EMAIL:0a1b2c3d' })).toBe('EMAIL:0a1b2c3d');
  });

  test('when it is routed, then the target is ROUTED', () => {
    expect(targetFor({ ...n, channel: 0, content: { title: 't', body: 'b', url: '', data: {} } }, {})).toBe('ROUTED');
  });
});

describe('STATUS_EVENTS', () => {
  test('every terminal ledger status is an event kind of its own name or a dead letter', () => {
    for (const status of TERMINAL_STATUSES) expect(EVENT_KINDS).toContain(STATUS_EVENTS[status]);
    expect(STATUS_EVENTS.unknown).toBe('dead_lettered');
  });
});

describe('emitAll', () => {
  test('when the sink throws, then the caller does not see it', () => {
    const sink = { emit: () => { throw new Error('full'); } };
    expect(() => emitAll(sink, outcomeEvents(msg, n, result('sent')))).not.toThrow();
  });
});
