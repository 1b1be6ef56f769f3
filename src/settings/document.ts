import { MESSAGES } from '../channels/messages';
import { RECIPIENT_CHECKS, RecipientChannel } from '../codec/payload-checks';

/**
 * An account's settings as the API reads and writes them: replaced whole by PUT.
 * Every limit here also bounds what one delivery reads, so it lives in one object
 * that the OpenAPI description and the tests check against.
 */
export const SETTINGS_LIMITS = {
  /** Addresses per channel (each channel's message says): devices for PUSH, a primary and fallbacks elsewhere. */
  contactsPerChannel: Object.fromEntries(MESSAGES.map((m) => [m.name, m.contactsPerAccount])) as Readonly<Record<RecipientChannel, number>>,
  preferenceRules: 100,
  /** A preference rule's type, like a notification's type (account_preferences.scope allows 130). */
  typeLength: 128,
  accountIdLength: 128,
  localeLength: 35, // account_settings.locale
  timeZoneLength: 64, // account_settings.time_zone
  bodyBytes: 256 * 1024, // a PUT body
} as const;

/** The channels an account can be reached on, in the notification schema's order. */
export const CONTACT_CHANNELS = Object.keys(SETTINGS_LIMITS.contactsPerChannel) as RecipientChannel[];

/** `HH:MM`, 00:00–23:59. */
export const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;
/** `*`, `category.*`, or an exact type: no control characters, no `*` except in those two forms. */
export const PREFERENCE_TYPE = /^(\*|[^.*\u0000-\u001f\u007f-\u009f]+\.\*|[^*\u0000-\u001f\u007f-\u009f]+)$/;

export interface PreferenceEntry {
  /** `*`, `category.*` or an exact type; stored as account_preferences.scope. */
  type: string;
  /** A channel name or `*`. */
  channel: RecipientChannel | '*';
  enabled: boolean;
}

/** The settings document (GET returns it, PUT replaces it). */
export interface SettingsDocument {
  /** BCP 47, canonical (`Intl.getCanonicalLocales`). */
  locale?: string;
  /** An IANA time zone; set whenever quietHours is. */
  timeZone?: string;
  /** [start, end) in local time, `HH:MM`; start > end spans midnight. */
  quietHours?: { start: string; end: string };
  /** Per channel, addresses in the order they are tried; channels without any are left out. */
  contacts: Partial<Record<RecipientChannel, string[]>>;
  preferences: PreferenceEntry[];
}

/** A problem with one field; the value itself is never repeated (it may be personal data). */
export type SettingsProblem = { field: string; problem: string };

export type SettingsValidation = { ok: true; document: SettingsDocument } | { ok: false; problems: SettingsProblem[] };

/** Rule scopes are the delivery policy's (src/delivery/policy.ts). */
export { categoryScope, scopesFor } from '../delivery/policy';

type Problems = SettingsProblem[];
/** Records a problem; returns undefined so a check can `return add(...)`. */
const add = (problems: Problems, field: string, problem: string): undefined => void problems.push({ field, problem });
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Field names come from the caller: shown cut short and without control characters. */
function unknownFields(obj: Record<string, unknown>, known: readonly string[], prefix: string, problems: Problems) {
  for (const key of Object.keys(obj).filter((k) => !known.includes(k))) {
    add(problems, `${prefix}${(key.length > 64 ? `${key.slice(0, 64)}…` : key).replace(/[\u0000-\u001f\u007f-\u009f]/g, '?')}`, 'is not a known field');
  }
}

function checkLocale(value: unknown, problems: Problems): string | undefined {
  let canonical: string | undefined;
  try {
    canonical = typeof value === 'string' ? Intl.getCanonicalLocales(value)[0] : undefined;
  } catch {
    // RangeError: not a well-formed tag.
  }
  if (!canonical) return add(problems, 'locale', 'is not a BCP 47 language tag, e.g. ja-JP');
  const max = SETTINGS_LIMITS.localeLength;
  return canonical.length > max ? add(problems, 'locale', `is longer than ${max} characters`) : canonical;
}

/**
 * Stored in the runtime's canonical spelling (`asia/tokyo` → `Asia/Tokyo`, `US/Eastern` →
 * `America/New_York`): one zone is one name, however many ways callers spell it, so the
 * delivery path's per-zone cache stays as small as the set of zones.
 */
function checkTimeZone(value: unknown, problems: Problems): string | undefined {
  try {
    if (typeof value === 'string' && value.length <= SETTINGS_LIMITS.timeZoneLength) {
      return new Intl.DateTimeFormat('en', { timeZone: value }).resolvedOptions().timeZone;
    }
  } catch {
    // RangeError: a zone Node does not know.
  }
  return add(problems, 'timeZone', 'is not an IANA time zone, e.g. Asia/Tokyo');
}

function checkQuietHours(value: unknown, problems: Problems): SettingsDocument['quietHours'] {
  if (!isObject(value)) return add(problems, 'quietHours', 'must be an object with start and end');
  unknownFields(value, ['start', 'end'], 'quietHours.', problems);
  const [start, end] = (['start', 'end'] as const).map((k) => {
    const v = value[k];
    return typeof v === 'string' && HH_MM.test(v) ? v : add(problems, `quietHours.${k}`, 'must be a time HH:MM between 00:00 and 23:59');
  });
  if (start === undefined || end === undefined) return undefined;
  return start === end ? add(problems, 'quietHours', 'start and end must differ') : { start, end };
}

