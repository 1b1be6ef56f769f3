import { makeAddressHasher } from '../../src/delivery/suppression';
import { makeOidcAuthenticator } from '../../src/http/auth';
import { createTestDatabase, TestDatabase } from '../support/db';
import { MYSQL_ROOT_URL } from '../support/env';
import { startTestIssuer, TestIssuer } from '../support/oidc-issuer';
import { callApi, startSuppressionsApi, SuppressionsApi, TEST_SUPPRESSION_KEY } from '../support/suppressions';
import { startTcpProxy, TcpProxy } from '../support/tcp-proxy';

const AUDIENCE = 'https://notifier.example.run.app';
const CALLER = 'support-tool@notifier-test.iam.gserviceaccount.com';
// 30 characters before the @ and a 30-character project: the longest a service account's email gets.
const LONG_CALLER = 'support-tool-with-a-long-name1@a-project-id-of-thirty-chars.iam.gserviceaccount.com';
const hash = makeAddressHasher(TEST_SUPPRESSION_KEY);

let db: TestDatabase;
let api: SuppressionsApi;
let proxied: SuppressionsApi;
let guarded: SuppressionsApi;
let proxy: TcpProxy;
let issuer: TestIssuer;

beforeAll(async () => {
  [db, issuer] = await Promise.all([createTestDatabase(), startTestIssuer()]);
  const target = new URL(MYSQL_ROOT_URL);
  proxy = await startTcpProxy(target.hostname, Number(target.port || 3306));
  const viaProxy = new URL(db.url);
  viaProxy.host = `127.0.0.1:${proxy.port}`;
  const authenticator = makeOidcAuthenticator({
    audience: AUDIENCE,
    serviceAccounts: ['other@notifier-test.iam.gserviceaccount.com', CALLER, LONG_CALLER],
    callers: 'a suppression caller (SUPPRESSION_CALLERS)',
    certsUrl: issuer.certsUrl,
  });
  [api, proxied, guarded] = await Promise.all([
    startSuppressionsApi(db.url),
    startSuppressionsApi(viaProxy.toString(), { timeoutMs: 2000 }),
    startSuppressionsApi(db.url, { authenticator }),
  ]);
});

afterAll(async () => {
  await Promise.all([api?.close(), proxied?.close(), guarded?.close()]);
  await Promise.all([db?.drop(), proxy?.close(), issuer?.close()]);
});

const add = (body: Record<string, unknown>, opts: { base?: string; token?: string } = {}) => callApi(opts.base ?? api.url, '/v1/suppressions', body, opts);
const lookup = (body: Record<string, unknown>, base = api.url) => callApi(base, '/v1/suppressions:lookup', body);
const remove = (body: Record<string, unknown>, base = api.url) => callApi(base, '/v1/suppressions:remove', body);
const audits = (a: SuppressionsApi, from = 0) => a.logs.slice(from).filter((l) => l.message === 'suppression audit');

describe('the suppression list on MySQL', () => {
  test('when an address is added, then the stored row holds its keyed hash only, and a lookup in another spelling finds it', async () => {
    const address = 'Carol.Round@Example.com';
    const added = await add({ channel: 'EMAIL', address });
    expect(added).toMatchObject({ status: 201, body: { ...hash('EMAIL', 'carol.round@example.com'), reason: 'manual', mandatoryToo: false, source: 'unauthenticated' } });
    expect(added.body!.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(await lookup({ channel: 'EMAIL', address: '  carol.round@example.COM ' })).toEqual(expect.objectContaining({ status: 200, body: added.body }));
    const [rows] = await db.pool.query('SELECT * FROM suppressions');
    expect(JSON.stringify(rows).toLowerCase()).not.toContain('carol');
    expect(JSON.stringify(rows)).toContain(added.body!.addressHash);
  });

  test('when an address on the list is added again, then 200 shows the first entry and the row is unchanged', async () => {
    const first = await add({ channel: 'SMS', address: '+819011110000', reason: 'opt_out' });
    const again = await add({ channel: 'SMS', address: '+819011110000' });
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.body).toEqual(first.body);
    const [rows] = await db.pool.query('SELECT reason, source FROM suppressions WHERE address_hash = ?', [first.body!.addressHash]);
    expect(rows).toEqual([{ reason: 'opt_out', source: 'unauthenticated' }]);
  });

  test('when an address is removed, then it is gone, a second removal says so, and each removal is audited once', async () => {
    await add({ channel: 'EMAIL', address: 'dave@example.com' });
    const before = api.logs.length;
    expect(await remove({ channel: 'EMAIL', address: 'dave@example.com' })).toMatchObject({ status: 200, body: { removed: true } });
    expect(await remove({ channel: 'EMAIL', address: 'dave@example.com' })).toMatchObject({ status: 200, body: { removed: false } });
    expect((await lookup({ channel: 'EMAIL', address: 'dave@example.com' })).status).toBe(404);
    const line = { message: 'suppression audit', level: 'info', severity: 'INFO', action: 'suppression.remove', caller: 'unauthenticated', via: 'api', ...hash('EMAIL', 'dave@example.com'), status: 200 };
    expect(audits(api, before)).toEqual([{ ...line, result: 'removed' }, { ...line, result: 'not_suppressed' }]);
  });

  test('when the list is read, then entries come newest first, of one channel when asked, at most the limit, as hashes', async () => {
    for (const n of [1, 2, 3]) await add({ channel: 'SMS', address: `+8190222200${n}0` });
    const newest = await callApi(api.url, '/v1/suppressions?channel=SMS&limit=2');
    expect(newest.status).toBe(200);
    expect(newest.body!.suppressions.map((e: { addressHash: string }) => e.addressHash)).toEqual([hash('SMS', '+819022220030').addressHash, hash('SMS', '+819022220020').addressHash]);
    const all = await callApi(api.url, '/v1/suppressions');
    expect(new Set(all.body!.suppressions.map((e: { channel: string }) => e.channel))).toEqual(new Set(['EMAIL', 'SMS']));
    expect(all.text).not.toMatch(/\+8190|@example\.com/);
  });

  test('when every kind of request has been made, then no log line holds an address, in any spelling', () => {
    const logs = api.text().toLowerCase();
    expect(logs).toContain('suppression request');
    for (const address of ['carol.round@example.com', 'dave@example.com', '+819011110000', '819022220010']) expect(logs).not.toContain(address);
  });
});

