import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { TransientError } from '../../../src/delivery/failures';
import { createLogger } from '../../../src/logging';
import type { Deliver } from '../../../src/delivery/deliver';
import { createApp } from '../../../src/http/app';
import { noAuthentication, Authenticator } from '../../../src/http/auth';
import { accountIdProblem, createSettingsRouter, SettingsStore } from '../../../src/http/settings';

/** A store whose every call fails with `failure` (set per test). */
let failure: Error;
const failing: SettingsStore = {
  get: async () => Promise.reject(failure),
  replace: async () => Promise.reject(failure),
  erase: async () => Promise.reject(failure),
};
const refusing: Authenticator = {
  authenticate: async (h) => (h ? { ok: true, principal: 'ui@p.iam.gserviceaccount.com' } : { ok: false, status: 401, reason: 'missing bearer token' }),
};

let server: Server;
let url: string;
const lines: Record<string, unknown>[] = [];

beforeAll(async () => {
  const stream = new PassThrough();
  stream.on('data', (b: Buffer) => b.toString().split('\n').filter(Boolean).forEach((l) => lines.push(JSON.parse(l))));
  const log = createLogger('info', stream);
  const settings = createSettingsRouter({ store: failing, authenticator: refusing, log });
  const deliver = (async () => ({ outcome: 'sent' })) as unknown as Deliver;
  const app = createApp({ deliver, authenticator: noAuthentication, log, projectId: 'p', isReady: async () => true, settings });
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/accounts`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const auth = { authorization: 'Bearer t' };

describe('settings router', () => {
  test('when the store fails unexpectedly, then 500 without details, and the log line quotes no key values', async () => {
    failure = Object.assign(new Error("Duplicate entry 'acct-1-a@example.com' for key 'PRIMARY'"), { code: 'ER_DUP_ENTRY' });
    const res = await fetch(`${url}/acct-1/settings`, { headers: auth });
    expect([res.status, await res.json()]).toEqual([500, { error: 'internal error' }]);
    const line = lines.at(-1)!;
    expect(line).toMatchObject({ message: 'settings request', status: 500, severity: 'ERROR', method: 'GET' });
    expect(JSON.stringify(line)).not.toContain('a@example.com');
  });

  test('when the store fails on a PUT, then the change is audited with status 500 and the caller the authenticator let in', async () => {
    failure = new Error('connection reset');
    const body = JSON.stringify({ contacts: { EMAIL: ['a@example.com'] } });
    expect((await fetch(`${url}/acct-1/settings`, { method: 'PUT', headers: auth, body })).status).toBe(500);
    const audits = lines.filter((l) => l.message === 'settings audit');
    expect(audits.at(-1)).toEqual({ message: 'settings audit', level: 'info', severity: 'INFO', action: 'settings.replace', caller: 'ui@p.iam.gserviceaccount.com', accountId: 'acct-1', status: 500 });
    expect(JSON.stringify(lines)).not.toContain('a@example.com');
  });

  test('when the store reports MySQL unavailable, then 503 logged as a warning', async () => {
    failure = new TransientError('DATABASE_UNAVAILABLE', 'MySQL unavailable (ECONNREFUSED)');
    expect((await fetch(`${url}/acct-1/settings`, { method: 'DELETE', headers: auth })).status).toBe(503);
    expect(lines.at(-1)).toMatchObject({ status: 503, severity: 'WARNING', method: 'DELETE' });
  });

  test('when a method other than GET, PUT or DELETE is used, then 405 with Allow, after authentication', async () => {
    const res = await fetch(`${url}/acct-1/settings`, { method: 'POST', headers: auth });
    expect([res.status, res.headers.get('allow')]).toEqual([405, 'GET, PUT, DELETE']);
    expect((await fetch(`${url}/acct-1/settings`, { method: 'POST' })).status).toBe(401);
  });

  test('when the account ID is not valid percent-encoding, then 400 naming accountId, never a 500', async () => {
    const res = await fetch(`${url}/%E0%A4/settings`, { headers: auth });
    expect([res.status, await res.json()]).toEqual([400, { error: 'accountId is not valid percent-encoding' }]);
  });

  test('when the push endpoint fails, then the settings router does not answer for it', async () => {
    const res = await fetch(url.replace('/v1/accounts', '/pubsub/push'), { method: 'POST', body: '{}' });
    expect(res.status).toBe(400);
  });

  test.each([
    ['a', undefined],
    ['x'.repeat(128), undefined],
    ['日本'.repeat(64), undefined],
    ['x'.repeat(129), 'must be 1 to 128 characters'],
    ['', 'must be 1 to 128 characters'],
    ['a\u0000b', 'must not contain control characters'],
    ['a\u0085b', 'must not contain control characters'],
  ])('when the account ID is %p, then its problem is %p', (id, problem) => {
    expect(accountIdProblem(id)).toBe(problem);
  });
});