function checkContacts(value: unknown, problems: Problems): SettingsDocument['contacts'] {
  const contacts: SettingsDocument['contacts'] = {};
  if (!isObject(value)) return add(problems, 'contacts', 'must be an object of channel → addresses') ?? contacts;
  unknownFields(value, CONTACT_CHANNELS, 'contacts.', problems);
  for (const channel of CONTACT_CHANNELS) {
    const list = value[channel];
    if (list === undefined) continue;
    const field = `contacts.${channel}`;
    if (!Array.isArray(list)) {
      add(problems, field, 'must be an array of addresses');
      continue;
    }
    const max = SETTINGS_LIMITS.contactsPerChannel[channel];
    if (list.length > max) add(problems, field, `has more than ${max} addresses`);
    list.forEach((address: unknown, i) => {
      const why = typeof address === 'string' ? RECIPIENT_CHECKS[channel](address) : 'must be a string';
      const first = list.indexOf(address);
      if (why) add(problems, `${field}[${i}]`, why);
      else if (first < i) add(problems, `${field}[${i}]`, `repeats ${field}[${first}]`);
    });
    if (list.length > 0) contacts[channel] = list as string[];
  }
  return contacts;
}

function checkRule(rule: unknown, field: string, problems: Problems): PreferenceEntry | undefined {
  if (!isObject(rule)) return add(problems, field, 'must be an object with type, channel and enabled');
  unknownFields(rule, ['type', 'channel', 'enabled'], `${field}.`, problems);
  const { type, channel, enabled } = rule;
  const before = problems.length;
  const max = SETTINGS_LIMITS.typeLength;
  if (typeof type !== 'string' || !type) add(problems, `${field}.type`, 'is required: *, category.* or a type');
  else if (type.length > max) add(problems, `${field}.type`, `is longer than ${max} characters`);
  else if (!PREFERENCE_TYPE.test(type)) add(problems, `${field}.type`, 'must be *, category.* or a type (no other *, no control characters)');
  if (channel !== '*' && !CONTACT_CHANNELS.includes(channel as RecipientChannel)) {
    add(problems, `${field}.channel`, `must be * or one of ${CONTACT_CHANNELS.join(', ')}`);
  }
  if (typeof enabled !== 'boolean') add(problems, `${field}.enabled`, 'must be true or false');
  if (problems.length > before) return undefined;
  return { type: type as string, channel: channel as PreferenceEntry['channel'], enabled: enabled as boolean };
}

function checkPreferences(value: unknown, problems: Problems): PreferenceEntry[] {
  if (!Array.isArray(value)) return add(problems, 'preferences', 'must be an array of rules') ?? [];
  const max = SETTINGS_LIMITS.preferenceRules;
  if (value.length > max) add(problems, 'preferences', `has more than ${max} rules`);
  const seen = new Map<string, number>();
  const rules: PreferenceEntry[] = [];
  value.forEach((entry: unknown, i) => {
    const rule = checkRule(entry, `preferences[${i}]`, problems);
    if (!rule) return;
    const key = JSON.stringify([rule.type, rule.channel]);
    const first = seen.get(key);
    if (first !== undefined) add(problems, `preferences[${i}]`, `repeats the type and channel of preferences[${first}]`);
    else seen.set(key, i);
    rules.push(rule);
  });
  return rules;
}

/** The document's fields, then GET's read-only ones (accepted back so a client can PUT what it read). */
const FIELDS = ['locale', 'timeZone', 'quietHours', 'contacts', 'preferences', 'accountId', 'updatedAt'];

/**
 * Every problem with a PUT body, or the document to store (locale canonical). Unknown
 * fields are problems: a misspelt field must not be dropped silently. `accountId`, when
 * sent, must be the path's.
 */
export function validateSettings(body: unknown, ctx: { accountId?: string } = {}): SettingsValidation {
  const problems: Problems = [];
  if (!isObject(body)) return { ok: false, problems: [{ field: '(body)', problem: 'must be a JSON object' }] };
  unknownFields(body, FIELDS, '', problems);
  if (body.accountId !== undefined && body.accountId !== ctx.accountId) {
    add(problems, 'accountId', "is read-only and does not match the path's account");
  }
  if (body.updatedAt !== undefined && typeof body.updatedAt !== 'string') add(problems, 'updatedAt', 'is read-only (a timestamp)');
  const { locale, timeZone, quietHours } = body;
  if (quietHours !== undefined && timeZone === undefined) add(problems, 'timeZone', 'is required when quietHours is set');
  const document: SettingsDocument = {
    ...(locale !== undefined && { locale: checkLocale(locale, problems) }),
    ...(timeZone !== undefined && { timeZone: checkTimeZone(timeZone, problems) }),
    ...(quietHours !== undefined && { quietHours: checkQuietHours(quietHours, problems) }),
    contacts: body.contacts === undefined ? {} : checkContacts(body.contacts, problems),
    preferences: body.preferences === undefined ? [] : checkPreferences(body.preferences, problems),
  };
  return problems.length ? { ok: false, problems } : { ok: true, document };
}
