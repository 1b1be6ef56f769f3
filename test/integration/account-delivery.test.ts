import { targetKey } from '../../src/delivery/routing';
import { eventually } from '../support/notifier';
import { FAST_SETTINGS, startTestPipeline, TestPipeline } from '../support/pipeline';
import { startTwilio, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM, twilioError, TwilioStandIn } from '../support/providers/twilio';

const EMAIL = 'alice@example.com';
const PHONE = '+819012345678';

let twilio: TwilioStandIn;
let t: TestPipeline;

beforeAll(async () => {
  twilio = await startTwilio();
  t = await startTestPipeline(FAST_SETTINGS, {
    TWILIO_BASE_URL: twilio.url,
    TWILIO_ACCOUNT_SID,
    TWILIO_AUTH_TOKEN,
    TWILIO_FROM,
    SMS_RATE_LIMIT: '0',
    MANDATORY_TYPES: 'security.*',
  });
});

afterAll(async () => {
  await t?.close();
  await twilio?.close();
});

/** Settings as the settings API stores them (account_settings, account_contacts, account_preferences). */
async function settle(account: string, opts: { optOut?: [string, string][]; quiet?: [number, number] } = {}) {
  const [start, end] = opts.quiet ?? [null, null];
  await t.db.pool.query('INSERT INTO account_settings (account_id, time_zone, quiet_start, quiet_end) VALUES (?, ?, ?, ?)', [account, 'Asia/Tokyo', start, end]);
  await t.db.pool.query('INSERT INTO account_contacts (account_id, channel, position, address) VALUES (?, ?, 0, ?), (?, ?, 0, ?)', [account, 'EMAIL', EMAIL, account, 'SMS', PHONE]);
  for (const [scope, channel] of opts.optOut ?? []) {
    await t.db.pool.query('INSERT INTO account_preferences (account_id, scope, channel, enabled) VALUES (?, ?, ?, FALSE)', [account, scope, channel]);
  }
}

/** Quiet hours in Tokyo from an hour ago to an hour from now: now is inside whatever the time. */
function quietNow(): [number, number] {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Tokyo', hour: 'numeric', minute: 'numeric', hourCycle: 'h23' }).formatToParts(new Date());
  const minute = Number(parts.find((p) => p.type === 'hour')!.value) * 60 + Number(parts.find((p) => p.type === 'minute')!.value);
  return [(minute + 1380) % 1440, (minute + 60) % 1440];
}

const smsFor = (id: string) => twilio.messages.filter((m) => m.fields.Body.includes(id));
const row = async (id: string, channel: string) => (await t.db.row(id, channel)) as Record<string, unknown> | undefined;

