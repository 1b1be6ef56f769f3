import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { TransientError } from '../../../src/delivery/failures';
import { makeAddressHasher, SuppressionEntry, SuppressionKey, SuppressionStore } from '../../../src/delivery/suppression';
import type { Authenticator } from '../../../src/http/auth';
import { addressRequest, createSuppressionsRouter, listRequest, SUPPRESSION_LIMITS } from '../../../src/http/suppressions';
import { createLogger } from '../../../src/logging';

const KEY = 'unit-test-suppression-key-0123456789';
const hash = makeAddressHasher(KEY);
const CALLER = 'support@p.iam.gserviceaccount.com';

describe('addressRequest', () => {
  test.each([
    [{ address: 'a@example.com' }, 'channel', 'must be EMAIL or SMS'],
    [{ channel: 'PUSH', address: 'a@example.com' }, 'channel', 'must be EMAIL or SMS'],
    [{ channel: 'email', address: 'a@example.com' }, 'channel', 'must be EMAIL or SMS'],
    [{ channel: 'EMAIL' }, 'address', 'is required'],
    [{ channel: 'EMAIL', address: '  ' }, 'address', 'is required'],
    [{ channel: 'EMAIL', address: 42 }, 'address', 'must be a string'],
    [{ channel: 'EMAIL', address: 'not-an-address' }, 'address', 'is not a valid email address'],
    [{ channel: 'EMAIL', address: `${'a'.repeat(250)}@example.com` }, 'address', 'is not a valid email address'],
    [{ channel: 'SMS', address: '090-1234-5678' }, 'address', 'is not an E.164 phone number (+ and 7 to 15 digits)'],
    [{ channel: 'SMS', address: 'a@example.com' }, 'address', 'is not an E.164 phone number (+ and 7 to 15 digits)'],
    [{ channel: 'EMAIL', address: 'a@example.com', reason: 'hard_bounce' }, 'reason', 'must be manual or opt_out (hard bounces and complaints come from provider reports)'],
    [{ channel: 'EMAIL', address: 'a@example.com', reason: 'complaint' }, 'reason', 'must be manual or opt_out (hard bounces and complaints come from provider reports)'],
    [{ channel: 'EMAIL', address: 'a@example.com', adress: 'b@example.com' }, 'body', 'may have only channel, address, reason'],
  ])('when an add names %p, then the problem is %s %s, without the address', (body, field, problem) => {
    const result = addressRequest(body, { withReason: true });
    expect(result).toEqual({ field, problem });
    const { address, adress } = body as Record<string, unknown>;
    const addresses = [address, adress].filter((v) => typeof v === 'string' && v.length > 2);
    for (const a of addresses) expect(JSON.stringify(result)).not.toContain(a);
  });

  test('when a lookup or removal names a reason, then the body is refused: only an add takes one', () => {
    expect(addressRequest({ channel: 'EMAIL', address: 'a@example.com', reason: 'manual' }, { withReason: false })).toEqual({ field: 'body', problem: 'may have only channel, address' });
  });

  test('when the address has whitespace around it, then it is checked and kept without it', () => {
    expect(addressRequest({ channel: 'SMS', address: ' +819012345678\n' }, { withReason: false })).toEqual({ channel: 'SMS', address: '+819012345678' });
    expect(addressRequest({ channel: 'EMAIL', address: 'A@Example.com', reason: 'opt_out' }, { withReason: true })).toEqual({ channel: 'EMAIL', address: 'A@Example.com', reason: 'opt_out' });
  });
});

describe('listRequest', () => {
  test('when nothing is asked for, then every channel and the default limit', () => {
    expect(listRequest({})).toEqual({ limit: SUPPRESSION_LIMITS.defaultLimit });
    expect(listRequest({ channel: 'SMS', limit: '200' })).toEqual({ channel: 'SMS', limit: 200 });
    expect(listRequest({ limit: '1' })).toEqual({ limit: 1 });
  });

  test.each([['0'], ['201'], ['1.5'], ['-1'], ['abc'], [''], ['0050'], [['5', '6']]])('when the limit is %p, then the problem names limit', (limit) => {
    expect(listRequest({ limit })).toEqual({ field: 'limit', problem: 'must be an integer from 1 to 200' });
  });

  test.each([['PUSH'], ['email'], [['EMAIL', 'SMS']]])('when the channel is %p, then the problem names channel', (channel) => {
    expect(listRequest({ channel })).toEqual({ field: 'channel', problem: 'must be EMAIL or SMS' });
  });
});

