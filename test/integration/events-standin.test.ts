import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PubSub } from '@google-cloud/pubsub';
import { encodeEvent, eventId, EventKind, NotificationEvent } from '../../src/codec/event';
import { localFunnel } from '../../src/events/local-funnel';
import { eventTableSchema, EVENTS_TABLE } from '../../src/events/table';
import { deliveriesCte } from '../../src/events/views';
import { microsToDatetime } from '../../src/failures/local-tables';
import { BigQueryStandIn, startBigQueryStandIn } from '../../src/local/bigquery-standin';
import { ensureTopology, topologyNames } from '../../src/local/topology';
import { TERRAFORM_DIR } from '../../src/paths';
import { createTestDatabase, TestDatabase } from '../support/db';
import { eventually } from '../support/notifier';
import { FAST_SETTINGS } from '../support/pipeline';
import { TEST_PROJECT } from '../support/pubsub';

const names = topologyNames(`events-${randomBytes(4).toString('hex')}`);
let pubsub: PubSub;
let db: TestDatabase;
let standIn: BigQueryStandIn;
const errors: Error[] = [];

beforeAll(async () => {
  pubsub = new PubSub({ projectId: TEST_PROJECT });
  db = await createTestDatabase();
  const topology = await ensureTopology(pubsub, names, FAST_SETTINGS);
  standIn = await startBigQueryStandIn({
    pool: db.pool,
    deadLetterSubscription: topology.deadLetterTable,
    poisonSubscription: topology.poisonTable,
    eventsSubscription: topology.eventsTable,
    defaultEncoding: 'JSON',
    onError: (err) => errors.push(err),
  });
});

afterAll(async () => {
  await standIn?.close();
  await pubsub?.close();
  await db?.drop();
});

/** UTC epoch ms of a day's time, e.g. at('2026-12-01', '23:59:59'). */
const at = (day: string, time: string) => Date.parse(`${day}T${time}Z`);

/** An event as the notifier publishes it; its ID follows from its facts, as in src/pubsub/events.ts. */
function event(notificationId: string, kind: EventKind, occurredAtMs: number, more: Partial<NotificationEvent> = {}): NotificationEvent {
  const facts = {
    event: kind,
    notificationId,
    channel: 'EMAIL',
    target: 'EMAIL',
    type: 'order.shipped',
    source: 'orders',
    accountId: 'acct-1',
    attempt: kind === 'sent' ? 1 : 0,
    code: '',
    providerMessageId: '',
    createdAtMicros: BigInt(occurredAtMs) * 1000n - 5_000_000n,
    sourceMessageId: `push-${notificationId}`,
    template: '',
    ...more,
  };
  return { ...facts, eventId: more.eventId ?? eventId(facts), occurredAtMs };
}

async function publish(e: NotificationEvent): Promise<string> {
  const attributes = { source: e.source, event: e.event, channel: e.channel, type: e.type };
  return pubsub.topic(names.eventsTopic).publishMessage({ data: encodeEvent(e), attributes });
}

async function rowsOf(notificationId: string): Promise<Record<string, unknown>[]> {
  const [rows] = await db.pool.query(
    `SELECT *, CAST(occurred_at_micros AS CHAR) AS occurred_at_text, CAST(created_at_micros AS CHAR) AS created_at_text
     FROM ${EVENTS_TABLE} WHERE notification_id = ?`,
    [notificationId],
  );
  return rows as Record<string, unknown>[];
}

const rowsArrived = (notificationId: string, count: number) =>
  eventually(`${count} event row(s) of ${notificationId}`, async () => ((await rowsOf(notificationId)).length >= count ? true : undefined), 15000);

/** JSON columns: MySQL 8 returns them parsed, MariaDB (JSON = LONGTEXT) as text. */
const json = (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value);

describe('the BigQuery stand-in, lifecycle events through the Pub/Sub emulator', () => {
  test('when an event is published with its attributes, then one row holds its fields and the subscription metadata, in the BigQuery table\'s columns', async () => {
    const e = event('ev-row-1', 'sent', Date.parse('2026-12-01T10:00:00.123Z'), { providerMessageId: 'smtp-250-abc', code: '' });
    const messageId = await publish(e);
    await rowsArrived('ev-row-1', 1);

    const [row] = await rowsOf('ev-row-1');
    expect(row).toMatchObject({
      event_id: e.eventId,
      event: 'sent',
      channel: 'EMAIL',
      target: 'EMAIL',
      type: 'order.shipped',
      source: 'orders',
      account_id: 'acct-1',
      attempt: 1,
      provider_message_id: 'smtp-250-abc',
      source_message_id: 'push-ev-row-1',
      occurred_at_text: '2026-12-01 10:00:00.123000',
      created_at_text: microsToDatetime(e.createdAtMicros),
      message_id: messageId,
      subscription_name: `projects/${TEST_PROJECT}/subscriptions/${names.eventsTableSubscription}`,
    });
    expect(row!.publish_time).toBeInstanceOf(Date);
    expect(json(row!.attributes)).toEqual({ source: 'orders', event: 'sent', channel: 'EMAIL', type: 'order.shipped' });

    const [columns] = await db.pool.query(
      'SELECT column_name AS name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ? ORDER BY ordinal_position',
      [EVENTS_TABLE],
    );
    expect((columns as { name: string }[]).map((c) => c.name)).toEqual(eventTableSchema().map((f) => f.name));
  });

  test('when an event does not decode, then it is reported once and acked, and the events after it are stored', async () => {
    const bad = await pubsub.topic(names.eventsTopic).publishMessage({ data: Buffer.from('{"event": 7'), attributes: { source: 'orders' } });
    const reports = () => errors.filter((err) => err.message.includes(bad));
    await eventually('the report of the undecodable event', () => (reports().length ? true : undefined));
    // A nacked message would be redelivered at once (no backoff on this subscription), and reported again meanwhile.
    for (const id of ['ev-after-bad-1', 'ev-after-bad-2']) {
      await publish(event(id, 'received', at('2026-12-01', '11:00:00')));
      await rowsArrived(id, 1);
    }
    expect(reports().map((err) => err.message)).toEqual([expect.stringMatching(/does not decode, acked without a row/)]);
  });
});