describe('routing a notification to the account’s channels, end to end through Pub/Sub', () => {
  test('when SMS fails at first, then email is sent once, SMS is retried alone until it is sent once, each under its own ledger row', async () => {
    await settle('acct-route');
    let refusals = 2;
    twilio.behave = () => (refusals-- > 0 ? { kind: 'answer', answer: twilioError(503, 20500) } : { kind: 'accept' });
    await t.client.publish({ notificationId: 'route-1', type: 'order.shipped', accountId: 'acct-route', content: { title: 'Shipped', body: 'Order route-1 is on its way' } });

    await eventually('the SMS to be sent after its retries', async () => (await row('route-1', targetKey('SMS', PHONE)))?.status === 'sent' || undefined, 30000);
    expect(await row('route-1', 'ROUTED')).toMatchObject({ status: 'sent', provider_message_id: '2 messages' });
    expect(await row('route-1', targetKey('EMAIL', EMAIL))).toMatchObject({ status: 'sent', attempts: 1 });
    expect(await row('route-1', targetKey('SMS', PHONE))).toMatchObject({ status: 'sent', attempts: 3 });
    expect(t.smtp.mailsFor('route-1')).toHaveLength(1);
    expect(t.smtp.mailsFor('route-1')[0]!.to).toEqual([EMAIL]);
    expect(smsFor('route-1')).toHaveLength(1);
    expect(smsFor('route-1')[0]!.fields).toMatchObject({ To: PHONE, Body: 'Shipped\nOrder route-1 is on its way' });
  });

  test('when the account opted out of SMS for the category, then only email is sent and the SMS is recorded suppressed with the rule', async () => {
    await settle('acct-optout', { optOut: [['marketing.*', 'SMS']] });
    await t.client.publish({ notificationId: 'route-2', type: 'marketing.sale', accountId: 'acct-optout', content: { body: 'Sale route-2' } });

    const sms = await eventually('the SMS row', async () => row('route-2', targetKey('SMS', PHONE)), 20000);
    expect(sms).toMatchObject({ status: 'suppressed', failure_code: 'OPTED_OUT', last_error: 'marketing.* × SMS: off' });
    await eventually('the mail', async () => t.smtp.mailsFor('route-2')[0]);
    expect(smsFor('route-2')).toEqual([]);
  });

  test('when a type is mandatory, then an opt-out of everything and quiet hours now do not stop it', async () => {
    await settle('acct-mandatory', { optOut: [['*', '*']], quiet: quietNow() });
    await t.client.publish({ notificationId: 'route-3', type: 'security.new_login', accountId: 'acct-mandatory', content: { body: 'New login route-3' } });
    await t.client.publish({ notificationId: 'route-4', type: 'order.shipped', accountId: 'acct-mandatory', content: { body: 'Shipped route-4' } });

    await eventually('the mandatory SMS', async () => smsFor('route-3')[0], 20000);
    await eventually('the mandatory mail', async () => t.smtp.mailsFor('route-3')[0]);
    const suppressed = await eventually('the other type suppressed', async () => row('route-4', targetKey('EMAIL', EMAIL)), 20000);
    expect(suppressed).toMatchObject({ status: 'suppressed', failure_code: 'OPTED_OUT', last_error: '* × *: off' });
    expect(t.smtp.mailsFor('route-4')).toEqual([]);
  });

  test('when it arrives inside quiet hours, then every channel is held with the release time and nothing is sent yet', async () => {
    await settle('acct-quiet', { quiet: quietNow() });
    await t.client.publish({ notificationId: 'route-5', type: 'order.shipped', accountId: 'acct-quiet', content: { body: 'Quiet route-5' } });

    const held = await eventually('the email held', async () => row('route-5', targetKey('EMAIL', EMAIL)), 20000);
    expect(held).toMatchObject({ status: 'held' });
    expect(held!.release_at).not.toBeNull();
    const [kept] = await t.db.pool.query('SELECT status, source_message_id FROM held_notifications WHERE notification_id = ?', ['route-5']);
    expect((kept as unknown[]).length).toBe(2);
    expect(t.smtp.mailsFor('route-5')).toEqual([]);
  });
  test('when quiet hours end and the release task runs twice at once, then each held channel is delivered exactly once', async () => {
    await settle('acct-release', { quiet: quietNow() });
    await t.client.publish({ notificationId: 'route-6', type: 'order.shipped', accountId: 'acct-release', content: { body: 'Released route-6' } });
    await eventually('both channels held', async () => {
      const [rows] = await t.db.pool.query("SELECT COUNT(*) AS n FROM held_notifications WHERE notification_id = 'route-6' AND status = 'held'");
      return (rows as { n: number }[])[0]!.n === 2 || undefined;
    }, 20000);
    // The quiet hours are over: what the clock would do by morning.
    await t.db.pool.query("UPDATE held_notifications SET release_at = '2000-01-01 00:00:00' WHERE notification_id = 'route-6'");

    const release = () => fetch(`http://127.0.0.1:${t.pipeline.notifier.port}/tasks/release-held`, { method: 'POST' });
    const answers = await Promise.all([release(), release()]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    const counts = (await Promise.all(answers.map((a) => a.json()))) as { released: number }[];
    expect(counts.reduce((sum, c) => sum + c.released, 0)).toBe(2);

    await eventually('the released SMS', async () => smsFor('route-6')[0], 20000);
    await eventually('the released mail', async () => t.smtp.mailsFor('route-6')[0]);
    expect(await row('route-6', targetKey('EMAIL', EMAIL))).toMatchObject({ status: 'sent' });
    // A third release finds nothing left to release.
    expect(await (await release()).json()).toMatchObject({ released: 0 });
    expect(t.smtp.mailsFor('route-6')).toHaveLength(1);
    expect(smsFor('route-6')).toHaveLength(1);
  });
});
