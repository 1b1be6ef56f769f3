import express from 'express';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { EMAIL_LIMITS } from '../../../src/channels/email/message';
import { E164 } from '../../../src/channels/sms/message';
import { MAX_ID_LENGTH } from '../../../src/codec/validate';
import { LOCAL_SUPPRESSION_KEY } from '../../../src/config';
import { TransientError } from '../../../src/delivery/failures';
import {
  makeAddressHasher, SUPPRESSES_MANDATORY, SUPPRESSIBLE, SUPPRESSION_REASONS, SuppressionEntry, SuppressionKey, SuppressionStore,
} from '../../../src/delivery/suppression';
import { Authenticator, makeOidcAuthenticator } from '../../../src/http/auth';
import {
  AddressRequest, addressProblem, createSuppressionsRouter, listRequest, LOOKUP_ROUTE, REMOVE_ROUTE, SETTABLE_REASONS, SUPPRESSION_LIMITS, SUPPRESSIONS_ROUTE,
} from '../../../src/http/suppressions';
import { createLogger } from '../../../src/logging';

/** The description as published; read untyped, as a client would. */
const spec = JSON.parse(readFileSync(path.resolve(__dirname, '../../../docs/openapi.json'), 'utf8')) as any;
const { schemas, parameters } = spec.components;
const resolve = (o: any) => (o.$ref ? String(o.$ref).split('/').slice(1).reduce((n: any, k: string) => n[k], spec) : o);

const OPS = { lookup: ['post', LOOKUP_ROUTE], add: ['post', SUPPRESSIONS_ROUTE], remove: ['post', REMOVE_ROUTE], list: ['get', SUPPRESSIONS_ROUTE] } as const;
type Op = keyof typeof OPS;
const operation = (op: Op) => spec.paths[OPS[op][1]][OPS[op][0]];
const valuesOf = (content: any): Record<string, any> =>
  Object.fromEntries(Object.entries(content?.['application/json'].examples ?? {}).map(([n, e]: [string, any]) => [n, e.value]));
const requestExamples = (op: Op) => valuesOf(operation(op).requestBody.content);
const responseExamples = (op: Op, status: string) => valuesOf(resolve(operation(op).responses[status]).content);

/** Each field of T, true when required: written out, so the compiler checks the list against the type. */
type Fields<T> = { [K in keyof T]-?: undefined extends T[K] ? false : true };
const ENTRY_FIELDS: Fields<SuppressionEntry> = { channel: true, addressHash: true, reason: true, mandatoryToo: true, source: true, notificationId: false, createdAt: true };
const ADD_FIELDS: Fields<AddressRequest> = { channel: true, address: true, reason: false };
const fieldsOf = (s: any) => Object.fromEntries(Object.keys(s.properties).map((k) => [k, (s.required ?? []).includes(k)]));
/** The store's times (DATE_FORMAT with microseconds). */
const STORE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

const exampleEntries: SuppressionEntry[] = [
  ...Object.values(responseExamples('lookup', '200')),
  ...Object.values(responseExamples('add', '200')),
  ...Object.values(responseExamples('add', '201')),
  ...Object.values(responseExamples('list', '200')).flatMap((l) => l.suppressions),
];
const idOf = (k: SuppressionKey) => `${k.channel}|${k.addressHash}`;
const limit = parameters.SuppressionLimit.schema;
/** The query behind each list example, and what the store is asked for. */
const LIST_QUERIES: Record<string, [string, unknown]> = {
  all: ['', { limit: limit.default }],
  newestSms: ['?channel=SMS&limit=1', { channel: 'SMS', limit: 1 }],
};

