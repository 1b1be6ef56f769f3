import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { EVENT_KINDS } from '../../../src/codec/event';
import { CHANNELS } from '../../../src/codec/notification';
import { MAX_ID_LENGTH } from '../../../src/codec/validate';
import type { Deliver } from '../../../src/delivery/deliver';
import { STATUS_EVENTS } from '../../../src/delivery/events';
import { TransientError } from '../../../src/delivery/failures';
import { ROUTED_KEY, targetKey } from '../../../src/delivery/routing';
import { createApp } from '../../../src/http/app';
import { Authenticator, makeOidcAuthenticator, noAuthentication } from '../../../src/http/auth';
import { createSettingsRouter } from '../../../src/http/settings';
import {
  ACCOUNT_NOTIFICATIONS_ROUTE, AccountPage, createStatusRouter, DeliveryStatusView, NOTIFICATION_ROUTE,
  notificationIdProblem, pageRequest, STATUS_LIMITS, StatusStore,
} from '../../../src/http/status';
import { createLogger } from '../../../src/logging';
import { HISTORY_LIMIT, HistoryEntry } from '../../../src/mysql/ledger-history';
import { RESOLUTIONS } from '../../../src/mysql/resolutions';

/** The description as published; read untyped, as a client would. */
const spec = JSON.parse(readFileSync(path.resolve(__dirname, '../../../docs/openapi.json'), 'utf8')) as any;
const { schemas, parameters } = spec.components;
/** An object, or what its $ref points to in the description. */
const resolve = (o: any) => (o.$ref ? String(o.$ref).split('/').slice(1).reduce((n: any, k: string) => n[k], spec) : o);
const operation = (route: string) => spec.paths[route].get;
const examplesOf = (route: string, status: string): Record<string, any> =>
  Object.fromEntries(Object.entries(resolve(operation(route).responses[status]).content['application/json'].examples ?? {}).map(([n, e]: [string, any]) => [n, e.value]));

/** Each field of T, true when required: written out, so the compiler checks the list against the type. */
type Fields<T> = { [K in keyof T]-?: undefined extends T[K] ? false : true };
const VIEW_FIELDS: Fields<DeliveryStatusView> = {
  notificationId: true, channel: true, target: false, type: true, status: true, attempts: true, replays: false,
  providerMessageId: false, code: false, template: false, releaseAt: false, resolution: false, createdAt: true, updatedAt: true, events: true,
};
const EVENT_FIELDS: Fields<HistoryEntry> = { at: true, event: true, code: false };

/** A schema's fields (allOf merged), true when required. */
function fieldsOf(schema: any): Record<string, boolean> {
  const s = resolve(schema);
  const own = Object.fromEntries(Object.keys(s.properties ?? {}).map((k) => [k, (s.required ?? []).includes(k)]));
  return Object.assign({}, ...(s.allOf ?? []).map(fieldsOf), own);
}

const notificationExamples = examplesOf(NOTIFICATION_ROUTE, '200');
const accountExamples = examplesOf(ACCOUNT_NOTIFICATIONS_ROUTE, '200');
const exampleDeliveries = [...Object.values(notificationExamples), ...Object.values(accountExamples)].flatMap((e) => e.deliveries);
/** A delivery's ledger key: its contact's target, else its channel. */
const keyOf = (d: any): string => d.target ?? d.channel;
/** The ledger's times as the store formats them. */
const LEDGER_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

const NOW = Date.parse('2026-01-16T00:00:00Z');
const DAY_MS = 86_400_000;

/** What the fake ledger answers next; `asked` records what the router asked it. */
let ledger: { deliveries?: DeliveryStatusView[]; page?: AccountPage; failure?: Error } = {};
const asked: unknown[] = [];
const answer = async <T>(value: T) => {
  if (ledger.failure) throw ledger.failure;
  return value;
};
const store: StatusStore = {
  notification: (id) => (asked.push(id), answer(ledger.deliveries ?? [])),
  accountPage: (accountId, request) => (asked.push({ accountId, request }), answer(ledger.page ?? { deliveries: [] })),
};

/** Any bearer token passes; without one, the real OIDC check answers (it needs no network for that). */
const oidc = makeOidcAuthenticator({
  audience: 'https://notifier.example.com', serviceAccounts: [], callers: 'a status caller (STATUS_CALLERS)', certsUrl: 'http://127.0.0.1:1/certs',
});
const statusCallers: Authenticator = {
  authenticate: async (h) => (h ? { ok: true, principal: 'support@p.iam.gserviceaccount.com' } : oidc.authenticate(h)),
};
const auth = { authorization: 'Bearer t' };

let server: Server;
let base: string;

