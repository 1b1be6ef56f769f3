import type { NotificationInput } from '../client';
import { payloadFields } from '../codec/codec';
import { MESSAGES } from '../channels/messages';
import { PAYLOAD_FIELDS, PayloadField } from '../codec/notification';
import { CliError } from './errors';

/** A notification as read from a file, keys already in camelCase, values not yet checked. */
export type NotificationJson = Record<string, unknown>;

/**
 * Accepted keys → the camelCase key they are stored under. Proto field names and their
 * JSON names are both accepted, as the notifier itself accepts both; the `*_micros`
 * fields let a proto3 JSON payload be published as is.
 */
const KEYS: Readonly<Record<string, string>> = {
  notificationId: 'notificationId',
  notification_id: 'notificationId',
  type: 'type',
  channel: 'channel',
  accountId: 'accountId',
  account_id: 'accountId',
  source: 'source',
  createdAt: 'createdAt',
  created_at: 'createdAt',
  createdAtMicros: 'createdAtMicros',
  created_at_micros: 'createdAtMicros',
  expiresAt: 'expiresAt',
  expires_at: 'expiresAt',
  expiresAtMicros: 'expiresAtMicros',
  expires_at_micros: 'expiresAtMicros',
  ...Object.fromEntries(PAYLOAD_FIELDS.map((f) => [f, f])),
  // A template's ID (or { id, version }), its data and the locale to render in (docs: templates).
  template: 'template',
  data: 'data',
  locale: 'locale',
};

/** A channel payload's accepted keys (JSON and proto names) → the camelCase key. */
function payloadKeys(field: PayloadField): Record<string, string> {
  const keys = Object.fromEntries(payloadFields(field).flatMap((f) => [[f.name, f.name], [f.protoName, f.name]]));
  // Keys the client converts, e.g. a webhook's payload as a JSON value instead of payloadJson text.
  const extra = MESSAGES.find((m) => m.field === field)?.fromInput?.keys ?? [];
  return { ...keys, ...Object.fromEntries(extra.map((k) => [k, k])) };
}
// An instant given both ways would be ambiguous.
const SAME_INSTANT = [['createdAt', 'createdAtMicros'], ['expiresAt', 'expiresAtMicros']] as const;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Renames keys to camelCase by `keys`, refusing unknown keys (a misspelt key must not be
 * silently dropped) and keys given both ways. `path` prefixes nested field names.
 */
function renameKeys(value: Record<string, unknown>, keys: Record<string, string>, where: string, path = ''): NotificationJson {
  const out: NotificationJson = {};
  for (const [key, v] of Object.entries(value)) {
    const name = Object.hasOwn(keys, key) ? keys[key] : undefined;
    if (!name) throw new CliError(`${where}: unknown field "${path}${key}"`);
    if (Object.hasOwn(out, name)) throw new CliError(`${where}: "${path}${key}" is given twice (camelCase and snake_case)`);
    out[name] = v;
  }
  return out;
}

/**
 * Checks the shape (an object with known keys only) and renames keys to camelCase. Values
 * are checked later, by the client's validator, which reports every bad field at once.
 * `where` prefixes errors.
 */
export function normalizeNotificationJson(value: unknown, where: string): NotificationJson {
  if (!isObject(value)) throw new CliError(`${where}: expected a JSON object`);
  const out = renameKeys(value, KEYS, where);
  for (const [a, b] of SAME_INSTANT) {
    if (Object.hasOwn(out, a) && Object.hasOwn(out, b)) throw new CliError(`${where}: give ${a} or ${b}, not both`);
  }
  for (const field of PAYLOAD_FIELDS) {
    if (isObject(out[field])) out[field] = renameKeys(out[field], payloadKeys(field), where, `${field}.`);
  }
  return out;
}

/** An ISO 8601 string → Date; anything else → an invalid Date, which the validator names. */
function isoDate(value: unknown): Date | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return new Date(typeof value === 'string' ? value : NaN);
}

/** Proto int64 micros (number or decimal string) → Date; 0 means unset, as in the proto. */
function microsDate(value: unknown): Date | undefined {
  if (value === undefined || value === null) return undefined;
  const text = String(value);
  if (!/^\d+$/.test(text)) return new Date(NaN);
  return text === '0' ? undefined : new Date(Number(BigInt(text) / 1000n));
}

/** The NotificationInput the client validates; dates become Date objects. */
export function toNotificationInput(json: NotificationJson): NotificationInput {
  const { createdAt, createdAtMicros, expiresAt, expiresAtMicros, ...rest } = json;
  const input = { ...rest } as unknown as NotificationInput;
  const created = isoDate(createdAt) ?? microsDate(createdAtMicros);
  const expires = isoDate(expiresAt) ?? microsDate(expiresAtMicros);
  if (created) input.createdAt = created;
  if (expires) input.expiresAt = expires;
  return input;
}

/** Reads a notification file's text: JSON, then the checks above. */
export function parseNotificationFile(text: string, where: string): NotificationInput {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new CliError(`${where}: not valid JSON (${(err as Error).message})`);
  }
  return toNotificationInput(normalizeNotificationJson(value, where));
}