describe('the funnel on the stand-in table (the notification_funnel view\'s SQL on MySQL)', () => {
  const DAY = '2026-11-30';
  const NEXT = '2026-12-01';

  beforeAll(async () => {
    const events = [
      // n-sent: received just before midnight, sent and delivered after it; the delivered event
      // comes from a provider callback, which knows only the delivery's key.
      event('fn-sent', 'received', at(DAY, '23:59:59')),
      event('fn-sent', 'sending', at(NEXT, '00:00:01')),
      event('fn-sent', 'sent', at(NEXT, '00:00:02')),
      event('fn-sent', 'delivered', at(NEXT, '00:00:09'), { type: '', source: '', accountId: '', createdAtMicros: 0n, sourceMessageId: 'callback-1' }),
      event('fn-failed', 'received', at(DAY, '10:00:00')),
      event('fn-failed', 'retry', at(DAY, '10:00:01'), { code: 'PROVIDER_UNAVAILABLE' }),
      event('fn-failed', 'dead_lettered', at(DAY, '10:05:00'), { code: 'ATTEMPTS_EXHAUSTED' }),
      event('fn-suppressed', 'received', at(DAY, '11:00:00')),
      event('fn-suppressed', 'suppressed', at(DAY, '11:00:00'), { code: 'OPTED_OUT' }),
      event('fn-held', 'received', at(DAY, '12:00:00'), { channel: 'SMS', target: 'SMS', type: 'otp.sent' }),
      event('fn-held', 'held', at(DAY, '12:00:00'), { channel: 'SMS', target: 'SMS', type: 'otp.sent' }),
    ];
    // A redelivered push records the same state change again: same event_id, later time.
    const copy = { ...events[0]!, occurredAtMs: at(NEXT, '00:00:30') };
    for (const e of [...events, copy]) await publish(e);
    await Promise.all([rowsArrived('fn-sent', 5), rowsArrived('fn-failed', 3), rowsArrived('fn-suppressed', 2), rowsArrived('fn-held', 2)]);
  });

  test('when an event arrives twice (one event_id), then the events keep one copy of it, the earliest', async () => {
    const sql = `${deliveriesCte(`\`${EVENTS_TABLE}\``, ['COUNT(*) AS events', "COUNT(CASE WHEN event = 'received' THEN 1 END) AS received"])}
SELECT events, received, CAST(first_at AS CHAR) AS first_at FROM deliveries WHERE notification_id = 'fn-sent'`;
    const [rows] = await db.pool.query(sql);
    expect(rows).toEqual([{ events: 4, received: 1, first_at: `${DAY} 23:59:59.000000` }]);
  });

  test('when deliveries reach different stages, then each counts once per stage, on the day of its first event, with its rates', async () => {
    const rows = (await localFunnel(db.pool, DAY)).filter((r) => r.day === DAY);
    expect(rows).toEqual([
      {
        day: DAY, channel: 'EMAIL', type: 'order.shipped', source: 'orders',
        received: 3, sent: 1, delivered: 1, failed: 1, suppressed: 1, held: 0,
        delivery_rate: 1, send_rate: expect.closeTo(1 / 3, 4),
      },
      {
        day: DAY, channel: 'SMS', type: 'otp.sent', source: 'orders',
        received: 1, sent: 0, delivered: 0, failed: 0, suppressed: 0, held: 1,
        delivery_rate: null, send_rate: 0,
      },
    ]);
  });

  test('when the view file is run on MySQL with its dataset prefix removed (docs/analysts.md), then it gives the same funnel', async () => {
    const view = readFileSync(path.join(TERRAFORM_DIR, 'views/notification_funnel.sql'), 'utf8').replace('${project}.${dataset}.', '');
    const [rows] = await db.pool.query({ sql: `SELECT * FROM (${view}) AS funnel WHERE day = ? ORDER BY channel`, values: [DAY], dateStrings: true });
    const local = (await localFunnel(db.pool, DAY)).filter((r) => r.day === DAY);
    expect((rows as Record<string, unknown>[]).map((r) => [r.channel, r.received, r.sent, r.held])).toEqual(
      local.map((r) => [r.channel, r.received, r.sent, r.held]),
    );
  });
});
