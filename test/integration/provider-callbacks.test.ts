import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import express from 'express';
import type { EventFacts } from '../../src/codec/event';
import { makeProviderReports } from '../../src/delivery/provider-reports';
import { makeAddressHasher } from '../../src/delivery/suppression';
import { createCallbacksRouter, CallbacksRouterDeps } from '../../src/http/callbacks';
import { createLogger } from '../../src/logging';
import { createPool, Pool } from '../../src/mysql/pool';
import { makeMysqlProviderReportStore } from '../../src/mysql/provider-reports';
import { makeMysqlSuppressionStore } from '../../src/mysql/suppressions';
import { createTestDatabase, TestDatabase } from '../support/db';
import { freePort } from '../support/ports';
import { postSendGrid, postTwilio, sendGridKeys, sendGridSignatureOf, twilioSignatureOf } from '../support/providers/callbacks';

const PUBLIC_URL = 'https://notifier.example.com';
const AUTH_TOKEN = 'twilio-callback-test-token';
const KEY = 'k'.repeat(48);
const PHONE = '+819012345678';
const STATUS = '/v1/callbacks/twilio/status';
const INBOUND = '/v1/callbacks/twilio/inbound';
const SENDGRID = '/v1/callbacks/sendgrid';
const sendgrid = sendGridKeys();
const hash = makeAddressHasher(KEY);

type LogLine = Record<string, unknown> & { message: string; severity: string };

interface Served {
  url: string;
  logs: LogLine[];
  events: EventFacts[];
  close(): Promise<void>;
}

let db: TestDatabase;
let pool: Pool;
let served: Served;

/** The router on a real HTTP server, its reports on the given pool (the test database unless a test says otherwise). */
async function serve(overrides: Partial<CallbacksRouterDeps> = {}, on: Pool = pool): Promise<Served> {
  const logs: LogLine[] = [];
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => chunk.toString().split('\n').filter(Boolean).forEach((l) => logs.push(JSON.parse(l) as LogLine)));
  const events: EventFacts[] = [];
  const timeoutMs = 2000;
  const reports = makeProviderReports({
    store: makeMysqlProviderReportStore(on, { timeoutMs }),
    suppressions: makeMysqlSuppressionStore(on, { timeoutMs }),
    hash,
    events: { emit: (e) => void events.push(e) },
  });
  const app = express();
  app.use(createCallbacksRouter({ reports, twilioAuthToken: AUTH_TOKEN, publicUrl: PUBLIC_URL, sendgridPublicKey: sendgrid.publicKeyBase64, log: createLogger('debug', stream), ...overrides }));
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, logs, events, close: () => new Promise((r) => server.close(() => r())) };
}

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool({ url: db.url, size: 4, timeoutMs: 2000 });
  served = await serve();
});

afterAll(async () => {
  await served?.close();
  await pool?.end();
  await db?.drop();
});

/** A sent delivery carrying this provider message ID. */
async function sentDelivery(channel: 'SMS' | 'EMAIL', providerMessageId: string): Promise<string> {
  const id = `cb-${randomBytes(6).toString('hex')}`;
  await db.pool.query(
    `INSERT INTO delivery_ledger (notification_id, channel, status, attempts, notification_type, first_message_id, last_message_id, provider_message_id, history)
     VALUES (?, ?, 'sent', 1, 'order.shipped', 'm-1', 'm-1', ?, JSON_ARRAY(JSON_OBJECT('at', '2026-01-01T00:00:00.000000Z', 'event', 'sent', 'code', NULL)))`,
    [id, channel, providerMessageId],
  );
  return id;
}

async function history(id: string, channel: string): Promise<{ event: string; code: string | null }[]> {
  const row = await db.row(id, channel);
  const parsed = (typeof row!.history === 'string' ? JSON.parse(row!.history) : row!.history) as { event: string; code: string | null }[];
  return parsed.map(({ event, code }) => ({ event, code }));
}

async function suppression(channel: 'SMS' | 'EMAIL', address: string) {
  const { addressHash } = hash(channel, address);
  const [rows] = await db.pool.query('SELECT reason, mandatory_too, source, notification_id FROM suppressions WHERE channel = ? AND address_hash = ?', [channel, addressHash]);
  return (rows as Record<string, unknown>[])[0];
}

