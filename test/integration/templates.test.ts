import { simpleParser, ParsedMail } from 'mailparser';
import { targetKey } from '../../src/delivery/routing';
import { EVENTS_TABLE } from '../../src/events/table';
import { InvalidNotificationError } from '../../src/client';
import { TEMPLATES_DIR } from '../../src/paths';
import { createNotifierClient } from '../../src/client';
import { eventually } from '../support/notifier';
import { FAST_SETTINGS, startTestPipeline, TestPipeline } from '../support/pipeline';
import { startTwilio, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM, TwilioStandIn } from '../support/providers/twilio';

/**
 * Templates end to end on real parts: the shipped catalogue (templates/order.shipped), the
 * emulator, MariaDB, a real SMTP server and a real HTTP server standing in for Twilio.
 */
const SHIPPED_AT = '2026-12-07T15:30:00Z';
const data = (customerName: string) => ({
  customerName,
  orderId: 'A-1001',
  shippedAt: SHIPPED_AT,
  total: { amount: 12800, currency: 'JPY' },
  items: ['Notebook', 'Pen'],
  trackingUrl: 'https://track.example.com/A-1001',
});

let twilio: TwilioStandIn;
let t: TestPipeline;

beforeAll(async () => {
  twilio = await startTwilio();
  t = await startTestPipeline(FAST_SETTINGS, { TWILIO_BASE_URL: twilio.url, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM, SMS_RATE_LIMIT: '0', MANDATORY_TYPES: 'security.*' });
});

afterAll(async () => {
  await t?.close();
  await twilio?.close();
});

async function account(id: string, email: string, phone: string, settings: { locale?: string; timeZone?: string }) {
  await t.db.pool.query('INSERT INTO account_settings (account_id, locale, time_zone) VALUES (?, ?, ?)', [id, settings.locale ?? null, settings.timeZone ?? null]);
  await t.db.pool.query('INSERT INTO account_contacts (account_id, channel, position, address) VALUES (?, ?, 0, ?), (?, ?, 0, ?)', [id, 'EMAIL', email, id, 'SMS', phone]);
}

const mail = async (id: string): Promise<ParsedMail> => simpleParser((await eventually(`the mail of ${id}`, () => t.smtp.mailsFor(id)[0], 20000)).raw);
const sms = (phone: string) => eventually(`the SMS to ${phone}`, () => twilio.messages.find((m) => m.fields.To === phone), 20000);
const row = async (id: string, channel: string) => (await t.db.row(id, channel)) as Record<string, unknown> | undefined;
const deadLetter = (id: string) =>
  eventually(`the dead letter of ${id}`, async () => {
    const [rows] = await t.db.pool.query(
      `SELECT JSON_UNQUOTE(JSON_EXTRACT(attributes, '$.notifier_failure_code')) AS failure_code,
        JSON_UNQUOTE(JSON_EXTRACT(attributes, '$.notifier_error')) AS error FROM dead_letters WHERE notification_id = ?`,
      [id],
    );
    return (rows as { failure_code: string; error: string }[])[0];
  }, 20000);

const tokyo = (locale: string) => new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeStyle: 'short', timeZone: 'Asia/Tokyo' }).format(new Date(SHIPPED_AT));
const yen = (locale: string) => new Intl.NumberFormat(locale, { style: 'currency', currency: 'JPY' }).format(12800);
const KANA = /[\u3040-\u30ff]/;

