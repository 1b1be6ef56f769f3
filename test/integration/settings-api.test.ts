import { makeMysqlLedger } from '../../src/mysql/ledger';
import { createPool, Pool } from '../../src/mysql/pool';
import { SETTINGS_LIMITS } from '../../src/settings/document';
import { MYSQL_ROOT_URL } from '../support/env';
import { eventually, InProcessNotifier, notifierEnv, startInProcess } from '../support/notifier';
import { startTestIssuer, TestIssuer } from '../support/oidc-issuer';
import { RealParts, startRealParts } from '../support/real-parts';
import { startTcpProxy, TcpProxy } from '../support/tcp-proxy';

const AUDIENCE = 'https://notifier.example.run.app';
const CALLER = 'settings-ui@notifier-test.iam.gserviceaccount.com';

let parts: RealParts;
let proxy: TcpProxy;
let issuer: TestIssuer;
let notifier: InProcessNotifier;
let guarded: InProcessNotifier;
let pool: Pool;

beforeAll(async () => {
  [parts, issuer] = await Promise.all([startRealParts(), startTestIssuer()]);
  const target = new URL(MYSQL_ROOT_URL);
  proxy = await startTcpProxy(target.hostname, Number(target.port || 3306));
  const viaProxy = new URL(parts.db.url);
  viaProxy.host = `127.0.0.1:${proxy.port}`;
  // API_AUTH follows PUSH_AUTH (none) here; `guarded` checks real OIDC tokens.
  notifier = await startInProcess(notifierEnv({ ...parts, db: { url: viaProxy.toString() } }, { MYSQL_TIMEOUT_MS: '2000' }));
  guarded = await startInProcess(
    notifierEnv(parts, { API_AUTH: 'oidc', API_AUDIENCE: AUDIENCE, SETTINGS_CALLERS: `other@example.iam.gserviceaccount.com,${CALLER}` }),
    { oidcCertsUrl: issuer.certsUrl },
  );
  pool = createPool({ url: parts.db.url, size: 2, timeoutMs: 2000, multipleStatements: true });
});

afterAll(async () => {
  await Promise.all([notifier?.stop(), guarded?.stop()]);
  await pool?.end();
  await Promise.all([parts?.close(), proxy?.close(), issuer?.close()]);
});

const EXAMPLE = {
  locale: 'ja-jp', timeZone: 'Asia/Tokyo', quietHours: { start: '22:00', end: '07:00' },
  contacts: { EMAIL: ['a@example.com'], SMS: ['+819012345678'], PUSH: ['token-1', 'token-2'] },
  preferences: [{ type: 'marketing.*', channel: '*', enabled: false }, { type: 'order.shipped', channel: 'SMS', enabled: true }],
};

async function call(method: string, accountId: string, body?: unknown, opts: { base?: string; token?: string; raw?: string } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const raw = opts.raw ?? (body === undefined ? undefined : JSON.stringify(body));
  const res = await fetch(`${opts.base ?? notifier.url}/v1/accounts/${accountId}/settings`, { method, headers, body: raw });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, text };
}

describe('settings round trip', () => {
  test('when settings are PUT, then the stored document comes back (locale canonical) and GET returns the same', async () => {
    const put = await call('PUT', 'acct-1', EXAMPLE);
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ accountId: 'acct-1', ...EXAMPLE, locale: 'ja-JP', updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/) });
    const get = await call('GET', 'acct-1');
    expect(get.status).toBe(200);
    expect(get.body).toEqual(put.body);
  });

  test('when what GET returned is PUT back, then it is accepted as it is', async () => {
    await call('PUT', 'acct-back', EXAMPLE);
    const { body } = await call('GET', 'acct-back');
    expect((await call('PUT', 'acct-back', body)).status).toBe(200);
  });

  test('when a second PUT leaves contacts out, then the old contacts and rules are gone', async () => {
    await call('PUT', 'acct-2', EXAMPLE);
    const put = await call('PUT', 'acct-2', { contacts: { SLACK: ['#alerts'] } });
    expect(put.status).toBe(200);
    expect((await call('GET', 'acct-2')).body).toEqual({ accountId: 'acct-2', contacts: { SLACK: ['#alerts'] }, preferences: [], updatedAt: put.body.updatedAt });
    const [rows] = await parts.db.pool.query('SELECT channel FROM account_contacts WHERE account_id = ?', ['acct-2']);
    expect(rows).toEqual([{ channel: 'SLACK' }]);
  });

  test('when an account has no settings, then GET is 404 naming the account', async () => {
    expect(await call('GET', 'acct-unknown')).toMatchObject({ status: 404, body: { error: 'no settings for account acct-unknown' } });
  });
});

