import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { CHANNELS } from '../../../src/codec/notification';
import { makeAddressHasher, SuppressionStore } from '../../../src/delivery/suppression';
import { createLogger } from '../../../src/logging';
import { noAuthentication } from '../../../src/http/auth';
import { createSettingsRouter, SETTINGS_ROUTE, SettingsStore } from '../../../src/http/settings';
import { ACCOUNT_NOTIFICATIONS_ROUTE, createStatusRouter, NOTIFICATION_ROUTE, StatusStore } from '../../../src/http/status';
import { createSuppressionsRouter, LOOKUP_ROUTE, REMOVE_ROUTE, SUPPRESSIONS_ROUTE } from '../../../src/http/suppressions';
import { CONTACT_CHANNELS, HH_MM, PREFERENCE_TYPE, SETTINGS_LIMITS, validateSettings } from '../../../src/settings/document';

/** The description as published; read untyped, as a client would. */
const spec = JSON.parse(readFileSync(path.resolve(__dirname, '../../../docs/openapi.json'), 'utf8')) as any;
const schemas = spec.components.schemas;
const document = schemas.AccountSettings;
/** An object, or what its $ref points to in the description. */
const resolve = (o: any) => (o.$ref ? String(o.$ref).split('/').slice(1).reduce((n: any, k: string) => n[k], spec) : o);

const notUsed = () => Promise.reject(new Error('not used'));
const unusedStore: SettingsStore = { get: notUsed, replace: notUsed, erase: notUsed };
const unusedLedger: StatusStore = { notification: notUsed, accountPage: notUsed };
const unusedList: SuppressionStore = { add: notUsed, get: notUsed, remove: notUsed, list: notUsed };