/** The list in memory; `vanishing` makes an added entry disappear before it is read back, `failure` makes every call fail. */
function memoryStore() {
  const entries = new Map<string, SuppressionEntry>();
  const id = (k: SuppressionKey) => `${k.channel}|${k.addressHash}`;
  const state = { failure: undefined as Error | undefined, vanishing: false };
  const guard = () => {
    if (state.failure) throw state.failure;
  };
  const store: SuppressionStore = {
    async add(k, e) {
      guard();
      if (entries.has(id(k))) return false;
      if (!state.vanishing) entries.set(id(k), { ...k, ...e, createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, entries.size)).toISOString() });
      return true;
    },
    get: async (k) => (guard(), entries.get(id(k))),
    remove: async (k) => (guard(), entries.delete(id(k))),
    list: async ({ channel, limit }) => (guard(), [...entries.values()].filter((e) => !channel || e.channel === channel).reverse().slice(0, limit)),
  };
  return { store, state, entries };
}

const letIn: Authenticator = {
  authenticate: async (h) => (h ? { ok: true, principal: CALLER } : { ok: false, status: 401, reason: 'missing bearer token' }),
};

let server: Server;
let base: string;
let memory: ReturnType<typeof memoryStore>;
const lines: Record<string, unknown>[] = [];