describe('bad requests', () => {
  test('when the document breaks several rules, then 422 lists every problem by field without repeating any value', async () => {
    const res = await call('PUT', 'acct-bad', {
      timeZone: 'Mars/Olympus',
      quietHours: { start: '25:00', end: '07:00' },
      contacts: { SMS: ['090-1234-5678'], EMAIL: ['not-an-address'] },
      preferences: [{ type: 'a*b', channel: 'FAX', enabled: 'yes' }],
      colour: 'blue',
    });
    expect(res.status).toBe(422);
    expect(res.body.error).toBe('invalid settings');
    expect(res.body.problems.map((p: { field: string }) => p.field).sort()).toEqual([
      'colour', 'contacts.EMAIL[0]', 'contacts.SMS[0]', 'preferences[0].channel', 'preferences[0].enabled',
      'preferences[0].type', 'quietHours.start', 'timeZone',
    ]);
    expect(res.body.problems).toContainEqual({ field: 'contacts.SMS[0]', problem: expect.stringMatching(/^is not an E\.164 phone number/) });
    for (const value of ['Mars/Olympus', '25:00', '090-1234-5678', 'not-an-address', 'a*b', 'FAX', 'blue']) expect(res.text).not.toContain(value);
    expect((await call('GET', 'acct-bad')).status).toBe(404);
  });

  test('when the body is not JSON, or JSON but not an object, then 400', async () => {
    expect(await call('PUT', 'acct-3', undefined, { raw: '{"locale": ' })).toMatchObject({ status: 400, body: { error: 'body is not JSON' } });
    expect(await call('PUT', 'acct-3', [EXAMPLE])).toMatchObject({ status: 400, body: { error: 'body must be a JSON object' } });
    expect(await call('PUT', 'acct-3', undefined, { raw: '' })).toMatchObject({ status: 400 });
  });

  test('when the body is over 256 KB, then 413 and nothing is stored', async () => {
    const raw = JSON.stringify({ ...EXAMPLE, padding: 'x'.repeat(SETTINGS_LIMITS.bodyBytes) });
    expect((await call('PUT', 'acct-big', undefined, { raw })).status).toBe(413);
    expect((await call('GET', 'acct-big')).status).toBe(404);
  });

  test('when the account ID is too long or has control characters, then 400 naming accountId', async () => {
    const long = 'a'.repeat(SETTINGS_LIMITS.accountIdLength + 1);
    expect(await call('GET', long)).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^accountId /) } });
    expect(await call('PUT', 'a%01b', EXAMPLE)).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^accountId /) } });
    expect((await call('GET', 'a'.repeat(SETTINGS_LIMITS.accountIdLength))).status).toBe(404);
  });

  test("when the account ID differs from a stored one only by a trailing space, then 400: never the other account's settings", async () => {
    expect((await call('PUT', 'acct-pad', EXAMPLE)).status).toBe(200);
    // MariaDB and MySQL compare utf8mb4_bin with PAD SPACE: 'acct-pad ' would find 'acct-pad'.
    expect(await call('GET', 'acct-pad%20')).toMatchObject({ status: 400, body: { error: 'accountId begins or ends with whitespace' } });
    expect(await call('PUT', '%20acct-pad', EXAMPLE)).toMatchObject({ status: 400 });
    expect(await call('DELETE', 'acct-pad%20')).toMatchObject({ status: 400 });
    expect((await call('GET', 'acct-pad')).status).toBe(200);
  });
});

