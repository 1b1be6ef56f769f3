import mysql from 'mysql2/promise';
import { InvalidNotificationError } from '../../src/client';
import { lockName } from '../../src/mysql/ledger';
import { startTestPipeline, TestPipeline } from '../support/pipeline';
import { eventually } from '../support/notifier';

let p: TestPipeline;
beforeAll(async () => {
  p = await startTestPipeline();
});
afterAll(() => p?.close());

const email = (to: string, subject = 'Your order shipped') => ({ to, subject, text: 'It is on its way.' });

/** JSON columns: MySQL 8 returns them parsed, MariaDB (JSON = LONGTEXT) as text. */
const json = (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value);

async function deadLetterRows(notificationId: string): Promise<Record<string, unknown>[]> {
  const [rows] = await p.db.pool.query('SELECT * FROM dead_letters WHERE notification_id = ?', [notificationId]);
  return rows as Record<string, unknown>[];
}

describe('the local pipeline, through the Pub/Sub emulator', () => {
  test('when a producer publishes with the client, then the mail arrives once and the ledger says sent', async () => {
    await p.client.publish({ notificationId: 'order-1-shipped', type: 'order.shipped', channel: 'EMAIL', email: email('alice@example.com') });
    const mail = await eventually('the mail', () => p.smtp.mailsFor('order-1-shipped')[0]);
    expect(mail.to).toEqual(['alice@example.com']);
    expect(await p.db.row('order-1-shipped')).toMatchObject({ status: 'sent', attempts: 1 });
  });

  test('when the message is published, then it carries the type, channel and source attributes', async () => {
    await p.client.publish({ notificationId: 'attrs-1', type: 'order.paid', channel: 'EMAIL', email: email('bob@example.com') });
    const message = await eventually('the tapped message', () => p.published.find((m) => m.attributes.type === 'order.paid'));
    expect(message.attributes).toEqual({ type: 'order.paid', channel: 'EMAIL', source: 'pipeline-test' });
    expect(JSON.parse(message.data.toString())).toMatchObject({ notificationId: 'attrs-1', channel: 'EMAIL' });
  });

  test('when a notification is invalid, then publish throws listing every field and nothing is published', async () => {
    const before = p.published.length;
    let error: unknown;
    try {
      void p.client.publish({ notificationId: '', type: 'order.shipped', channel: 'EMAIL', email: { to: 'nope', subject: '' } });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InvalidNotificationError);
    expect((error as InvalidNotificationError).problems.map((x) => x.field)).toEqual([
      'notification_id',
      'email.to',
      'email.subject',
      'email.text',
    ]);
    // A valid marker published afterwards is the only new message on the topic.
    await p.client.publish({ notificationId: 'marker-1', type: 'marker', channel: 'EMAIL', email: email('m@example.com') });
    await eventually('the marker', () => p.published.find((m) => m.attributes.type === 'marker'));
    expect(p.published.length).toBe(before + 1);
  });

  test('when SMTP keeps failing, then Pub/Sub redelivers and the notifier dead-letters a row with the reason and attempts', async () => {
    p.smtp.onData = (mail) => (mail.notificationId === 'smtp-down-1' ? { kind: 'reply', code: 451, message: 'try later' } : { kind: 'accept' });
    await p.client.publish({ notificationId: 'smtp-down-1', type: 'order.shipped', channel: 'EMAIL', accountId: 'acct-9', email: email('carol@example.com') });
    const row = await eventually('the dead-letter row', async () => (await deadLetterRows('smtp-down-1'))[0], 30000);
    expect(json(row.attributes)).toMatchObject({
      notifier_failure_code: 'ATTEMPTS_EXHAUSTED',
      notifier_failure_class: 'transient',
      notifier_attempts: '3',
      notifier_channel: 'EMAIL',
      type: 'order.shipped',
    });
    expect(row).toMatchObject({
      account_id: 'acct-9',
      type: 'order.shipped',
      channel: 1,
      source: 'pipeline-test',
      subscription_name: `projects/notifier-test/subscriptions/${p.names.deadLetterTableSubscription}`,
    });
    expect(json(row.email)).toEqual({ to: 'carol@example.com', subject: 'Your order shipped', text: 'It is on its way.', html: null });
    expect(row.created_at_micros).toBeInstanceOf(Date);
    expect(await p.db.row('smtp-down-1')).toMatchObject({ status: 'failed', attempts: 3 });
  });

  test("when the notifier nacks every delivery, then Pub/Sub's own dead-letter policy forwards it after max_delivery_attempts", async () => {
    // Another "instance" holds the notification's lock for good: every push answers 409.
    const holder = await mysql.createConnection(p.db.url);
    await holder.query('SELECT GET_LOCK(?, 0)', [lockName({ notificationId: 'stuck-1', channel: 'EMAIL' })]);
    try {
      await p.client.publish({ notificationId: 'stuck-1', type: 'order.shipped', channel: 'EMAIL', email: email('dan@example.com') });
      const row = await eventually('the row Pub/Sub dead-lettered', async () => (await deadLetterRows('stuck-1'))[0], 45000);
      const attributes = json(row.attributes);
      expect(attributes).toMatchObject({
        CloudPubSubDeadLetterSourceDeliveryCount: String(p.settings.maxDeliveryAttempts),
        CloudPubSubDeadLetterSourceSubscription: p.names.pushSubscription,
      });
      expect(attributes.notifier_failure_code).toBeUndefined();
      expect(p.smtp.mailsFor('stuck-1')).toEqual([]);
    } finally {
      await holder.end();
    }
  });

  test('when a payload cannot be decoded, then it is a poison row with its raw bytes', async () => {
    await p.pipeline.pubsub.topic(p.names.topic).publishMessage({ data: Buffer.from('not a notification') });
    const rows = await eventually('the poison row', async () => {
      const [r] = await p.db.pool.query('SELECT * FROM poison_messages');
      return (r as Record<string, unknown>[]).find((x) => String(x.data) === 'not a notification');
    });
    expect(json(rows.attributes)).toMatchObject({ notifier_failure_code: 'UNDECODABLE_PAYLOAD' });
  });

  test('when 2,000 recipients are broadcast twice, then exactly 2,000 mails are sent', async () => {
    p.smtp.onData = () => ({ kind: 'accept' });
    const recipients = Array.from({ length: 2000 }, (_, i) => ({ id: `user-${i}`, email: `user${i}@example.com` }));
    const run = () =>
      p.client.broadcast({
        broadcastId: 'spring-sale',
        recipients,
        build: (r) => ({ type: 'promo.spring', channel: 'EMAIL', accountId: r.id, email: email(r.email, 'Spring sale') }),
      });
    const mailsBefore = p.smtp.mails.length;
    const acked = () => p.pipeline.pushes.acked;

    const ackedBefore = acked();
    expect(await run()).toMatchObject({ read: 2000, published: 2000, rejected: 0 });
    await eventually('2,000 deliveries', () => acked() - ackedBefore >= 2000, 60000);
    expect(p.smtp.mails.length - mailsBefore).toBe(2000);

    const ackedAfterFirst = acked();
    await run();
    await eventually('2,000 redeliveries acked', () => acked() - ackedAfterFirst >= 2000, 60000);
    expect(p.smtp.mails.length - mailsBefore).toBe(2000);
    const recipientsMailed = new Set(p.smtp.mails.slice(mailsBefore).flatMap((m) => m.to));
    expect(recipientsMailed.size).toBe(2000);
  });
});
