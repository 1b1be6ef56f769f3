import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import express, { RequestHandler } from 'express';
import { LOCAL_PROVIDER_CREDENTIALS as LOCAL, LOCAL_SUPPRESSION_KEY } from '../../src/config';
import { makeProviderReports } from '../../src/delivery/provider-reports';
import { makeAddressHasher } from '../../src/delivery/suppression';
import { createCallbacksRouter } from '../../src/http/callbacks';
import { MailCatcher, startMailCatcher } from '../../src/local/mail-catcher';
import { ProviderSandbox, startProviderSandbox } from '../../src/local/provider-sandbox';
import { createLogger } from '../../src/logging';
import { createPool, Pool } from '../../src/mysql/pool';
import { makeMysqlProviderReportStore } from '../../src/mysql/provider-reports';
import { makeMysqlSuppressionStore } from '../../src/mysql/suppressions';
import { eventually } from '../support/notifier';
import { FAST_SETTINGS, startTestPipeline, TestPipeline } from '../support/pipeline';
import { freePort } from '../support/ports';

/**
 * The local pipeline with the provider sandbox as Twilio and MailDev as the mail server, both
 * calling back as the providers do: the sandbox's signed status callbacks and simulated STOP
 * replies, the mail side's signed SendGrid-style events. The callbacks router listens at the
 * PUBLIC_URL the notifier gives Twilio, on the pipeline's own ledger; the status API shows
 * what the callbacks recorded.
 */

const hash = makeAddressHasher(LOCAL_SUPPRESSION_KEY);
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });

let sandbox: ProviderSandbox;
let mail: MailCatcher;
let t: TestPipeline;
let pool: Pool;
let callbacks: Server;
const lines: string[] = [];

/** The callbacks' server starts first (its URL is the notifier's PUBLIC_URL); its router is mounted once the ledger exists. */
let router: RequestHandler | undefined;

beforeAll(async () => {
  const app = express();
  app.use((req, res, next) => (router ? router(req, res, next) : res.status(503).end()));
  callbacks = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const publicUrl = `http://127.0.0.1:${(callbacks.address() as AddressInfo).port}`;
  const say = (line: string) => void lines.push(line);
  const [smtpPort, uiPort] = [await freePort(), await freePort()];
  [sandbox, mail] = await Promise.all([
    startProviderSandbox({ port: 0, credentials: { ...LOCAL, twilioInboundWebhookUrl: `${publicUrl}/v1/callbacks/twilio/inbound` }, say }),
    startMailCatcher({ smtpPort, uiPort, events: { webhookUrl: `${publicUrl}/v1/callbacks/sendgrid`, privateKey, say, pollMs: 200 } }),
  ]);
  t = await startTestPipeline(FAST_SETTINGS, {
    TWILIO_BASE_URL: sandbox.url,
    TWILIO_ACCOUNT_SID: LOCAL.twilioAccountSid,
    TWILIO_AUTH_TOKEN: LOCAL.twilioAuthToken,
    TWILIO_FROM: LOCAL.twilioFrom,
    SMS_RATE_LIMIT: '0',
    SMTP_URL: mail.smtpUrl,
    PUBLIC_URL: publicUrl,
  });
  pool = createPool({ url: t.db.url, size: 2, timeoutMs: 2000 });
  router = createCallbacksRouter({
    reports: makeProviderReports({
      store: makeMysqlProviderReportStore(pool, { timeoutMs: 2000 }),
      suppressions: makeMysqlSuppressionStore(pool, { timeoutMs: 2000 }),
      hash,
    }),
    twilioAuthToken: LOCAL.twilioAuthToken,
    publicUrl,
    sendgridPublicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    log: createLogger('error', new PassThrough()),
  });
});

afterAll(async () => {
  await t?.close();
  await Promise.all([sandbox?.close(), mail?.stop()]);
  await pool?.end();
  await new Promise((r) => callbacks?.close(r));
});

type Delivery = { channel: string; status: string; events: { event: string; code?: string }[] };

async function deliveryOf(id: string): Promise<Delivery | undefined> {
  const res = await fetch(`http://127.0.0.1:${t.pipeline.notifier.port}/v1/notifications/${encodeURIComponent(id)}`);
  if (res.status !== 200) return undefined;
  return ((await res.json()) as { deliveries: Delivery[] }).deliveries[0];
}