describe('templated notifications, rendered by the notifier per channel in the account’s locale', () => {
  test('when one order.shipped is published to a Japanese and an English account, then each gets its mail and SMS in its language, formatted in its locale and time zone, the version recorded', async () => {
    await account('acct-ja', 'hanako@example.com', '+819012340001', { locale: 'ja-JP', timeZone: 'Asia/Tokyo' });
    await account('acct-en', 'alice@example.com', '+15005550111', { timeZone: 'Asia/Tokyo' });
    for (const [accountId, locale] of [['acct-ja', undefined], ['acct-en', 'en-US']] as const) {
      await t.client.publish({ notificationId: `shipped-${accountId}`, type: 'order.shipped', accountId, template: 'order.shipped', data: data('Hanako'), ...(locale && { locale }) });
    }

    const ja = await mail('shipped-acct-ja');
    expect(ja.subject).toMatch(KANA);
    expect(ja.html).toEqual(expect.stringContaining(yen('ja-JP')));
    expect(ja.text).toEqual(expect.stringContaining(tokyo('ja-JP')));
    expect((await sms('+819012340001')).fields.Body).toMatch(KANA);

    const en = await mail('shipped-acct-en');
    expect(en.subject).not.toMatch(KANA);
    expect(en.subject).toMatch(/A-1001/);
    expect(en.html).toEqual(expect.stringContaining(yen('en-US')));
    expect(en.text).toEqual(expect.stringContaining(tokyo('en-US')));
    expect((await sms('+15005550111')).fields.Body).not.toMatch(KANA);

    const jaMail = await row('shipped-acct-ja', targetKey('EMAIL', 'hanako@example.com'));
    expect(jaMail).toMatchObject({ status: 'sent', template: expect.stringMatching(/^order\.shipped@1\/ja\/[0-9a-f]{12}$/) });
    const enSms = await eventually('the English SMS row', async () => (await row('shipped-acct-en', targetKey('SMS', '+15005550111')))?.template as string | undefined);
    expect(enSms).toMatch(/^order\.shipped@1\/en\/[0-9a-f]{12}$/);
    expect(await row('shipped-acct-ja', 'ROUTED')).toMatchObject({ status: 'sent', provider_message_id: '2 messages' });
    // The lifecycle events say it too, for analysts in BigQuery (targets keyed: not the ledger's hash).
    const sent = await eventually('the sent events', async () => {
      const [rows] = await t.db.pool.query(`SELECT target, template FROM ${EVENTS_TABLE} WHERE notification_id = 'shipped-acct-ja' AND event = 'sent' ORDER BY target`);
      return (rows as { target: string; template: string }[]).length === 2 ? rows : undefined;
    }, 20000);
    expect(sent).toEqual([
      { target: expect.stringMatching(/^EMAIL:[0-9a-f]{8}$/), template: jaMail!.template },
      { target: expect.stringMatching(/^SMS:[0-9a-f]{8}$/), template: expect.stringMatching(/^order\.shipped@1\/ja\//) },
    ]);
  });

  test('when the type is mandatory (opt-outs do not apply), then the account’s locale still chooses the language', async () => {
    await account('acct-ja-2', 'taro@example.com', '+819012340002', { locale: 'ja-JP', timeZone: 'Asia/Tokyo' });
    await t.db.pool.query("INSERT INTO account_preferences (account_id, scope, channel, enabled) VALUES ('acct-ja-2', '*', '*', FALSE)");
    await t.client.publish({ notificationId: 'security-ja', type: 'security.order_shipped', accountId: 'acct-ja-2', template: 'order.shipped', data: data('Taro') });
    expect((await sms('+819012340002')).fields.Body).toMatch(KANA);
    expect((await mail('security-ja')).subject).toMatch(KANA);
  });

  test('when a data value holds markup, then the mail shows it as text and runs nothing', async () => {
    await t.client.publish({ notificationId: 'shipped-xss', type: 'order.shipped', channel: 'EMAIL', email: { to: 'mallory@example.com' }, template: 'order.shipped', data: data('<script>alert(1)</script>') });
    const m = await mail('shipped-xss');
    expect(m.html).toEqual(expect.stringContaining('&lt;script&gt;alert(1)&lt;/script&gt;'));
    expect(m.html).not.toEqual(expect.stringContaining('<script>alert'));
  });

  test('when the data lacks a variable, then the notification is dead-lettered TEMPLATE_DATA_INVALID on its first delivery, naming the variable and not the values', async () => {
    const { orderId: _orderId, ...without } = data('Secret Name');
    await t.client.publish({ notificationId: 'shipped-missing', type: 'order.shipped', channel: 'EMAIL', email: { to: 'bob@example.com' }, template: 'order.shipped', data: without });
    const record = await deadLetter('shipped-missing');
    expect(record.failure_code).toBe('TEMPLATE_DATA_INVALID');
    expect(record.error).toMatch(/orderId/);
    expect(record.error).not.toMatch(/Secret Name|Notebook/);
    expect(t.smtp.mailsFor('shipped-missing')).toEqual([]);
  });

  test('when a routed notification names a template the catalogue lacks, then the routed message itself is dead-lettered TEMPLATE_NOT_FOUND, recorded failed, and nothing is fanned out', async () => {
    await account('acct-nf', 'carol@example.com', '+15005550112', {});
    await t.client.publish({ notificationId: 'shipped-unknown', type: 'order.shipped', accountId: 'acct-nf', template: 'order.unknown', data: {} });
    const record = await deadLetter('shipped-unknown');
    expect(record).toMatchObject({ failure_code: 'TEMPLATE_NOT_FOUND', error: expect.stringContaining('order.unknown') });
    expect(await eventually('the routed row', () => row('shipped-unknown', 'ROUTED'))).toMatchObject({ status: 'failed', failure_code: 'TEMPLATE_NOT_FOUND' });
    expect(await row('shipped-unknown', targetKey('EMAIL', 'carol@example.com'))).toBeUndefined();
  });

  test('when a producer’s client has the catalogue, then a missing template or variable is refused before publishing, naming it', () => {
    const client = createNotifierClient({ pubsub: t.pipeline.pubsub, topic: t.names.topic, templates: TEMPLATES_DIR });
    const base = { notificationId: 'client-check', type: 'order.shipped', channel: 'EMAIL' as const, email: { to: 'dave@example.com' } };
    const refusal = (input: Parameters<typeof client.validate>[0]) => {
      try {
        client.validate(input);
      } catch (err) {
        return (err as InvalidNotificationError).problems;
      }
      return [];
    };
    expect(refusal({ ...base, template: 'order.unknown', data: {} })).toEqual([expect.objectContaining({ field: 'template.id', code: 'TEMPLATE_NOT_FOUND' })]);
    const { total: _total, ...noTotal } = data('Dave');
    expect(refusal({ ...base, template: 'order.shipped', data: noTotal })).toEqual([expect.objectContaining({ field: 'data.total', code: 'TEMPLATE_DATA_INVALID' })]);
    expect(refusal({ ...base, template: 'order.shipped', data: data('Dave') })).toEqual([]);
    expect(refusal({ ...base, email: { to: 'dave@example.com', subject: 'mine' } as never, template: 'order.shipped', data: data('Dave') })).toEqual([
      expect.objectContaining({ field: 'email.subject', problem: 'is rendered from the template: leave it empty' }),
    ]);
  });
});