const smsSid = () => `SM${randomBytes(16).toString('hex')}`;
const messageId = () => `<${randomBytes(8).toString('hex')}@notifier.example.com>`;
const lastLine = (s: Served = served) => s.logs.filter((l) => l.message === 'provider callback').at(-1)!;

/** A status callback as Twilio sends it, to the notifier at `s`, signed for PUBLIC_URL + the path. */
function twilioStatus(params: Record<string, string>, opts: { signedUrl?: string; signature?: string | null; authToken?: string } = {}, s: Served = served) {
  const all = { AccountSid: `AC${'0'.repeat(32)}`, From: '+15005550006', To: PHONE, ApiVersion: '2010-04-01', SmsSid: params.MessageSid ?? '', SmsStatus: params.MessageStatus ?? '', ...params };
  return postTwilio(`${s.url}${STATUS}`, all, { authToken: opts.authToken ?? AUTH_TOKEN, signedUrl: opts.signedUrl ?? `${PUBLIC_URL}${STATUS}`, signature: opts.signature });
}

function twilioInbound(params: Record<string, string>, s: Served = served) {
  const all = { MessageSid: smsSid(), AccountSid: `AC${'0'.repeat(32)}`, To: '+15005550006', NumMedia: '0', ...params };
  return postTwilio(`${s.url}${INBOUND}`, all, { authToken: AUTH_TOKEN, signedUrl: `${PUBLIC_URL}${INBOUND}` });
}

const sgEvent = (event: string, smtpId: string, extra: Record<string, unknown> = {}) => ({
  email: 'alice@example.com',
  timestamp: Math.floor(Date.now() / 1000),
  'smtp-id': smtpId,
  event,
  sg_event_id: randomBytes(12).toString('base64url'),
  sg_message_id: `${randomBytes(8).toString('hex')}.filter0001`,
  ...extra,
});

describe('POST /v1/callbacks/twilio/status, signed as Twilio signs it', () => {
  test('when Twilio reports a message delivered, then its delivery history gets delivered and a lifecycle event names the report', async () => {
    const sid = smsSid();
    const id = await sentDelivery('SMS', sid);
    const res = await twilioStatus({ MessageSid: sid, MessageStatus: 'delivered' });
    expect(res.status).toBe(204);
    expect(await history(id, 'SMS')).toEqual([{ event: 'sent', code: null }, { event: 'delivered', code: null }]);
    expect(served.events).toContainEqual(expect.objectContaining({ event: 'delivered', notificationId: id, target: 'SMS', sourceMessageId: `${sid}:delivered`, providerMessageId: sid }));
    expect(lastLine()).toMatchObject({ severity: 'INFO', status: 204, provider: 'twilio', recorded: 1, unknown: 0, ignored: 0 });
  });

  test('when Twilio retries the same callback, then the history records it once', async () => {
    const sid = smsSid();
    const id = await sentDelivery('SMS', sid);
    expect((await twilioStatus({ MessageSid: sid, MessageStatus: 'delivered' })).status).toBe(204);
    expect((await twilioStatus({ MessageSid: sid, MessageStatus: 'delivered' })).status).toBe(204);
    expect((await history(id, 'SMS')).filter((e) => e.event === 'delivered')).toHaveLength(1);
  });

  test('when a replay of an undelivered message is undelivered too, then its own report is recorded beside the first', async () => {
    const [first, replayed] = [smsSid(), smsSid()];
    const id = await sentDelivery('SMS', first);
    expect((await twilioStatus({ MessageSid: first, MessageStatus: 'undelivered', ErrorCode: '30003' })).status).toBe(204);
    // The replay was sent: the row now carries the new message's SID.
    await db.pool.query('UPDATE delivery_ledger SET provider_message_id = ? WHERE notification_id = ?', [replayed, id]);
    expect((await twilioStatus({ MessageSid: replayed, MessageStatus: 'undelivered', ErrorCode: '30005' })).status).toBe(204);
    expect((await history(id, 'SMS')).filter((e) => e.event === 'undelivered')).toEqual([
      { event: 'undelivered', code: '30003' },
      { event: 'undelivered', code: '30005' },
    ]);
  });

  test('when a message is undelivered with ErrorCode 30003, then the history gets undelivered with that code and nothing is suppressed', async () => {
    const sid = smsSid();
    const to = '+819011110001';
    const id = await sentDelivery('SMS', sid);
    expect((await twilioStatus({ MessageSid: sid, MessageStatus: 'undelivered', ErrorCode: '30003', To: to })).status).toBe(204);
    expect(await history(id, 'SMS')).toContainEqual({ event: 'undelivered', code: '30003' });
    expect(await suppression('SMS', to)).toBeUndefined();
  });

  test('when a message failed with ErrorCode 21610 (the recipient replied STOP), then it is undelivered and the To number is suppressed as an opt-out', async () => {
    const sid = smsSid();
    const to = '+819011110002';
    const id = await sentDelivery('SMS', sid);
    expect((await twilioStatus({ MessageSid: sid, MessageStatus: 'failed', ErrorCode: '21610', To: to })).status).toBe(204);
    expect(await history(id, 'SMS')).toContainEqual({ event: 'undelivered', code: '21610' });
    expect(await suppression('SMS', to)).toEqual({ reason: 'opt_out', mandatory_too: 0, source: 'twilio', notification_id: id });
    expect(lastLine()).toMatchObject({ recorded: 1, suppressed: 1 });
  });

  test.each(['queued', 'sending', 'sent', 'accepted'])('when Twilio reports %s, then it is acknowledged and nothing is recorded', async (status) => {
    const sid = smsSid();
    const id = await sentDelivery('SMS', sid);
    expect((await twilioStatus({ MessageSid: sid, MessageStatus: status })).status).toBe(204);
    expect(await history(id, 'SMS')).toEqual([{ event: 'sent', code: null }]);
    expect(lastLine()).toMatchObject({ recorded: 0, ignored: 1 });
  });

  test('when the message is not one the ledger knows, then the callback is acknowledged and counted, the count growing per process', async () => {
    await twilioStatus({ MessageSid: smsSid(), MessageStatus: 'delivered' });
    const before = lastLine().unknownTotal as number;
    const res = await twilioStatus({ MessageSid: smsSid(), MessageStatus: 'delivered' });
    expect(res.status).toBe(204);
    expect(lastLine()).toMatchObject({ status: 204, recorded: 0, unknown: 1, unknownTotal: before + 1 });
  });
});

