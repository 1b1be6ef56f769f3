import { randomUUID } from 'node:crypto';
import { encodeNotification } from '../../src/codec/codec';
import { makePublicTarget, targetKey } from '../../src/delivery/routing';
import { LOCAL_SUPPRESSION_KEY } from '../../src/config';
import { accountPageSql } from '../../src/mysql/status-store';
import { utcDatetime } from '../../src/mysql/sql';
import { emailNotification } from '../support/notifications';
import { eventually, InProcessNotifier, notifierEnv, startInProcess } from '../support/notifier';
import { startTestIssuer, TestIssuer } from '../support/oidc-issuer';
import { FAST_SETTINGS, startTestPipeline, TestPipeline } from '../support/pipeline';
import { startTwilio, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM, TwilioStandIn } from '../support/providers/twilio';
import { cliOn } from '../support/resolve';

const EMAIL = 'alice@example.com';
const PHONE = '+819012345678';
const AUDIENCE = 'https://notifier.example.com';
const CALLER = 'support-tool@notifier-test.iam.gserviceaccount.com';

let twilio: TwilioStandIn;
let issuer: TestIssuer;
let t: TestPipeline;
let guarded: InProcessNotifier;

beforeAll(async () => {
  [twilio, issuer] = await Promise.all([startTwilio(), startTestIssuer()]);
  t = await startTestPipeline(FAST_SETTINGS, { TWILIO_BASE_URL: twilio.url, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM, SMS_RATE_LIMIT: '0' });
  // The same ledger behind a notifier that checks OIDC tokens.
  const topics = { deadLetterTopic: t.names.deadLetterTopic, poisonTopic: t.names.poisonTopic };
  guarded = await startInProcess(
    notifierEnv({ db: t.db, smtp: t.smtp, topics }, { API_AUTH: 'oidc', API_AUDIENCE: AUDIENCE, STATUS_CALLERS: CALLER, SETTINGS_CALLERS: 'settings@notifier-test.iam.gserviceaccount.com' }),
    { oidcCertsUrl: issuer.certsUrl },
  );
});

afterAll(async () => {
  await guarded?.stop();
  await t?.close();
  await Promise.all([twilio?.close(), issuer?.close()]);
});

