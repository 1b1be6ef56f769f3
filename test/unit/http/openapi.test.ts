import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { CHANNELS } from '../../../src/codec/notification';
import { createLogger } from '../../../src/logging';
import { noAuthentication } from '../../../src/http/auth';
import { createSettingsRouter, SettingsStore } from '../../../src/http/settings';
import { CONTACT_CHANNELS, HH_MM, PREFERENCE_TYPE, SETTINGS_LIMITS, validateSettings } from '../../../src/settings/document';

/** The description as published; read untyped, as a client would. */
const spec = JSON.parse(readFileSync(path.resolve(__dirname, '../../../docs/openapi.json'), 'utf8')) as any;
const schemas = spec.components.schemas;
const document = schemas.AccountSettings;
const ROUTE = '/v1/accounts/{accountId}/settings';

const unusedStore: SettingsStore = {
  get: () => Promise.reject(new Error('not used')),
  replace: () => Promise.reject(new Error('not used')),
  erase: () => Promise.reject(new Error('not used')),
};

/** Path → methods the router answers, in OpenAPI's spelling. */
function servedRoutes(): Record<string, string[]> {
  const log = createLogger('error', new PassThrough());
  const router = createSettingsRouter({ store: unusedStore, authenticator: noAuthentication, log }) as any;
  const routes: Record<string, string[]> = {};
  for (const layer of router.stack) {
    if (!layer.route) continue;
    const p = String(layer.route.path).replace(/:(\w+)/g, '{$1}');
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
  test('when the router is built, then every route and method it serves is described, and nothing more', () => {
    const described = Object.fromEntries(
      Object.entries(spec.paths as Record<string, any>).map(([p, item]) => [p, Object.keys(item).filter((k) => HTTP_METHODS.includes(k)).sort()]),
    );
    expect(spec.openapi).toMatch(/^3\.1\./);
    expect(described).toEqual(servedRoutes());
    expect(described).toEqual({ [ROUTE]: ['delete', 'get', 'put'] });
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
    expect(spec.paths[ROUTE].put.responses['413'].description).toContain(String(SETTINGS_LIMITS.bodyBytes));
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
    const put = spec.paths[ROUTE].put;
    expect(validateSettings(example(put))).toEqual({ ok: true, document: example(put) });
    const stored = example(spec.paths[ROUTE].get, '200');
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
    const variant = structuredClone(example(spec.paths[ROUTE].put));
    change(variant);
    expect(validateSettings(variant).ok).toBe(false);
  });

  test('when security is read, then every operation needs the OIDC bearer token and can answer 401, 403 and 503', () => {
    expect(spec.components.securitySchemes.oidcBearer).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    expect(spec.security).toEqual([{ oidcBearer: [] }]);
    for (const method of ['get', 'put', 'delete']) {
      expect(Object.keys(spec.paths[ROUTE][method].responses)).toEqual(expect.arrayContaining(['400', '401', '403', '503']));
    }
    expect(spec.paths[ROUTE].put.responses['422'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/ValidationError' });
  });
});