/** The list in memory; `createdAt` is what the next add records, `vanishing` loses each add before it is read back. */
const list = new Map<string, SuppressionEntry>();
let state: { failure?: Error; vanishing?: boolean; createdAt?: string; asked?: unknown } = {};
const check = () => {
  if (state.failure) throw state.failure;
};
const hold = (...entries: SuppressionEntry[]) => entries.forEach((e) => list.set(idOf(e), e));
const store: SuppressionStore = {
  async add(key, e) {
    check();
    if (list.has(idOf(key))) return false;
    if (!state.vanishing) hold({ ...key, ...e, createdAt: state.createdAt! });
    return true;
  },
  get: async (key) => (check(), list.get(idOf(key))),
  remove: async (key) => (check(), list.delete(idOf(key))),
  list: async (opts) => {
    check();
    state.asked = opts;
    const newestFirst = [...list.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    return newestFirst.filter((e) => !opts.channel || e.channel === opts.channel).slice(0, opts.limit);
  },
};

const CALLER = 'support-tool@example-project.iam.gserviceaccount.com';
/** Any bearer token passes; without one, the real OIDC check answers (it needs no network for that). */
const oidc = makeOidcAuthenticator({ audience: 'https://notifier.example.com', serviceAccounts: [], callers: 'x', certsUrl: 'http://127.0.0.1:1/certs' });
const callers: Authenticator = { authenticate: async (h) => (h ? { ok: true, principal: CALLER } : oidc.authenticate(h)) };

let server: Server;
let base: string;
beforeAll(async () => {
  const router = createSuppressionsRouter({ store, hash: makeAddressHasher(LOCAL_SUPPRESSION_KEY), authenticator: callers, log: createLogger('error', new PassThrough()) });
  server = express().use(router).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
beforeEach(() => {
  list.clear();
  state = {};
});

/** A POST's body (a string is sent as it is), or a GET's query string. */
async function send(op: Op, request: unknown, opts: { token?: boolean; method?: string } = {}) {
  const [method, route] = OPS[op];
  const headers = { 'content-type': 'application/json', ...(opts.token !== false && { authorization: 'Bearer t' }) };
  const body = method === 'get' ? undefined : typeof request === 'string' ? request : JSON.stringify(request);
  const res = await fetch(`${base}${route}${method === 'get' ? request : ''}`, { method: opts.method ?? method.toUpperCase(), headers, body });
  const allow = res.headers.get('allow');
  return { status: res.status, body: await res.json(), ...(allow && { allow }) };
}

describe('docs/openapi.json: the suppression API against the code', () => {
  test("when limits and enums are compared, then they are the code's: channels, reasons, SUPPRESSION_LIMITS, the address checks' bounds", () => {
    expect(schemas.SuppressibleChannel.enum).toEqual(Object.keys(SUPPRESSIBLE));
    expect(schemas.SuppressionReason.enum).toEqual([...SUPPRESSION_REASONS]);
    expect(schemas.SuppressionAdd.properties.reason.enum).toEqual([...SETTABLE_REASONS]);
    const { source, notificationId, addressHash } = schemas.SuppressionEntry.properties;
    expect([source.maxLength, notificationId.maxLength, addressHash.pattern]).toEqual([SUPPRESSION_LIMITS.sourceLength, MAX_ID_LENGTH, '^[0-9a-f]{64}$']);
    expect(addressHash.description).toContain(LOCAL_SUPPRESSION_KEY);
    expect(parameters.SuppressionLimit.schema).toEqual({ type: 'integer', minimum: 1, maximum: SUPPRESSION_LIMITS.maxLimit, default: SUPPRESSION_LIMITS.defaultLimit });
    expect(schemas.SuppressionList.properties.suppressions.maxItems).toBe(SUPPRESSION_LIMITS.maxLimit);
    expect(spec.components.responses.SuppressionBodyTooLarge.description).toContain(`${SUPPRESSION_LIMITS.bodyBytes} bytes`);
    expect([schemas.EmailAddress.maxLength, schemas.PhoneNumber.pattern]).toEqual([EMAIL_LIMITS.addressLength, E164.source]);
  });

  test('when the schemas are compared with the types, then they have their fields, required alike, and the bodies refuse any other as the router does', () => {
    const { reason: _reason, ...addressFields } = ADD_FIELDS;
    expect([fieldsOf(schemas.SuppressionAdd), fieldsOf(schemas.SuppressionAddress), fieldsOf(schemas.SuppressionEntry)]).toEqual([ADD_FIELDS, addressFields, ENTRY_FIELDS]);
    for (const s of [schemas.SuppressionAdd, schemas.SuppressionAddress]) expect(s.additionalProperties).toBe(false);
    expect(responseExamples('add', '400').unknownField.error).toBe(`body may have only ${Object.keys(ADD_FIELDS).join(', ')}`);
    expect(responseExamples('remove', '400').unknownField.error).toBe(`body may have only ${Object.keys(addressFields).join(', ')}`);
  });

  test('when addresses are checked, then each channel\'s described address accepts and refuses what the router does, whitespace around it aside', () => {
    const described = (channel: string, address: string) => {
      const branch = schemas.AddressOfChannel.allOf.find((c: any) => c.if.properties.channel.const === channel);
      const s = resolve(branch.then.properties.address);
      return new RegExp(s.pattern, 'u').test(address.trim()) && [...address.trim()].length <= (s.maxLength ?? Infinity);
    };
    expect(schemas.AddressOfChannel.allOf.map((c: any) => c.if.properties.channel.const)).toEqual(schemas.SuppressibleChannel.enum);
    const samples = {
      EMAIL: ['a@example.com', ' A@Example.COM\n', 'a@example', 'a b@example.com', 'a"b@example.com', 'a@example..com', `${'a'.repeat(242)}@example.com`, `${'a'.repeat(243)}@example.com`],
      SMS: ['+819012345678', ' +819012345678 ', '+1234567', '+123456', '+123456789012345', '+1234567890123456', '+0123456789', '090-1234-5678'],
    };
    for (const [channel, addresses] of Object.entries(samples) as ['EMAIL' | 'SMS', string[]][]) {
      for (const a of addresses) expect({ channel, a, valid: described(channel, a) }).toEqual({ channel, a, valid: addressProblem(channel, a) === undefined });
    }
  });

  const queries: [string, Record<string, string>, string][] = [
    ['limit at its minimum', { limit: String(limit.minimum) }, 'accepted'],
    ['limit at its maximum', { limit: String(limit.maximum) }, 'accepted'],
    ['limit under its minimum', { limit: String(limit.minimum - 1) }, 'limit'],
    ['limit over its maximum', { limit: String(limit.maximum + 1) }, 'limit'],
    ['limit not an integer', { limit: '2.5' }, 'limit'],
    ...(schemas.SuppressibleChannel.enum as string[]).map((channel): [string, Record<string, string>, string] => [`channel ${channel}`, { channel }, 'accepted']),
    ['channel PUSH', { channel: 'PUSH' }, 'channel'],
  ];
  test.each(queries)('when the list query has %s, then the router takes it as described, or refuses it naming the parameter', (_what, query, outcome) => {
    const request = listRequest(query);
    expect('field' in request ? request.field : 'accepted').toBe(outcome);
  });

  test('when the example entries are read, then each has the described fields and values, and an entry shown twice is the same', () => {
    for (const e of exampleEntries) {
      expect(Object.keys(e).filter((k) => !(k in ENTRY_FIELDS))).toEqual([]);
      expect(Object.keys(ENTRY_FIELDS).filter((k) => ENTRY_FIELDS[k as keyof SuppressionEntry] && !(k in e))).toEqual([]);
      expect([schemas.SuppressibleChannel.enum.includes(e.channel), e.addressHash, e.mandatoryToo, e.createdAt]).toEqual([
        true, expect.stringMatching(/^[0-9a-f]{64}$/), SUPPRESSES_MANDATORY[e.reason], expect.stringMatching(STORE_TIME),
      ]);
      for (const same of exampleEntries.filter((other) => idOf(other) === idOf(e))) expect(same).toEqual(e);
    }
  });

  const adds = ['201', '200'].flatMap((status) => Object.entries(responseExamples('add', status)).map(([name, entry]) => [status, name, entry] as const));
  test('when the success examples are listed, then each lookup and add request example is answered by one of its name, and each list example is asked below', () => {
    expect(Object.keys(responseExamples('lookup', '200'))).toEqual(Object.keys(requestExamples('lookup')));
    expect(adds.map(([, name]) => name).sort()).toEqual(Object.keys(requestExamples('add')).sort());
    expect(Object.keys(responseExamples('list', '200'))).toEqual(Object.keys(LIST_QUERIES));
  });

  test.each(Object.entries(responseExamples('lookup', '200')))('when the store holds the %s entry, then a lookup of the request example of that name answers exactly it', async (name, entry) => {
    hold(entry);
    expect(await send('lookup', requestExamples('lookup')[name])).toEqual({ status: 200, body: entry });
  });

  test.each(adds)('when the add is answered %s (%s), then the router answers that example: added with the default reason, or the entry there already', async (status, name, entry) => {
    const request = requestExamples('add')[name];
    if (status === '200') hold(entry);
    else expect(entry.reason).toBe(request.reason ?? schemas.SuppressionAdd.properties.reason.default);
    state.createdAt = entry.createdAt;
    expect(await send('add', request)).toEqual({ status: Number(status), body: entry });
  });

  test.each(Object.entries(requestExamples('remove')))('when the %s address is removed, then the router answers removed with the list holding it, and notSuppressed without', async (_name, request) => {
    const examples = responseExamples('remove', '200');
    hold(...exampleEntries);
    expect(await send('remove', request)).toEqual({ status: 200, body: examples.removed });
    expect(await send('remove', request)).toEqual({ status: 200, body: examples.notSuppressed });
  });

  test.each(Object.entries(LIST_QUERIES))('when the store holds every example entry, then the list of the %s example answers exactly it, asking the store as described', async (name, [query, asked]) => {
    hold(...exampleEntries);
    expect(await send('list', query)).toEqual({ status: 200, body: responseExamples('list', '200')[name] });
    expect(state.asked).toEqual(asked);
  });
});

/** The request behind each error example: 500 and 503 with a failing store, 409 with a vanishing add, else an empty list. */
const A = { channel: 'EMAIL', address: 'a@example.com' };
const TOO_LARGE = JSON.stringify({ ...A, padding: 'x'.repeat(SUPPRESSION_LIMITS.bodyBytes) });
const SHARED = { 401: { missingToken: A }, 413: { tooLarge: TOO_LARGE }, 500: { internal: A }, 503: { unavailable: A } };
const REFUSALS: Record<Op, Record<string, Record<string, unknown>>> = {
  lookup: {
    ...SHARED,
    400: { badChannel: { ...A, channel: 'PUSH' }, badPhone: { channel: 'SMS', address: '090-1234-5678' }, notJson: '{"channel": "EMAIL",' },
    404: { notListed: { channel: 'EMAIL', address: 'c@example.com' } },
  },
  add: {
    ...SHARED,
    400: { badReason: { ...A, reason: 'hard_bounce' }, missingAddress: { channel: 'EMAIL' }, unknownField: { ...A, note: 'vip' }, notObject: JSON.stringify([A]) },
    409: { removedMeanwhile: { channel: 'EMAIL', address: 'b@example.com' } },
  },
  remove: { ...SHARED, 400: { badAddress: { channel: 'EMAIL', address: 'a@' }, unknownField: { ...A, reason: 'manual' } } },
  list: { 400: { badChannel: '?channel=PUSH', badLimit: '?limit=500' }, 401: { missingToken: '' }, 500: { internal: '' }, 503: { unavailable: '' } },
};
const STORE_FAILURES: Record<string, () => Error> = {
  500: () => new Error('connection reset'),
  503: () => new TransientError('DATABASE_UNAVAILABLE', 'MySQL unavailable (ECONNREFUSED)'),
};
const refusals = (Object.entries(REFUSALS) as [Op, Record<string, Record<string, unknown>>][]).flatMap(([op, byStatus]) =>
  Object.entries(byStatus).flatMap(([status, byName]) => Object.entries(byName).map(([name, request]) => [op, status, name, request] as const)));

describe('docs/openapi.json: the suppression API refusals against the router', () => {
  test.each(Object.keys(OPS) as Op[])('when the error examples of the %s operation are listed, then each is requested below, and nothing else is', (op) => {
    const described = Object.keys(operation(op).responses)
      .filter((status) => !status.startsWith('2'))
      .map((status) => [status, Object.keys(responseExamples(op, status)).sort()] as const)
      .filter(([, names]) => names.length > 0);
    expect(Object.fromEntries(described)).toEqual(Object.fromEntries(Object.entries(REFUSALS[op]).map(([s, byName]) => [s, Object.keys(byName).sort()])));
  });

  test.each(refusals)('when the %s operation is answered %s (%s), then the router answers that example', async (op, status, name, request) => {
    state = { failure: STORE_FAILURES[status]?.(), vanishing: status === '409', createdAt: '2026-01-15T12:00:00.000000Z' };
    expect(await send(op, request, { token: status !== '401' })).toEqual({ status: Number(status), body: responseExamples(op, status)[name] });
  });

  test.each(Object.keys(OPS) as Op[])("when the 400 examples of the %s operation are read, then each error begins with body or one of the operation's fields or parameters", (op) => {
    const o = operation(op);
    const names = o.requestBody ? ['body', ...Object.keys(resolve(o.requestBody.content['application/json'].schema).properties)] : o.parameters.map((p: any) => resolve(p).name);
    for (const { error } of Object.values(responseExamples(op, '400'))) expect(names).toContain(error.split(' ')[0]);
  });

  test.each([['lookup'], ['remove'], ['list']] as [Op][])('when the path of the %s operation is asked with a method it does not describe, then 405 with Allow naming the described methods', async (op) => {
    const described = Object.keys(spec.paths[OPS[op][1]]).map((m) => m.toUpperCase());
    expect(await send(op, '', { method: 'DELETE' })).toEqual({ status: 405, body: { error: 'method not allowed' }, allow: described.join(', ') });
  });
});