describe('listing a channel on a long list', () => {
  test('when the other channel has many newer entries, then a page of one channel is a range of its own index', async () => {
    const rows = Array.from({ length: 2000 }, (_, i) => ['EMAIL', `f${String(i).padStart(63, '0')}`, 'hard_bounce', true, 'sendgrid']);
    await db.pool.query('INSERT INTO suppressions (channel, address_hash, reason, mandatory_too, source) VALUES ?', [rows]);
    await db.pool.query('ANALYZE TABLE suppressions');
    const [plan] = await db.pool.query("EXPLAIN SELECT * FROM suppressions WHERE channel = 'SMS' ORDER BY created_at DESC LIMIT 50");
    const [step] = plan as { key: string; Extra: string | null }[];
    expect(step!.key).toBe('idx_suppressions_channel_created');
    expect(step!.Extra ?? '').not.toMatch(/filesort/);
  });
});

describe('MySQL unavailable', () => {
  test('when MySQL cannot be reached, then 503 for every request and an attempted change is audited as failed, and the API answers again after', async () => {
    const before = proxied.logs.length;
    await proxy.cut();
    try {
      expect(await add({ channel: 'EMAIL', address: 'erin@example.com' }, { base: proxied.url })).toMatchObject({ status: 503, body: { error: 'the suppression list is unavailable; retry later' } });
      expect((await lookup({ channel: 'EMAIL', address: 'erin@example.com' }, proxied.url)).status).toBe(503);
      expect((await callApi(proxied.url, '/v1/suppressions')).status).toBe(503);
    } finally {
      await proxy.restore();
    }
    expect(audits(proxied, before).map((l) => [l.action, l.result, l.status])).toEqual([['suppression.add', 'failed', 503]]);
    expect((await lookup({ channel: 'EMAIL', address: 'erin@example.com' }, proxied.url)).status).toBe(404);
    expect(proxied.text()).not.toContain('erin@example.com');
  });
});

describe('API_AUTH=oidc with SUPPRESSION_CALLERS', () => {
  const claims = { aud: AUDIENCE, email: CALLER, email_verified: true };

  test('when there is no token, or one for a service account not among the callers, then 401 / 403 and the list is not read', async () => {
    const intruder = issuer.token({ ...claims, email: 'pubsub-push@notifier-test.iam.gserviceaccount.com' });
    expect((await callApi(guarded.url, '/v1/suppressions:lookup', undefined, { raw: 'not json' })).status).toBe(401);
    expect((await callApi(guarded.url, '/v1/suppressions', { channel: 'EMAIL', address: 'frank@example.com' }, { token: intruder })).status).toBe(403);
    expect((await callApi(guarded.url, '/v1/suppressions', undefined, { token: issuer.token({ ...claims, aud: 'https://elsewhere' }) })).status).toBe(401);
    expect((await lookup({ channel: 'EMAIL', address: 'frank@example.com' })).status).toBe(404);
    const requests = guarded.logs.filter((l) => l.message === 'suppression request').map((l) => [l.status, l.reason]);
    expect(requests.slice(0, 2)).toEqual([[401, 'missing bearer token'], [403, 'token was not issued to a suppression caller (SUPPRESSION_CALLERS)']]);
    expect(audits(guarded)).toEqual([]);
  });

  test('when a caller adds an address, then the entry and the audit line name the verified caller', async () => {
    const res = await add({ channel: 'EMAIL', address: 'grace@example.com', reason: 'opt_out' }, { base: guarded.url, token: issuer.token(claims) });
    expect(res).toMatchObject({ status: 201, body: { source: CALLER, reason: 'opt_out' } });
    expect(audits(guarded).at(-1)).toMatchObject({ action: 'suppression.add', caller: CALLER, result: 'added', status: 201 });
  });

  test("when the caller's email is longer than the source column, then the entry is added with the source cut, and the audit line has it whole", async () => {
    const res = await add({ channel: 'EMAIL', address: 'heidi@example.com' }, { base: guarded.url, token: issuer.token({ ...claims, email: LONG_CALLER }) });
    expect(res.status).toBe(201);
    expect([...String(res.body!.source)]).toHaveLength(64);
    expect(LONG_CALLER.startsWith(String(res.body!.source).slice(0, -1))).toBe(true);
    expect(audits(guarded).at(-1)).toMatchObject({ caller: LONG_CALLER, result: 'added' });
  });
});