describe('erasing', () => {
  /** A notification held for quiet hours, as the delivery path holds it. */
  const held = (id: string, accountId: string, releaseAtMs = Date.now() + 3_600_000) =>
    makeMysqlLedger(pool, { lockWaitSeconds: 1, timeoutMs: 2000 }).withLock({ notificationId: id, channel: 'SMS:1a2b3c4d' }, (l) =>
      l.hold({ status: 'held', attempts: 1, replays: 0, type: 'order.shipped', accountId, messageId: `m-${id}`, releaseAtMs }, {
        data: Buffer.from('{"sms":{"to":"+819012345678"}}'), attributes: {}, sourceMessageId: `m-${id}`, accountId, releaseAtMs,
      }));

  test('when an account is erased, then its settings and held notifications are gone and their ledger rows suppressed', async () => {
    await call('PUT', 'acct-erase', EXAMPLE);
    await held('n-erase-1', 'acct-erase');
    await held('n-keep-1', 'acct-keep');
    expect((await call('DELETE', 'acct-erase')).status).toBe(204);
    expect((await call('GET', 'acct-erase')).status).toBe(404);
    for (const table of ['account_contacts', 'account_preferences', 'held_notifications']) {
      const [rows] = await parts.db.pool.query(`SELECT 1 FROM ${table} WHERE account_id = ?`, ['acct-erase']);
      expect({ table, rows }).toEqual({ table, rows: [] });
    }
    expect(await parts.db.row('n-erase-1', 'SMS:1a2b3c4d')).toMatchObject({ status: 'suppressed', failure_code: 'ACCOUNT_ERASED', account_id: 'acct-erase' });
    expect(await parts.db.row('n-keep-1', 'SMS:1a2b3c4d')).toMatchObject({ status: 'held' });
    expect((await parts.db.pool.query('SELECT status FROM held_notifications WHERE account_id = ?', ['acct-keep']))[0]).toEqual([{ status: 'held' }]);
  });

  test('when nothing is stored for the account, then DELETE is still 204', async () => {
    expect([(await call('DELETE', 'acct-never')).status, (await call('DELETE', 'acct-never')).status]).toEqual([204, 204]);
  });
});

describe('API_AUTH=oidc', () => {
  const base = () => ({ base: guarded.url });
  const claims = { aud: AUDIENCE, email: CALLER, email_verified: true };

  test('when there is no bearer token, then 401 before the body is looked at', async () => {
    expect((await call('PUT', 'acct-auth', undefined, { ...base(), raw: 'not json' })).status).toBe(401);
    expect((await call('GET', 'acct-auth', undefined, base())).status).toBe(401);
  });

  test('when the token is for a service account not in SETTINGS_CALLERS, then 403', async () => {
    const token = issuer.token({ ...claims, email: 'pubsub-push@notifier-test.iam.gserviceaccount.com' });
    expect((await call('DELETE', 'acct-auth', undefined, { ...base(), token })).status).toBe(403);
  });

  test('when the token is issued to a settings caller, then the request is served', async () => {
    const opts = { ...base(), token: issuer.token(claims) };
    expect([(await call('PUT', 'acct-auth', EXAMPLE, opts)).status, (await call('GET', 'acct-auth', undefined, opts)).status]).toEqual([200, 200]);
  });
});