beforeEach(async () => {
  memory = memoryStore();
  lines.length = 0;
  const stream = new PassThrough();
  stream.on('data', (b: Buffer) => b.toString().split('\n').filter(Boolean).forEach((l) => lines.push(JSON.parse(l))));
  const router = createSuppressionsRouter({ store: memory.store, hash, authenticator: letIn, log: createLogger('info', stream) });
  server = express().use(router).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

async function call(path: string, body?: unknown, opts: { raw?: string; method?: string; anonymous?: boolean } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(!opts.anonymous && { authorization: 'Bearer t' }) };
  const method = opts.method ?? (body === undefined && opts.raw === undefined ? 'GET' : 'POST');
  const res = await fetch(`${base}${path}`, { method, headers, body: opts.raw ?? (body === undefined ? undefined : JSON.stringify(body)) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, text, allow: res.headers.get('allow') };
}
const audits = () => lines.filter((l) => l.message === 'suppression audit');
const ADDRESS = 'Alice@Example.com';

describe('suppressions router', () => {
  test('when an address is added, looked up, listed and removed, then each answer names it by its hash under the key, never in clear', async () => {
    const key = hash('EMAIL', 'alice@example.com');
    const added = await call('/v1/suppressions', { channel: 'EMAIL', address: ADDRESS });
    expect(added).toMatchObject({ status: 201, body: { ...key, reason: 'manual', mandatoryToo: false, source: CALLER } });
    expect(await call('/v1/suppressions:lookup', { channel: 'EMAIL', address: ' alice@example.COM ' })).toMatchObject({ status: 200, body: added.body });
    expect(await call('/v1/suppressions?channel=EMAIL')).toMatchObject({ status: 200, body: { suppressions: [added.body] } });
    expect(await call('/v1/suppressions:remove', { channel: 'EMAIL', address: ADDRESS })).toMatchObject({ status: 200, body: { removed: true } });
    expect(await call('/v1/suppressions:lookup', { channel: 'EMAIL', address: ADDRESS })).toMatchObject({ status: 404, body: { error: 'the EMAIL address is not on the suppression list' } });
    expect(JSON.stringify(lines).toLowerCase()).not.toContain('alice@example.com');
  });

  test('when an address already on the list is added again with another reason, then 200 shows the first entry, unchanged', async () => {
    const first = await call('/v1/suppressions', { channel: 'SMS', address: '+819012345678', reason: 'opt_out' });
    const again = await call('/v1/suppressions', { channel: 'SMS', address: '+819012345678', reason: 'manual' });
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.body).toEqual(first.body);
    expect(again.body.reason).toBe('opt_out');
    expect(audits().map((l) => [l.result, l.reason, l.status])).toEqual([['added', 'opt_out', 201], ['already_suppressed', 'manual', 200]]);
  });

  test('when a change is made, then one audit line names caller, action, channel, hash and result; lookups and lists write none', async () => {
    await call('/v1/suppressions', { channel: 'EMAIL', address: ADDRESS });
    await call('/v1/suppressions:lookup', { channel: 'EMAIL', address: ADDRESS });
    await call('/v1/suppressions');
    await call('/v1/suppressions:remove', { channel: 'EMAIL', address: ADDRESS });
    await call('/v1/suppressions:remove', { channel: 'EMAIL', address: ADDRESS });
    const common = { message: 'suppression audit', level: 'info', severity: 'INFO', caller: CALLER, via: 'api', ...hash('EMAIL', ADDRESS) };
    expect(audits()).toEqual([
      { ...common, action: 'suppression.add', reason: 'manual', result: 'added', status: 201 },
      { ...common, action: 'suppression.remove', result: 'removed', status: 200 },
      { ...common, action: 'suppression.remove', result: 'not_suppressed', status: 200 },
    ]);
  });

  test.each([
    ['/v1/suppressions', { channel: 'FAX', address: 'x@example.com' }, 'channel must be EMAIL or SMS'],
    ['/v1/suppressions', { channel: 'EMAIL', address: 'bob@' }, 'address is not a valid email address'],
    ['/v1/suppressions', { channel: 'EMAIL', address: 'bob@example.com', reason: 'hard_bounce' }, 'reason must be manual or opt_out (hard bounces and complaints come from provider reports)'],
    ['/v1/suppressions:lookup', { channel: 'SMS', address: '09012345678' }, 'address is not an E.164 phone number (+ and 7 to 15 digits)'],
    ['/v1/suppressions:remove', { channel: 'EMAIL', address: 'bob@example.com', note: 'bob@example.com' }, 'body may have only channel, address'],
  ])('when %s gets %p, then 400 "%s", and neither answer nor log quotes the address', async (path, body, error) => {
    const res = await call(path, body);
    expect([res.status, res.body]).toEqual([400, { error }]);
    const address = String(body.address);
    expect(res.text).not.toContain(address);
    expect(JSON.stringify(lines)).not.toContain(address);
    expect(memory.entries.size).toBe(0);
  });

  test('when the body is not JSON, not an object, empty or over 4 KB, then 400 or 413 and the list is untouched', async () => {
    expect(await call('/v1/suppressions', undefined, { raw: '{"channel": ' })).toMatchObject({ status: 400, body: { error: 'body is not JSON' } });
    expect(await call('/v1/suppressions', [{ channel: 'EMAIL', address: ADDRESS }])).toMatchObject({ status: 400, body: { error: 'body must be a JSON object' } });
    expect(await call('/v1/suppressions', undefined, { raw: '' })).toMatchObject({ status: 400, body: { error: 'body must be a JSON object' } });
    const big = JSON.stringify({ channel: 'EMAIL', address: ADDRESS, padding: 'x'.repeat(SUPPRESSION_LIMITS.bodyBytes) });
    expect(await call('/v1/suppressions', undefined, { raw: big })).toMatchObject({ status: 413, body: { error: 'body exceeds 4096 bytes' } });
    expect(memory.entries.size).toBe(0);
  });

  test('when a list asks for a limit out of range or another channel, then 400 naming the parameter', async () => {
    expect(await call('/v1/suppressions?limit=500')).toMatchObject({ status: 400, body: { error: 'limit must be an integer from 1 to 200' } });
    expect(await call('/v1/suppressions?channel=PUSH')).toMatchObject({ status: 400, body: { error: 'channel must be EMAIL or SMS' } });
  });

  test('when there is no token, then 401 before the body is read; another method is 405 with Allow, after authentication', async () => {
    expect((await call('/v1/suppressions', undefined, { raw: 'not json', anonymous: true })).status).toBe(401);
    expect((await call('/v1/suppressions:lookup', undefined, { method: 'GET', anonymous: true })).status).toBe(401);
    expect(await call('/v1/suppressions:lookup', undefined, { method: 'GET' })).toMatchObject({ status: 405, allow: 'POST' });
    expect(await call('/v1/suppressions', undefined, { method: 'DELETE' })).toMatchObject({ status: 405, allow: 'GET, POST' });
  });

  test('when MySQL is unavailable, then 503, and an attempted change is audited as failed with 503', async () => {
    memory.state.failure = new TransientError('DATABASE_UNAVAILABLE', 'MySQL unavailable (ECONNREFUSED)');
    expect(await call('/v1/suppressions', { channel: 'EMAIL', address: ADDRESS })).toMatchObject({ status: 503, body: { error: 'the suppression list is unavailable; retry later' } });
    expect((await call('/v1/suppressions:lookup', { channel: 'EMAIL', address: ADDRESS })).status).toBe(503);
    expect((await call('/v1/suppressions')).status).toBe(503);
    expect(audits().map((l) => [l.action, l.result, l.status])).toEqual([['suppression.add', 'failed', 503]]);
    expect(lines.filter((l) => l.message === 'suppression request').map((l) => [l.status, l.severity])).toEqual([[503, 'WARNING'], [503, 'WARNING'], [503, 'WARNING']]);
  });

  test('when the store fails otherwise, then 500 without details', async () => {
    memory.state.failure = new Error("Duplicate entry 'x' for key 'PRIMARY'");
    expect(await call('/v1/suppressions:remove', { channel: 'EMAIL', address: ADDRESS })).toMatchObject({ status: 500, body: { error: 'internal error' } });
    expect(audits().map((l) => [l.result, l.status])).toEqual([['failed', 500]]);
  });

  test('when the entry is removed between the add and its reading, then 409: retry', async () => {
    memory.state.vanishing = true;
    expect(await call('/v1/suppressions', { channel: 'EMAIL', address: ADDRESS })).toMatchObject({ status: 409, body: { error: 'the entry was removed while it was being added; retry' } });
    expect(audits().map((l) => [l.result, l.status])).toEqual([['added', 409]]);
  });
});