describe('POST /v1/callbacks/twilio/*: forged requests', () => {
  test.each<[string, () => Parameters<typeof twilioStatus>[1]]>([
    ['the signature is missing', () => ({ signature: null })],
    ['the signature is made with another auth token', () => ({ authToken: 'someone-elses-token' })],
    ['the signature names the URL the request was sent to (its Host header) instead of PUBLIC_URL', () => ({ signedUrl: `${served.url}${STATUS}` })],
    ['the signature names another path', () => ({ signedUrl: `${PUBLIC_URL}${INBOUND}` })],
    ['the signature is not base64 of a SHA-1 at all', () => ({ signature: 'forged' })],
  ])('when %s, then 401 and nothing is recorded', async (_what, opts) => {
    const sid = smsSid();
    const id = await sentDelivery('SMS', sid);
    const res = await twilioStatus({ MessageSid: sid, MessageStatus: 'delivered' }, opts());
    expect(res.status).toBe(401);
    expect(await history(id, 'SMS')).toEqual([{ event: 'sent', code: null }]);
    expect(lastLine()).toMatchObject({ severity: 'WARNING', status: 401 });
  });

  test('when a signed parameter is changed on the way, then 401 and the log line names neither the body nor the number', async () => {
    const sid = smsSid();
    const id = await sentDelivery('SMS', sid);
    const params = { MessageSid: sid, MessageStatus: 'undelivered', ErrorCode: '30003', To: PHONE };
    const signedFor = { ...params, ErrorCode: '30005' };
    const res = await postTwilio(`${served.url}${STATUS}`, params, { authToken: AUTH_TOKEN, signature: twilioSignatureOf(AUTH_TOKEN, `${PUBLIC_URL}${STATUS}`, signedFor) });
    expect(res.status).toBe(401);
    expect(await history(id, 'SMS')).toEqual([{ event: 'sent', code: null }]);
    expect(JSON.stringify(lastLine())).not.toMatch(/819012345678|30003/);
    expect(lastLine().reason).toBe('signature invalid');
  });
});