describe('audit trail', () => {
  const claims = { aud: AUDIENCE, email: CALLER, email_verified: true };
  const audits = (n: InProcessNotifier, from: number, to?: number) => n.logs.slice(from, to).filter((l) => l.message === 'settings audit');
  const VALUES = ['a@example.com', '+819012345678', 'token-1', 'token-2', 'marketing.*', 'order.shipped', 'Asia/Tokyo', '22:00'];

  test('when a verified caller PUTs and then DELETEs, then each writes one audit line naming caller, account and action, with counts and no value', async () => {
    const opts = { base: guarded.url, token: issuer.token(claims) };
    const before = guarded.logs.length;
    expect((await call('PUT', 'acct-audit', EXAMPLE, opts)).status).toBe(200);
    const afterPut = guarded.logs.length;
    expect((await call('DELETE', 'acct-audit', undefined, opts)).status).toBe(204);
    const [puts, erases] = [audits(guarded, before, afterPut), audits(guarded, afterPut)];
    expect([puts.length, erases.length]).toEqual([1, 1]);
    const [put, erase] = [puts[0], erases[0]];
    expect(put).toEqual({
      message: 'settings audit', level: 'info', severity: 'INFO', action: 'settings.replace', caller: CALLER, accountId: 'acct-audit',
      status: 200, contacts: { EMAIL: 1, SMS: 1, PUSH: 2 }, preferences: 2, quietHours: true,
    });
    expect(erase).toEqual({
      message: 'settings audit', level: 'info', severity: 'INFO', action: 'settings.erase', caller: CALLER, accountId: 'acct-audit',
      status: 204, erased: true, heldRemoved: 0,
    });
    for (const value of VALUES) expect(JSON.stringify([put, erase])).not.toContain(value);
  });

  test('when API_AUTH=none, then the caller is "unauthenticated" even if the token claims an email', async () => {
    const before = notifier.logs.length;
    const token = issuer.token({ ...claims, email: 'someone-else@example.com' });
    expect((await call('PUT', 'acct-audit-none', EXAMPLE, { token })).status).toBe(200);
    expect(audits(notifier, before)).toEqual([expect.objectContaining({ action: 'settings.replace', caller: 'unauthenticated', accountId: 'acct-audit-none' })]);
    expect(JSON.stringify(notifier.logs.slice(before))).not.toContain('someone-else@example.com');
  });

  test('when a request is refused (401, 403, 422), then no audit line, and the request line has the status and the reason or the caller', async () => {
    const before = guarded.logs.length;
    const intruder = issuer.token({ ...claims, email: 'pubsub-push@notifier-test.iam.gserviceaccount.com' });
    expect((await call('PUT', 'acct-refused', EXAMPLE, { base: guarded.url })).status).toBe(401);
    expect((await call('DELETE', 'acct-refused', undefined, { base: guarded.url, token: intruder })).status).toBe(403);
    expect((await call('PUT', 'acct-refused', { contacts: { SMS: ['555-0100'] } }, { base: guarded.url, token: issuer.token(claims) })).status).toBe(422);
    expect(audits(guarded, before)).toEqual([]);
    const requests = guarded.logs.slice(before).filter((l) => l.message === 'settings request');
    expect(requests.map((l) => [l.method, l.status, l.reason ?? l.caller])).toEqual([
      ['PUT', 401, 'missing bearer token'],
      ['DELETE', 403, 'token was not issued to a settings caller (SETTINGS_CALLERS)'],
      ['PUT', 422, CALLER],
    ]);
    expect(JSON.stringify(guarded.logs.slice(before))).not.toContain('555-0100');
  });

  test('when MySQL is unavailable, then the attempted change is audited with status 503', async () => {
    const before = notifier.logs.length;
    await proxy.cut();
    try {
      expect((await call('DELETE', 'acct-audit-down')).status).toBe(503);
    } finally {
      await proxy.restore();
    }
    expect(audits(notifier, before)).toEqual([
      { message: 'settings audit', level: 'info', severity: 'INFO', action: 'settings.erase', caller: 'unauthenticated', accountId: 'acct-audit-down', status: 503 },
    ]);
  });
});

describe('MySQL unavailable, and logging', () => {
  test('when MySQL cannot be reached, then 503 with an error, and the API answers again after it returns', async () => {
    await proxy.cut();
    try {
      for (const [method, body] of [['GET'], ['PUT', EXAMPLE], ['DELETE']] as const) {
        expect(await call(method, 'acct-down', body)).toMatchObject({ status: 503, body: { error: expect.any(String) } });
      }
    } finally {
      await proxy.restore();
    }
    await eventually('the settings API after MySQL returns', async () => (await call('PUT', 'acct-down', EXAMPLE)).status === 200 || undefined);
  });

  test('when requests are served, then each is logged once with method, route, status and duration, and never the body', async () => {
    const before = notifier.logs.length;
    await call('PUT', 'acct-log', EXAMPLE);
    await call('GET', 'acct-log');
    await call('PUT', 'acct-log', { contacts: { SMS: ['555-0100'] } });
    const lines = notifier.logs.slice(before).filter((l) => l.message === 'settings request');
    expect(lines.map((l) => [l.method, l.route, l.status, typeof l.durationMs])).toEqual(
      [['PUT', 200], ['GET', 200], ['PUT', 422]].map(([m, s]) => [m, '/v1/accounts/{accountId}/settings', s, 'number']),
    );
    const logged = JSON.stringify(notifier.logs);
    for (const value of ['a@example.com', '+819012345678', 'token-1', '555-0100']) expect(logged).not.toContain(value);
  });
});