/** Waits until the status API shows `event` in the delivery's history. */
const eventuallyWith = (id: string, event: string) =>
  eventually(`${event} for ${id}`, async () => {
    const d = await deliveryOf(id);
    return d?.events.some((e) => e.event === event) ? d : undefined;
  }, 20000);

async function suppressionOf(channel: 'SMS' | 'EMAIL', address: string) {
  const [rows] = await t.db.pool.query('SELECT reason, source FROM suppressions WHERE channel = ? AND address_hash = ?', [channel, hash(channel, address).addressHash]);
  return (rows as Record<string, unknown>[])[0];
}

const newId = (what: string) => `${what}-${randomBytes(4).toString('hex')}`;
const sms = (to: string) => {
  const notificationId = newId('sms');
  return t.client.publish({ notificationId, type: 'order.shipped', channel: 'SMS', sms: { to, body: `Order ${notificationId} shipped` } }).then(() => notificationId);
};
const email = (to: string) => {
  const notificationId = newId('mail');
  return t.client.publish({ notificationId, type: 'order.shipped', channel: 'EMAIL', email: { to, subject: 'Shipped', text: 'On its way' } }).then(() => notificationId);
};

describe('SMS through the Twilio sandbox, with status callbacks', () => {
  test('when an SMS is sent, then the sandbox calls back and the status API shows it delivered', async () => {
    const id = await sms('+819012345678');
    const d = await eventuallyWith(id, 'delivered');
    expect(d).toMatchObject({ channel: 'SMS', status: 'sent' });
    expect(d.events.map((e) => e.event)).toEqual(['sending', 'sent', 'delivered']);
    expect(lines.some((l) => /^SMS status callback sent for SM\w+ → .*: 204$/.test(l))).toBe(true);
  });

  test('when an SMS goes to the unreachable test number, then it is undelivered with 30003', async () => {
    const id = await sms('+15005550002');
    const d = await eventuallyWith(id, 'undelivered');
    expect(d.events).toContainEqual(expect.objectContaining({ event: 'undelivered', code: '30003' }));
    expect(await suppressionOf('SMS', '+15005550002')).toBeUndefined();
  });

  test('when an SMS goes to the unsubscribed test number, then it is undelivered with 21610, the number is suppressed, and the next SMS to it is not sent', async () => {
    const first = await sms('+15005550004');
    const d = await eventuallyWith(first, 'undelivered');
    expect(d.events).toContainEqual(expect.objectContaining({ event: 'undelivered', code: '21610' }));
    expect(await suppressionOf('SMS', '+15005550004')).toEqual({ reason: 'opt_out', source: 'twilio' });
    const second = await sms('+15005550004');
    expect(await eventually('the second SMS suppressed', async () => ((await deliveryOf(second))?.status === 'suppressed' ? true : undefined), 20000)).toBe(true);
  });

  test('when a STOP reply is simulated at the sandbox, then the sender is on the suppression list', async () => {
    const res = await fetch(`${sandbox.url}/simulate/twilio/inbound`, { method: 'POST', body: new URLSearchParams({ From: '+819087654321' }) });
    expect(res.status).toBe(202);
    expect(await eventually('the opt-out', () => suppressionOf('SMS', '+819087654321'))).toEqual({ reason: 'opt_out', source: 'twilio' });
  });
});

describe('EMAIL through MailDev, with SendGrid-style events', () => {
  test('when a mail is received, then the status API shows it delivered', async () => {
    const id = await email('you@example.com');
    const d = await eventuallyWith(id, 'delivered');
    expect(d.events.map((e) => e.event)).toEqual(['sending', 'sent', 'delivered']);
  });

  test('when a mail goes to bounce@example.com, then it bounced and the address is suppressed as a hard bounce', async () => {
    const id = await email('bounce@example.com');
    const d = await eventuallyWith(id, 'bounced');
    expect(d.events).toContainEqual(expect.objectContaining({ event: 'bounced', code: 'bounce' }));
    expect(await suppressionOf('EMAIL', 'bounce@example.com')).toEqual({ reason: 'hard_bounce', source: 'sendgrid' });
  });

  test('when a mail goes to complaint@example.com, then it is delivered, then complained, and the address is suppressed as a complaint', async () => {
    const id = await email('complaint@example.com');
    const d = await eventuallyWith(id, 'complained');
    expect(d.events.map((e) => e.event)).toEqual(['sending', 'sent', 'delivered', 'complained']);
    expect(await suppressionOf('EMAIL', 'complaint@example.com')).toEqual({ reason: 'complaint', source: 'sendgrid' });
  });
});