/** Path → methods the routers answer, in OpenAPI's spelling: the settings, status and suppression APIs. */
function servedRoutes(): Record<string, string[]> {
  const log = createLogger('error', new PassThrough());
  const routers = [
    createSettingsRouter({ store: unusedStore, authenticator: noAuthentication, log }),
    createStatusRouter({ store: unusedLedger, authenticator: noAuthentication, log }),
    createSuppressionsRouter({ store: unusedList, hash: makeAddressHasher('unused'), authenticator: noAuthentication, log }),
  ] as any[];
  const routes: Record<string, string[]> = {};
  for (const layer of routers.flatMap((r) => r.stack)) {
    if (!layer.route) continue;
    // `:name` is a parameter, `\:` a literal colon (/v1/suppressions:lookup).
    const p = String(layer.route.path).replace(/(?<!\\):(\w+)/g, '{$1}').replace(/\\:/g, ':');
    routes[p] = Object.keys(layer.route.methods).filter((m) => m !== '_all').sort();
  }
  return routes;
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
const example = (op: any, status?: string) => {
  const content = status ? op.responses[status].content : op.requestBody.content;
  return Object.values(content['application/json'].examples as Record<string, { value: any }>)[0].value;
};

describe('docs/openapi.json against the code', () => {
  test('when the routers are built, then every route and method they serve is described, and nothing more', () => {
    const described = Object.fromEntries(
      Object.entries(spec.paths as Record<string, any>).map(([p, item]) => [p, Object.keys(item).filter((k) => HTTP_METHODS.includes(k)).sort()]),
    );
    expect(spec.openapi).toMatch(/^3\.1\./);
    expect(described).toEqual(servedRoutes());
    expect(described).toEqual({
      [SETTINGS_ROUTE]: ['delete', 'get', 'put'], [NOTIFICATION_ROUTE]: ['get'], [ACCOUNT_NOTIFICATIONS_ROUTE]: ['get'],
      [SUPPRESSIONS_ROUTE]: ['get', 'post'], [LOOKUP_ROUTE]: ['post'], [REMOVE_ROUTE]: ['post'],
    });
  });

  test('when limits are compared, then every maxItems and maxLength equals SETTINGS_LIMITS', () => {
    const contacts = schemas.Contacts.properties;
    expect(Object.fromEntries(Object.entries(contacts).map(([c, s]: [string, any]) => [c, s.maxItems]))).toEqual(SETTINGS_LIMITS.contactsPerChannel);
    for (const s of Object.values(contacts) as any[]) expect(s.uniqueItems).toBe(true);
    expect(document.properties.preferences.maxItems).toBe(SETTINGS_LIMITS.preferenceRules);
    expect(schemas.PreferenceRule.properties.type.maxLength).toBe(SETTINGS_LIMITS.typeLength);
    expect(document.properties.locale.maxLength).toBe(SETTINGS_LIMITS.localeLength);
    expect(document.properties.timeZone.maxLength).toBe(SETTINGS_LIMITS.timeZoneLength);
    expect(spec.components.parameters.AccountId.schema).toMatchObject({ minLength: 1, maxLength: SETTINGS_LIMITS.accountIdLength });
    expect(spec.paths[SETTINGS_ROUTE].put.responses['413'].description).toContain(String(SETTINGS_LIMITS.bodyBytes));
  });

  test("when channel enums are compared, then they are the code's: every channel but CHANNEL_UNSPECIFIED, and * for rules", () => {
    const codeChannels = Object.keys(CHANNELS).filter((c) => c !== 'CHANNEL_UNSPECIFIED');
    expect(CONTACT_CHANNELS).toEqual(codeChannels);
    expect(Object.keys(schemas.Contacts.properties)).toEqual(codeChannels);
    expect(schemas.PreferenceRule.properties.channel.enum).toEqual([...codeChannels, '*']);
  });

  test("when patterns are compared, then they are the validator's and accept and refuse the same values", () => {
    const { start, end } = schemas.QuietHours.properties;
    expect([start.pattern, end.pattern]).toEqual([HH_MM.source, HH_MM.source]);
    expect(schemas.PreferenceRule.properties.type.pattern).toBe(PREFERENCE_TYPE.source);
    const typePattern = new RegExp(schemas.PreferenceRule.properties.type.pattern);
    for (const type of ['*', 'order.*', 'order.shipped', 'a*b', '.*', 'order.sub.*', 'x\u0007y']) {
      const valid = validateSettings({ preferences: [{ type, channel: '*', enabled: true }] }).ok;
      expect({ type, valid: typePattern.test(type) }).toEqual({ type, valid });
    }
  });

  test('when the document schema is read, then unknown fields are refused and quiet hours need a time zone, as in the validator', () => {
    for (const s of [document, schemas.QuietHours, schemas.Contacts, schemas.PreferenceRule]) expect(s.additionalProperties).toBe(false);
    expect(document.dependentRequired).toEqual({ quietHours: ['timeZone'] });
    expect(Object.keys(document.properties).sort()).toEqual(['accountId', 'contacts', 'locale', 'preferences', 'quietHours', 'timeZone', 'updatedAt']);
    expect([document.properties.accountId.readOnly, document.properties.updatedAt.readOnly]).toEqual([true, true]);
  });

  test('when the examples are validated, then the request and the response examples are valid documents', () => {
    const put = spec.paths[SETTINGS_ROUTE].put;
    expect(validateSettings(example(put))).toEqual({ ok: true, document: example(put) });
    const stored = example(spec.paths[SETTINGS_ROUTE].get, '200');
    expect(validateSettings(stored, { accountId: stored.accountId }).ok).toBe(true);
  });

  test.each([
    ['a contact list one over its maxItems', (d: any) => (d.contacts.PUSH = Array.from({ length: schemas.Contacts.properties.PUSH.maxItems + 1 }, (_, i) => `t-${i}`))],
    ['one rule over maxItems', (d: any) => (d.preferences = Array.from({ length: document.properties.preferences.maxItems + 1 }, (_, i) => ({ type: `t.${i}`, channel: '*', enabled: true })))],
    ['a type one over maxLength', (d: any) => (d.preferences[0].type = 'x'.repeat(schemas.PreferenceRule.properties.type.maxLength + 1))],
    ['a quiet-hours end outside the pattern', (d: any) => (d.quietHours.end = '24:00')],
    ['a channel outside the enum', (d: any) => (d.preferences[0].channel = 'FAX')],
    ['an unknown field', (d: any) => (d.extra = true)],
    ['quiet hours without a time zone', (d: any) => delete d.timeZone],
    ['a repeated contact', (d: any) => d.contacts.PUSH.push(d.contacts.PUSH[0])],
  ])('when the example is changed to have %s, then the validator refuses it', (_what, change) => {
    const variant = structuredClone(example(spec.paths[SETTINGS_ROUTE].put));
    change(variant);
    expect(validateSettings(variant).ok).toBe(false);
  });

  test('when security is read, then every operation needs the OIDC bearer token and can answer 400, 401, 403, 500 and 503', () => {
    expect(spec.components.securitySchemes.oidcBearer).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    expect(spec.security).toEqual([{ oidcBearer: [] }]);
    for (const item of Object.values(spec.paths) as any[]) {
      for (const method of Object.keys(item).filter((k) => HTTP_METHODS.includes(k))) {
        expect(item[method].security).toBeUndefined();
        expect(Object.keys(item[method].responses)).toEqual(expect.arrayContaining(['400', '401', '403', '500', '503']));
      }
    }
    expect(spec.paths[SETTINGS_ROUTE].put.responses['422'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/ValidationError' });
  });

  test.each([
    [SETTINGS_ROUTE, 'SETTINGS_CALLERS'],
    [NOTIFICATION_ROUTE, 'STATUS_CALLERS'],
    [ACCOUNT_NOTIFICATIONS_ROUTE, 'STATUS_CALLERS'],
    [SUPPRESSIONS_ROUTE, 'SUPPRESSION_CALLERS'],
    [LOOKUP_ROUTE, 'SUPPRESSION_CALLERS'],
    [REMOVE_ROUTE, 'SUPPRESSION_CALLERS'],
  ])('when %s is read, then its 403 and the bearer scheme name %s as its callers, and no other list', (route, callers) => {
    const others = ['SETTINGS_CALLERS', 'STATUS_CALLERS', 'SUPPRESSION_CALLERS'].filter((c) => c !== callers);
    for (const op of Object.values(spec.paths[route]).filter((o: any) => o.responses) as any[]) {
      const forbidden = resolve(op.responses['403']).description;
      expect(forbidden).toContain(callers);
      for (const other of others) expect(forbidden).not.toContain(other);
    }
    const scheme: string = spec.components.securitySchemes.oidcBearer.description;
    const clause = scheme.split(';').find((c) => c.includes(route))!;
    expect(clause).toContain(callers);
    for (const other of others) expect(clause).not.toContain(other);
  });
});