describe('POST /v1/callbacks/twilio/inbound', () => {
  test('when a recipient replies STOP through Advanced Opt-Out, then the sender is suppressed as an opt-out and the answer is empty TwiML', async () => {
    const from = '+819022220001';
    const res = await twilioInbound({ From: from, Body: 'Stop', OptOutType: 'STOP' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/xml/);
    expect(await res.text()).toMatch(/<Response\/>$/);
    expect(await suppression('SMS', from)).toEqual({ reason: 'opt_out', mandatory_too: 0, source: 'twilio', notification_id: null });
  });

  test.each([' stop ', 'UNSUBSCRIBE', 'stopall', 'Revoke'])('when the body is the default opt-out keyword %j, then the sender is suppressed', async (body) => {
    const from = `+8190333${String(Math.floor(Math.random() * 1e5)).padStart(5, '0')}`;
    expect((await twilioInbound({ From: from, Body: body })).status).toBe(200);
    expect(await suppression('SMS', from)).toMatchObject({ reason: 'opt_out' });
  });

  test.each(['Stop texting me please', 'HELP', 'START'])('when the body is %j, then nothing is suppressed', async (body) => {
    const from = `+8190444${String(Math.floor(Math.random() * 1e5)).padStart(5, '0')}`;
    expect((await twilioInbound({ From: from, Body: body })).status).toBe(200);
    expect(await suppression('SMS', from)).toBeUndefined();
    expect(lastLine()).toMatchObject({ ignored: 1, suppressed: 0 });
  });
});

describe('POST /v1/callbacks/twilio/inbound: opting back in', () => {
  test('when a recipient who replied STOP replies START, then the opt-out Twilio recorded is lifted', async () => {
    const from = '+819055550001';
    await twilioInbound({ From: from, Body: 'STOP', OptOutType: 'STOP' });
    expect(await suppression('SMS', from)).toMatchObject({ reason: 'opt_out', source: 'twilio' });
    expect((await twilioInbound({ From: from, Body: 'Start', OptOutType: 'START' })).status).toBe(200);
    expect(await suppression('SMS', from)).toBeUndefined();
    expect(lastLine()).toMatchObject({ unsuppressed: 1 });
  });

  test('when the number was suppressed by an operator, then START does not lift it', async () => {
    const from = '+819055550002';
    await db.pool.query("INSERT INTO suppressions (channel, address_hash, reason, mandatory_too, source) VALUES ('SMS', ?, 'manual', FALSE, 'cli:alice')", [hash('SMS', from).addressHash]);
    await twilioInbound({ From: from, Body: 'UNSTOP' });
    expect(await suppression('SMS', from)).toMatchObject({ reason: 'manual' });
  });
});

describe('POST /v1/callbacks/sendgrid, signed as SendGrid signs it', () => {
  test('when a batch reports delivered, bounced, blocked, dropped and spam, then each delivery records its event and the addresses are suppressed as documented', async () => {
    const ids = { delivered: messageId(), bounce: messageId(), blocked: messageId(), dropped: messageId(), spam: messageId() };
    const rows = Object.fromEntries(await Promise.all(Object.entries(ids).map(async ([k, m]) => [k, await sentDelivery('EMAIL', m)] as const)));
    const batch = [
      sgEvent('processed', ids.delivered),
      sgEvent('delivered', ids.delivered, { response: '250 OK' }),
      sgEvent('bounce', ids.bounce, { email: 'gone@example.com', type: 'bounce', status: '5.1.1', reason: '550 5.1.1 no such user' }),
      sgEvent('bounce', ids.blocked, { email: 'busy@example.com', type: 'blocked', reason: '421 try later' }),
      sgEvent('dropped', ids.dropped, { email: 'dropped@example.com', reason: `Bounced Address: dropped@example.com was bounced earlier and ${'x'.repeat(80)}` }),
      sgEvent('spamreport', ids.spam, { email: 'Annoyed@Example.com' }),
      sgEvent('open', ids.delivered),
      sgEvent('delivered', messageId()),
    ];
    const res = await postSendGrid(`${served.url}${SENDGRID}`, JSON.stringify(batch), { privateKey: sendgrid.privateKey });
    expect(res.status).toBe(200);
    expect(await history(rows.delivered!, 'EMAIL')).toEqual([{ event: 'sent', code: null }, { event: 'delivered', code: null }]);
    expect(await history(rows.bounce!, 'EMAIL')).toContainEqual({ event: 'bounced', code: 'bounce' });
    expect(await history(rows.blocked!, 'EMAIL')).toContainEqual({ event: 'bounced', code: 'blocked' });
    expect(await history(rows.spam!, 'EMAIL')).toContainEqual({ event: 'complained', code: null });
    const dropped = (await history(rows.dropped!, 'EMAIL')).find((e) => e.event === 'undelivered')!;
    expect(dropped.code!.length).toBeLessThanOrEqual(64);
    expect(dropped.code).toMatch(/^Bounced Address: /);
    expect(dropped.code).not.toContain('@');
    expect(await suppression('EMAIL', 'gone@example.com')).toEqual({ reason: 'hard_bounce', mandatory_too: 1, source: 'sendgrid', notification_id: rows.bounce });
    expect(await suppression('EMAIL', 'annoyed@example.com')).toEqual({ reason: 'complaint', mandatory_too: 0, source: 'sendgrid', notification_id: rows.spam });
    expect(await suppression('EMAIL', 'busy@example.com')).toBeUndefined();
    expect(lastLine()).toMatchObject({ status: 200, provider: 'sendgrid', recorded: 5, unknown: 1, ignored: 2, suppressed: 2 });
    expect(JSON.stringify(lastLine())).not.toMatch(/@example\.com/i);
  });

  test('when SendGrid sends the Message-ID without angle brackets, then it still finds the delivery', async () => {
    const m = messageId();
    const id = await sentDelivery('EMAIL', m);
    const res = await postSendGrid(`${served.url}${SENDGRID}`, JSON.stringify([sgEvent('delivered', m.slice(1, -1))]), { privateKey: sendgrid.privateKey });
    expect(res.status).toBe(200);
    expect(await history(id, 'EMAIL')).toContainEqual({ event: 'delivered', code: null });
  });

  test('when SendGrid retries a batch, then each event is recorded once', async () => {
    const m = messageId();
    const id = await sentDelivery('EMAIL', m);
    const body = JSON.stringify([sgEvent('delivered', m)]);
    expect((await postSendGrid(`${served.url}${SENDGRID}`, body, { privateKey: sendgrid.privateKey })).status).toBe(200);
    expect((await postSendGrid(`${served.url}${SENDGRID}`, body, { privateKey: sendgrid.privateKey })).status).toBe(200);
    expect((await history(id, 'EMAIL')).filter((e) => e.event === 'delivered')).toHaveLength(1);
  });

  test('when a hard bounce names no Message-ID, then the address is still suppressed and the report counted as unknown', async () => {
    const { 'smtp-id': _none, ...event } = sgEvent('bounce', '', { email: 'nomsgid@example.com', type: 'bounce' });
    const res = await postSendGrid(`${served.url}${SENDGRID}`, JSON.stringify([event]), { privateKey: sendgrid.privateKey });
    expect(res.status).toBe(200);
    expect(await suppression('EMAIL', 'nomsgid@example.com')).toMatchObject({ reason: 'hard_bounce', notification_id: null });
    expect(lastLine()).toMatchObject({ unknown: 1, suppressed: 1 });
  });

  test('when the verified body is not an array of events, then 400', async () => {
    const res = await postSendGrid(`${served.url}${SENDGRID}`, JSON.stringify({ event: 'delivered' }), { privateKey: sendgrid.privateKey });
    expect(res.status).toBe(400);
  });
});

describe('POST /v1/callbacks/sendgrid: forged and replayed requests', () => {
  const other = sendGridKeys();
  const minutesAgo = (n: number) => String(Math.floor(Date.now() / 1000) - n * 60);

  test.each<[string, (body: string) => Parameters<typeof postSendGrid>[2]]>([
    ['the signature is missing', () => ({ privateKey: sendgrid.privateKey, signature: null })],
    ['it is signed with another key', () => ({ privateKey: other.privateKey })],
    ['the body was changed after signing', () => ({ privateKey: sendgrid.privateKey, signedBody: '[]' })],
    ['the timestamp is eleven minutes old (a replay)', () => ({ privateKey: sendgrid.privateKey, timestamp: minutesAgo(11) })],
    ['the timestamp header was changed after signing', (body) => ({ privateKey: sendgrid.privateKey, signature: sendGridSignatureOf(sendgrid.privateKey, minutesAgo(1), body) })],
    ['the signature is not DER at all', () => ({ privateKey: sendgrid.privateKey, signature: Buffer.from('forged').toString('base64') })],
  ])('when %s, then 401 and nothing is recorded', async (_what, opts) => {
    const m = messageId();
    const id = await sentDelivery('EMAIL', m);
    const body = JSON.stringify([sgEvent('delivered', m)]);
    const res = await postSendGrid(`${served.url}${SENDGRID}`, body, opts(body));
    expect(res.status).toBe(401);
    expect(await history(id, 'EMAIL')).toEqual([{ event: 'sent', code: null }]);
    expect(lastLine()).toMatchObject({ severity: 'WARNING', status: 401, reason: expect.any(String) });
    expect(JSON.stringify(lastLine())).not.toContain('alice@example.com');
  });

  test('when the timestamp is nine minutes old, then the batch is accepted', async () => {
    const m = messageId();
    const id = await sentDelivery('EMAIL', m);
    const res = await postSendGrid(`${served.url}${SENDGRID}`, JSON.stringify([sgEvent('delivered', m)]), { privateKey: sendgrid.privateKey, timestamp: minutesAgo(9) });
    expect(res.status).toBe(200);
    expect(await history(id, 'EMAIL')).toContainEqual({ event: 'delivered', code: null });
  });
});

describe('provider callbacks: limits, configuration and outages', () => {
  test('when a batch is larger than 1 MB, then 413 before anything is verified', async () => {
    const big = JSON.stringify([sgEvent('delivered', messageId(), { padding: 'x'.repeat(1024 * 1024) })]);
    const res = await postSendGrid(`${served.url}${SENDGRID}`, big, { privateKey: sendgrid.privateKey });
    expect(res.status).toBe(413);
  });

  test('when neither the Twilio token, PUBLIC_URL nor the SendGrid key is configured, then every callback answers 404', async () => {
    const bare = await serve({ twilioAuthToken: undefined, publicUrl: undefined, sendgridPublicKey: undefined });
    try {
      expect((await twilioStatus({ MessageSid: smsSid(), MessageStatus: 'delivered' }, {}, bare)).status).toBe(404);
      expect((await twilioInbound({ From: PHONE, Body: 'STOP' }, bare)).status).toBe(404);
      expect((await postSendGrid(`${bare.url}${SENDGRID}`, '[]', { privateKey: sendgrid.privateKey })).status).toBe(404);
    } finally {
      await bare.close();
    }
  });

  test('when a Twilio token is set but no PUBLIC_URL, then Twilio callbacks are not served (nothing to verify the URL against)', async () => {
    const noUrl = await serve({ publicUrl: undefined });
    try {
      expect((await twilioStatus({ MessageSid: smsSid(), MessageStatus: 'delivered' }, {}, noUrl)).status).toBe(404);
      expect((await postSendGrid(`${noUrl.url}${SENDGRID}`, '[]', { privateKey: sendgrid.privateKey })).status).toBe(200);
    } finally {
      await noUrl.close();
    }
  });

  test('when a callback path is read with GET, then 405 naming POST', async () => {
    const res = await fetch(`${served.url}${STATUS}`);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });

  test('when MySQL cannot be reached, then verified callbacks answer 503 so the provider retries', async () => {
    const down = createPool({ url: `mysql://root@127.0.0.1:${await freePort()}/nowhere`, size: 1, timeoutMs: 2000 });
    const outage = await serve({}, down);
    try {
      expect((await twilioStatus({ MessageSid: smsSid(), MessageStatus: 'delivered' }, {}, outage)).status).toBe(503);
      expect((await twilioInbound({ From: PHONE, Body: 'STOP' }, outage)).status).toBe(503);
      expect((await postSendGrid(`${outage.url}${SENDGRID}`, JSON.stringify([sgEvent('delivered', messageId())]), { privateKey: sendgrid.privateKey })).status).toBe(503);
      expect(lastLine(outage)).toMatchObject({ severity: 'WARNING', status: 503 });
    } finally {
      await outage.close();
      await down.end();
    }
  });
});