const base = () => `http://127.0.0.1:${t.pipeline.notifier.port}`;
async function get(path: string, opts: { base?: string; token?: string } = {}) {
  const res = await fetch(`${opts.base ?? base()}${path}`, { headers: opts.token ? { authorization: `Bearer ${opts.token}` } : {} });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
const statusOf = (id: string) => get(`/v1/notifications/${encodeURIComponent(id)}`);
const eventNames = (d: { events: { event: string }[] }) => d.events.map((e) => e.event);
type Delivery = { channel: string; target?: string; status: string; attempts: number; providerMessageId?: string; code?: string; releaseAt?: string; events: { at: string; event: string; code?: string }[] };
const deliveriesOf = (body: Record<string, unknown>) => body.deliveries as Delivery[];

async function settle(account: string, quiet?: [number, number]) {
  const [start, end] = quiet ?? [null, null];
  await t.db.pool.query('INSERT INTO account_settings (account_id, time_zone, quiet_start, quiet_end) VALUES (?, ?, ?, ?)', [account, 'UTC', start, end]);
  await t.db.pool.query('INSERT INTO account_contacts (account_id, channel, position, address) VALUES (?, ?, 0, ?), (?, ?, 0, ?)', [account, 'EMAIL', EMAIL, account, 'SMS', PHONE]);
}

/** Quiet hours around now (UTC): an hour ago to an hour from now. */
function quietNow(): [number, number] {
  const now = new Date();
  const minute = now.getUTCHours() * 60 + now.getUTCMinutes();
  return [(minute + 1380) % 1440, (minute + 60) % 1440];
}

describe('GET /v1/notifications/{notificationId}', () => {
  test('when an email was sent, then its one delivery is sent after one attempt, with the provider ID and the claim before the send', async () => {
    const n = emailNotification();
    await t.client.publish({ notificationId: n.notificationId, type: n.type, channel: 'EMAIL', email: { to: EMAIL, subject: 's', text: 't' } });
    await eventually('the mail', async () => t.smtp.mailsFor(n.notificationId)[0]);
    const { status, body } = await eventually('the sent row', async () => {
      const r = await statusOf(n.notificationId);
      return deliveriesOf(r.body)?.[0]?.status === 'sent' ? r : undefined;
    });
    expect(status).toBe(200);
    expect(body.notificationId).toBe(n.notificationId);
    const [d] = deliveriesOf(body);
    expect(d).toMatchObject({ channel: 'EMAIL', status: 'sent', attempts: 1, type: n.type });
    expect(d!.providerMessageId).toMatch(/.+/);
    expect(eventNames(d!)).toEqual(['sending', 'sent']);
    expect(Date.parse(d!.events[0]!.at)).toBeLessThanOrEqual(Date.parse(d!.events[1]!.at));
    expect(JSON.stringify(body)).not.toContain(EMAIL);
  });

  test('when a routed notification went to two contacts, then the fan-out and each contact are deliveries, named by target and never by address', async () => {
    const account = `acct-status-${randomUUID()}`;
    await settle(account);
    const id = `routed-${randomUUID()}`;
    await t.client.publish({ notificationId: id, type: 'order.shipped', accountId: account, content: { title: 'Shipped', body: `Order ${id}` } });
    const body = await eventually('both contacts sent', async () => {
      const r = await statusOf(id);
      const ds = r.status === 200 ? deliveriesOf(r.body) : [];
      return ds.length === 3 && ds.every((d) => d.status === 'sent' || d.status === 'routed') ? r.body : undefined;
    }, 20000);
    // Targets leave keyed: the ledger's unkeyed hash of a phone number could be reversed.
    const shown = makePublicTarget(LOCAL_SUPPRESSION_KEY);
    expect(deliveriesOf(body).map((d) => [d.channel, d.target, d.status])).toEqual([
      ['EMAIL', shown(targetKey('EMAIL', EMAIL)), 'sent'],
      ['ROUTED', undefined, 'routed'],
      ['SMS', shown(targetKey('SMS', PHONE)), 'sent'],
    ]);
    expect(JSON.stringify(body)).not.toContain(targetKey('SMS', PHONE));
    expect(JSON.stringify(body)).not.toMatch(new RegExp(`${EMAIL}|\\${PHONE}`));
  });

  test('when a notification was held for quiet hours and then released, then its history reads held, sending, sent', async () => {
    const account = `acct-quiet-${randomUUID()}`;
    await settle(account, quietNow());
    const n = emailNotification({ accountId: account });
    await t.client.publish({ notificationId: n.notificationId, type: n.type, accountId: account, channel: 'EMAIL', email: { to: EMAIL, subject: 's', text: 't' } });
    const held = await eventually('the held row', async () => {
      const r = await statusOf(n.notificationId);
      return deliveriesOf(r.body)?.[0]?.status === 'held' ? deliveriesOf(r.body)[0] : undefined;
    });
    expect(held.releaseAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    // Quiet hours end: the account drops them and the held message falls due.
    await t.db.pool.query('UPDATE account_settings SET quiet_start = NULL, quiet_end = NULL WHERE account_id = ?', [account]);
    await t.db.pool.query('UPDATE held_notifications SET release_at = ? WHERE notification_id = ?', [utcDatetime(Date.now() - 1000), n.notificationId]);
    expect((await fetch(`${base()}/tasks/release-held`, { method: 'POST' })).status).toBe(200);
    const sent = await eventually('the released send', async () => {
      const d = deliveriesOf((await statusOf(n.notificationId)).body)?.[0];
      return d?.status === 'sent' ? d : undefined;
    }, 20000);
    expect(eventNames(sent)).toEqual(['held', 'sending', 'sent']);
    expect(sent.releaseAt).toBeUndefined();
  });

  test('when the provider refused the recipient for good, then the delivery is failed, dead-lettered with the code', async () => {
    const n = emailNotification({ email: { to: 'nobody@example.com', subject: 's', text: 't', html: '' } });
    t.smtp.rcptReplies.set('nobody@example.com', 550);
    await t.client.publish({ notificationId: n.notificationId, type: n.type, channel: 'EMAIL', email: { to: 'nobody@example.com', subject: 's', text: 't' } });
    const d = await eventually('the failed row', async () => {
      const got = deliveriesOf((await statusOf(n.notificationId)).body)?.[0];
      return got?.status === 'failed' ? got : undefined;
    }, 20000);
    expect(d.code).toMatch(/^[A-Z_]+$/);
    expect(d.events.map((e) => [e.event, e.code])).toEqual([['sending', undefined], ['dead_lettered', d.code]]);
  });

  test('when nothing of a notification is recorded, then 404; and a path that is no notification ID is 400', async () => {
    expect((await statusOf(`never-${randomUUID()}`)).status).toBe(404);
    expect((await statusOf(' padded')).status).toBe(400);
    expect((await statusOf('x'.repeat(129))).status).toBe(400);
  });
});

describe('GET /v1/accounts/{accountId}/notifications', () => {
  test('when an account has more deliveries than a page, then pages of `limit` walk all of them once, newest first, and the last has no token', async () => {
    const account = `acct-pages-${randomUUID()}`;
    const rows = Array.from({ length: 7 }, (_, i) => [`page-${i}`, 'EMAIL', 'sent', 1, 'order.shipped', account, 'm', 'm', utcDatetime(Date.now() - (7 - i) * 1000)]);
    await t.db.pool.query(
      'INSERT INTO delivery_ledger (notification_id, channel, status, attempts, notification_type, account_id, first_message_id, last_message_id, created_at) VALUES ?',
      [rows],
    );
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const r = await get(`/v1/accounts/${account}/notifications?limit=3${token ? `&pageToken=${token}` : ''}`);
      expect(r.status).toBe(200);
      seen.push(...(r.body.deliveries as { notificationId: string }[]).map((d) => d.notificationId));
      token = r.body.nextPageToken as string | undefined;
      pages++;
    } while (token && pages < 10);
    expect(seen).toEqual(['page-6', 'page-5', 'page-4', 'page-3', 'page-2', 'page-1', 'page-0']);
    expect(pages).toBe(3);
  });

  test('when the query is out of bounds or the token forged, then 400 naming the parameter', async () => {
    const account = `/v1/accounts/acct-bounds/notifications`;
    expect((await get(`${account}?limit=0`)).body.error).toMatch(/^limit/);
    expect((await get(`${account}?limit=201`)).body.error).toMatch(/^limit/);
    expect((await get(`${account}?since=yesterday`)).body.error).toMatch(/^since/);
    expect((await get(`${account}?since=2026-02-30`)).body.error).toMatch(/^since/);
    expect((await get(`${account}?limit=1&limit=2`)).body.error).toBe('limit must be given once');
    const forged = Buffer.from(JSON.stringify(['2026-01-01T00:00:00.000000Z', 'x', "EMAIL' OR 1=1"])).toString('base64url');
    expect((await get(`${account}?pageToken=${forged}`)).body.error).toMatch(/^pageToken/);
  });

  test('when an account has 20,000 deliveries, then a page walks a page’s worth of the account index, in index order', async () => {
    const account = `acct-heavy-${randomUUID()}`;
    const start = Date.now() - 20_000_000;
    for (let batch = 0; batch < 4; batch++) {
      const rows = Array.from({ length: 5000 }, (_, i) => {
        const n = batch * 5000 + i;
        return [`heavy-${n}`, 'EMAIL', 'sent', 1, 't', account, 'm', 'm', utcDatetime(start + n * 1000)];
      });
      await t.db.pool.query(
        'INSERT INTO delivery_ledger (notification_id, channel, status, attempts, notification_type, account_id, first_message_id, last_message_id, created_at) VALUES ?',
        [rows],
      );
    }
    await t.db.pool.query('ANALYZE TABLE delivery_ledger');
    const since = utcDatetime(start - 1000);
    const after = [...Array(3).fill(utcDatetime(start + 10_000_000)), 'heavy-10000', 'heavy-10000', 'EMAIL'];
    const pages: [string, unknown[]][] = [[accountPageSql(false), [account, since, 51]], [accountPageSql(true), [account, since, ...after, 51]]];
    for (const [sql, params] of pages) {
      const conn = await t.db.pool.getConnection();
      try {
        const [plan] = await conn.query(`EXPLAIN ${sql}`, params);
        // The page's keys: a covering range scan of the account index, in index order.
        const keys = (plan as { select_type: string; key: string; Extra: string | null }[]).find((s) => s.select_type === 'DERIVED')!;
        expect(keys.key).toBe('idx_delivery_ledger_account');
        expect(keys.Extra).toMatch(/Using index/);
        expect(keys.Extra).not.toMatch(/filesort/);
        await conn.query('FLUSH STATUS');
        const [page] = await conn.query(sql, params);
        const [reads] = await conn.query("SHOW SESSION STATUS WHERE Variable_name IN ('Handler_read_prev', 'Handler_read_next')");
        const walked = (reads as { Value: string }[]).reduce((sum, r) => sum + Number(r.Value), 0);
        expect((page as unknown[]).length).toBe(51);
        // A page's worth of index entries, not the account's 20,000.
        expect(walked).toBeLessThanOrEqual(51);
      } finally {
        conn.release();
      }
    }
  });
});

describe('STATUS_CALLERS', () => {
  const claims = { aud: AUDIENCE, email: CALLER, email_verified: true };
  const opts = (token?: string) => ({ base: guarded.url, ...(token && { token }) });

  test('when there is no bearer token, then 401; when the token is another service account’s, then 403', async () => {
    expect((await get('/v1/notifications/n-1', opts())).status).toBe(401);
    const settingsCaller = issuer.token({ ...claims, email: 'settings@notifier-test.iam.gserviceaccount.com' });
    expect((await get('/v1/accounts/acct-1/notifications', opts(settingsCaller))).status).toBe(403);
  });

  test('when the token is a status caller’s, then the lookup is served', async () => {
    expect((await get(`/v1/notifications/never-${randomUUID()}`, opts(issuer.token(claims)))).status).toBe(404);
  });
});

describe('notifier status', () => {
  test('when a notification was sent, then one command prints each delivery and its history', async () => {
    const n = emailNotification();
    await t.client.publish({ notificationId: n.notificationId, type: n.type, channel: 'EMAIL', email: { to: EMAIL, subject: 's', text: 't' } });
    await eventually('the sent row', async () => (await t.db.row(n.notificationId))?.status === 'sent' || undefined);
    const { code, stdout } = await cliOn(t, 'status', n.notificationId);
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`^${n.notificationId}: order.shipped\\nEMAIL: sent \\(attempts 1, provider .+\\)\\n  \\S+Z  sending\\n  \\S+Z  sent\\n$`));
  });

  test('when a notification was rejected before any send, then the command shows its dead letter instead', async () => {
    const id = `invalid-${randomUUID()}`;
    // Bytes no producer client would publish (it checks recipients first).
    const invalid = emailNotification({ notificationId: id, email: { to: 'not-an-address', subject: 's', text: 't', html: '' } });
    await t.pipeline.pubsub.topic(t.names.topic).publishMessage({ data: encodeNotification(invalid, 'JSON') });
    const stdout = await eventually('the dead letter', async () => {
      const out = (await cliOn(t, 'status', id)).stdout;
      return out.includes('dead-lettered') ? out : undefined;
    }, 20000);
    expect(stdout).toMatch(new RegExp(`^${id}:\\nEMAIL: dead-lettered before any send: INVALID_RECIPIENT`));
  });

  test('when asked for an account, then its deliveries print newest first with the command for the next page', async () => {
    const account = `acct-cli-${randomUUID()}`;
    const rows = [0, 1, 2].map((i) => [`cli-${i}`, 'EMAIL', 'sent', 1, 'order.shipped', account, 'm', 'm', utcDatetime(Date.now() - (3 - i) * 1000)]);
    await t.db.pool.query('INSERT INTO delivery_ledger (notification_id, channel, status, attempts, notification_type, account_id, first_message_id, last_message_id, created_at) VALUES ?', [rows]);
    const { code, stdout } = await cliOn(t, 'status', '--account', account, '--limit', '2');
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines.slice(0, 2).map((l) => l.split(' ').slice(0, 3).join(' '))).toEqual(['cli-2 EMAIL: sent', 'cli-1 EMAIL: sent']);
    expect(lines[2]).toMatch(new RegExp(`^more: notifier status --account ${account} --page-token \\S+$`));
  });
});