beforeAll(async () => {
  const log = createLogger('error', new PassThrough());
  const notUsed = () => Promise.reject(new Error('not used'));
  const app = createApp({
    deliver: (async () => ({ outcome: 'sent' })) as unknown as Deliver,
    authenticator: noAuthentication,
    log,
    projectId: 'p',
    isReady: async () => true,
    settings: createSettingsRouter({ store: { get: notUsed, replace: notUsed, erase: notUsed }, authenticator: noAuthentication, log }),
    status: createStatusRouter({ store, authenticator: statusCallers, log, clock: () => NOW }),
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

async function get(p: string, headers: Record<string, string> = auth) {
  const res = await fetch(`${base}${p}`, { headers });
  return { status: res.status, body: await res.json() };
}

describe('docs/openapi.json: the status API against the code', () => {
  test('when the parameters are read, then they are the routes\', with the bounds of MAX_ID_LENGTH, STATUS_LIMITS and HISTORY_LIMIT', () => {
    const names = (route: string) => [...spec.paths[route].parameters, ...(operation(route).parameters ?? [])].map((p: any) => resolve(p).name);
    expect(names(NOTIFICATION_ROUTE)).toEqual(['notificationId']);
    expect(names(ACCOUNT_NOTIFICATIONS_ROUTE)).toEqual(['accountId', 'since', 'limit', 'pageToken']);
    expect(parameters.NotificationId).toMatchObject({ in: 'path', required: true, schema: { type: 'string', minLength: 1, maxLength: MAX_ID_LENGTH } });
    expect(operation(NOTIFICATION_ROUTE).responses['400'].description).toContain(`1 to ${MAX_ID_LENGTH} characters`);
    expect(parameters.Limit.schema).toEqual({ type: 'integer', minimum: 1, maximum: STATUS_LIMITS.maxLimit, default: STATUS_LIMITS.defaultLimit });
    expect(parameters.Since.description).toContain(`${STATUS_LIMITS.defaultSinceDays} days`);
    expect(schemas.AccountDeliveries.properties.deliveries.maxItems).toBe(STATUS_LIMITS.maxLimit);
    expect(schemas.Delivery.properties.events.maxItems).toBe(HISTORY_LIMIT);
  });

  const limit = parameters.Limit.schema;
  const queries: [string, Record<string, string>, string][] = [
    ['limit at its minimum', { limit: String(limit.minimum) }, 'accepted'],
    ['limit at its maximum', { limit: String(limit.maximum) }, 'accepted'],
    ['limit under its minimum', { limit: String(limit.minimum - 1) }, 'limit'],
    ['limit over its maximum', { limit: String(limit.maximum + 1) }, 'limit'],
    ['limit not an integer', { limit: '2.5' }, 'limit'],
    ...(parameters.Since.schema.examples as string[]).map((since): [string, Record<string, string>, string] => [`since ${since} (an example)`, { since }, 'accepted']),
    ['since not a date', { since: 'yesterday' }, 'since'],
    ['since a time without Z or an offset', { since: '2026-01-15T09:00:00' }, 'since'],
    ['pageToken empty', { pageToken: '' }, 'pageToken'],
  ];
  test.each(queries)('when the query has %s, then the router takes it as described, or refuses it naming the parameter', (_what, query, outcome) => {
    const request = pageRequest(query, NOW);
    expect('problem' in request ? request.problem.split(' ')[0] : 'accepted').toBe(outcome);
  });

  test('when notification IDs are checked, then the NotificationId pattern and lengths accept and refuse what the router does', () => {
    const { pattern, minLength, maxLength } = parameters.NotificationId.schema;
    const described = (id: string) => new RegExp(pattern, 'u').test(id) && id.length >= minLength && id.length <= maxLength;
    const ids = ['order-42', 'x', '注文-42', 'a b', 'x'.repeat(MAX_ID_LENGTH), 'x'.repeat(MAX_ID_LENGTH + 1), '', ' order-42', 'order-42 ', '\u00a0order', 'a\u0007b', 'a\u007fb', 'a\tb', 'a\u0085b'];
    for (const id of ids) expect({ id, valid: described(id) }).toEqual({ id, valid: notificationIdProblem(id) === undefined });
  });

  test("when enums are compared, then they are the code's: ledger statuses and routed, EVENT_KINDS, channels and ROUTED, RESOLUTIONS", () => {
    const d = schemas.Delivery.properties;
    expect([...d.status.enum].sort()).toEqual([...Object.keys(STATUS_EVENTS), 'routed'].sort());
    expect(schemas.DeliveryEvent.properties.event.enum).toEqual([...EVENT_KINDS]);
    expect(d.channel.enum).toEqual([...Object.keys(CHANNELS).filter((c) => c !== 'CHANNEL_UNSPECIFIED'), ROUTED_KEY]);
    expect(d.resolution.enum).toEqual([...RESOLUTIONS]);
    expect(targetKey('EMAIL', 'a@example.com')).toMatch(new RegExp(d.target.pattern));
  });

  test("when the delivery schemas are compared with DeliveryStatusView, then they have its fields, required as in the type; a notification's leave out notificationId", () => {
    const { notificationId: _id, ...withoutId } = VIEW_FIELDS;
    expect(fieldsOf(schemas.DeliveryStatus)).toEqual(VIEW_FIELDS);
    expect(fieldsOf(schemas.AccountDeliveries.properties.deliveries.items)).toEqual(VIEW_FIELDS);
    expect(fieldsOf(schemas.NotificationStatus.properties.deliveries.items)).toEqual(withoutId);
    expect(fieldsOf(schemas.Delivery.properties.events.items)).toEqual(EVENT_FIELDS);
    expect(fieldsOf(schemas.NotificationStatus)).toEqual({ notificationId: true, deliveries: true });
    expect(fieldsOf(schemas.AccountDeliveries)).toEqual({ accountId: true, deliveries: true, nextPageToken: false });
  });

  test('when the example deliveries are read, then each has the described fields and values, and ends with the event the ledger writes with its status', () => {
    const fields = fieldsOf(schemas.DeliveryStatus);
    const { status, channel, target } = schemas.Delivery.properties;
    for (const d of exampleDeliveries) {
      expect(Object.keys(d).filter((k) => !(k in fields))).toEqual([]);
      expect(Object.keys(fields).filter((k) => fields[k] && k !== 'notificationId' && !(k in d))).toEqual([]);
      expect([status.enum.includes(d.status), channel.enum.includes(d.channel)]).toEqual([true, true]);
      for (const e of d.events) expect([EVENT_KINDS.includes(e.event), e.at]).toEqual([true, expect.stringMatching(LEDGER_TIME)]);
      expect([d.createdAt, d.updatedAt]).toEqual([expect.stringMatching(LEDGER_TIME), expect.stringMatching(LEDGER_TIME)]);
      // The fan-out is recorded `sent` (delivery/route.ts) and shown as routed.
      const last = d.resolution ? 'resolved' : d.status === 'routed' ? 'routed' : STATUS_EVENTS[d.status as keyof typeof STATUS_EVENTS];
      expect(d.events.at(-1).event).toBe(last);
    }
    for (const d of exampleDeliveries.filter((x) => x.target !== undefined)) {
      expect(d.target).toMatch(new RegExp(target.pattern));
      expect(d.target.startsWith(`${d.channel}:`)).toBe(true);
    }
  });

  test("when the examples are read together, then they are in the store's order, and a delivery shown twice is the same both times", () => {
    for (const e of Object.values(notificationExamples)) expect(e.deliveries.map(keyOf)).toEqual(e.deliveries.map(keyOf).sort());
    const pages = [accountExamples.firstPage, accountExamples.lastPage].flatMap((p) => p.deliveries);
    const order = pages.map((d) => [d.createdAt, d.notificationId, keyOf(d)].join('\u0000'));
    expect(order).toEqual([...order].sort().reverse());
    const byNotification = Object.values(notificationExamples).flatMap((e) => e.deliveries.map((d: any) => ({ notificationId: e.notificationId, ...d })));
    const same = (a: any) => (b: any) => a.notificationId === b.notificationId && keyOf(a) === keyOf(b);
    const shared = pages.filter((d) => byNotification.some(same(d)));
    expect(shared.length).toBeGreaterThan(0);
    for (const d of shared) expect(d).toEqual(byNotification.find(same(d)));
  });

  test.each(Object.entries(notificationExamples))('when the store holds the deliveries of the %s example, then GET of the notification answers exactly the example', async (_name, example) => {
    ledger = { deliveries: example.deliveries.map((d: any) => ({ notificationId: example.notificationId, ...d })) };
    expect(await get(`/v1/notifications/${encodeURIComponent(example.notificationId)}`)).toEqual({ status: 200, body: example });
    expect(asked.at(-1)).toBe(example.notificationId);
  });

  test.each(Object.entries(accountExamples))("when the store holds the page of the %s example, then GET of the account's notifications answers exactly the example", async (_name, example) => {
    const last = example.deliveries.at(-1);
    const next = example.nextPageToken && { createdAt: last.createdAt, notificationId: last.notificationId, channel: keyOf(last) };
    ledger = { page: { deliveries: example.deliveries, ...(next && { next }) } };
    expect(await get(`/v1/accounts/${encodeURIComponent(example.accountId)}/notifications`)).toEqual({ status: 200, body: example });
  });

  test("when the first page's token is sent back, then the store is asked for what follows its last delivery, with the described defaults", async () => {
    const first = accountExamples.firstPage;
    const last = first.deliveries.at(-1);
    ledger = {};
    await get(`/v1/accounts/${first.accountId}/notifications?pageToken=${first.nextPageToken}`);
    const days = Number(/(\d+) days/.exec(parameters.Since.description)![1]);
    expect(asked.at(-1)).toEqual({
      accountId: first.accountId,
      request: { sinceMs: NOW - days * DAY_MS, limit: limit.default, after: { createdAt: last.createdAt, notificationId: last.notificationId, channel: keyOf(last) } },
    });
  });
});

/** The request behind each error example; for 500 and 503 the store fails, else it holds nothing. */
const REFUSALS: Record<string, Record<string, Record<string, string>>> = {
  [NOTIFICATION_ROUTE]: {
    400: { tooLong: `/v1/notifications/${'x'.repeat(MAX_ID_LENGTH + 1)}`, padded: '/v1/notifications/%20order-42', undecodablePath: '/v1/notifications/%E0%A4' },
    401: { missingToken: '/v1/notifications/order-42' },
    404: { notRecorded: '/v1/notifications/order-41' },
    500: { internal: '/v1/notifications/order-42' },
    503: { unavailable: '/v1/notifications/order-42' },
  },
  [ACCOUNT_NOTIFICATIONS_ROUTE]: {
    400: {
      badAccountId: '/v1/accounts/acct%07123/notifications',
      badSince: '/v1/accounts/acct-123/notifications?since=yesterday',
      badLimit: '/v1/accounts/acct-123/notifications?limit=500',
      badPageToken: `/v1/accounts/acct-123/notifications?pageToken=${Buffer.from('not a token').toString('base64url')}`,
      undecodablePath: '/v1/accounts/%E0%A4/notifications',
    },
    401: { missingToken: '/v1/accounts/acct-123/notifications' },
    500: { internal: '/v1/accounts/acct-123/notifications' },
    503: { unavailable: '/v1/accounts/acct-123/notifications' },
  },
};
const STORE_FAILURES: Record<string, () => Error> = {
  500: () => new Error('connection reset'),
  503: () => new TransientError('DATABASE_UNAVAILABLE', 'MySQL unavailable (ECONNREFUSED)'),
};
const refusals = Object.entries(REFUSALS).flatMap(([route, byStatus]) =>
  Object.entries(byStatus).flatMap(([status, byName]) => Object.entries(byName).map(([name, p]) => [route, status, name, p] as const)));

describe('docs/openapi.json: the status API refusals against the router', () => {
  test.each(Object.keys(REFUSALS))('when the error examples of %s are listed, then each is requested below, and nothing else is', (route) => {
    const described = Object.entries(operation(route).responses as Record<string, any>)
      .map(([status, r]) => [status, Object.keys(resolve(r).content?.['application/json'].examples ?? {}).sort()] as const)
      .filter(([status, names]) => status !== '200' && names.length > 0);
    expect(Object.fromEntries(described)).toEqual(Object.fromEntries(Object.entries(REFUSALS[route]!).map(([s, byName]) => [s, Object.keys(byName).sort()])));
  });

  test.each(refusals)('when GET %s is answered %s (%s), then the router answers that example', async (route, status, name, p) => {
    ledger = { failure: STORE_FAILURES[status]?.() };
    const res = await get(p, status === '401' ? {} : auth);
    expect(res).toEqual({ status: Number(status), body: examplesOf(route, status)[name] });
  });

  test.each(Object.keys(REFUSALS))("when the 400 examples of %s are read, then each error begins with one of the operation's parameters, or with the path", (route) => {
    const names = [...spec.paths[route].parameters, ...(operation(route).parameters ?? [])].map((p: any) => resolve(p).name);
    for (const { error } of Object.values(examplesOf(route, '400'))) {
      expect([...names, 'the path']).toContain(error.startsWith('the path') ? 'the path' : error.split(' ')[0]);
    }
  });

  test.each(Object.keys(REFUSALS))('when %s is asked with a method it does not describe, then 405 with Allow naming the described methods', async (route) => {
    const described = Object.keys(spec.paths[route]).filter((k) => k !== 'parameters').map((m) => m.toUpperCase());
    const res = await fetch(`${base}${route.replace('{notificationId}', 'order-42').replace('{accountId}', 'acct-123')}`, { method: 'POST', headers: auth });
    expect([res.status, res.headers.get('allow')]).toEqual([405, described.join(', ')]);
  });
});
