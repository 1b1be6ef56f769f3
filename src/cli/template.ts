import { CliError } from './errors';
import { normalizeNotificationJson, NotificationJson } from './notification-json';

/** `{{column}}`, spaces inside the braces allowed. No logic: a placeholder is only replaced. */
const PLACEHOLDER = /\{\{\s*([^{}]+?)\s*\}\}/g;
const WHOLE_PLACEHOLDER = /^\{\{\s*[^{}]+?\s*\}\}$/;

/**
 * How a recipient's value is written where its placeholder stands. `text`: as it is (subjects,
 * text bodies, SMS, Slack, LINE, push, and strings inside `webhook.payload`, which the client
 * serialises); `html`: HTML-escaped; `json`: JSON string content (inside a string literal of
 * `webhook.payload_json` text); `url`: the whole URL as it is, or percent-encoded after the host.
 */
type Context = 'text' | 'html' | 'json' | 'url';

/** The string fields that are not plain text, by payload field and key as normalized, with their documented name. */
const CONTEXTS = new Map<string, { context: Context; field: string }>([
  ['email.html', { context: 'html', field: 'email.html' }],
  ['webhook.payloadJson', { context: 'json', field: 'webhook.payload_json' }],
  ['webhook.url', { context: 'url', field: 'webhook.url' }],
  ['content.url', { context: 'url', field: 'content.url' }],
]);

const contextAt = (path: readonly string[]) => (path.length === 2 ? CONTEXTS.get(path.join('.')) : undefined);

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** `scheme://host` and the `/`, `?` or `#` that ends it: a value after this cannot change the host. */
const PAST_HOST = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*[/?#]/i;

/**
 * Where the string literals of a valid JSON text are: raw content [start, end), and whether
 * each is an object key. Valid JSON ⇒ every `"` outside a string opens one.
 */
function stringLiterals(json: string): { start: number; end: number; key: boolean }[] {
  const literals = [];
  const colon = /[ \t\n\r]*:/y;
  for (let i = 0; i < json.length; i++) {
    if (json[i] !== '"') continue;
    const start = i + 1;
    for (i = start; i < json.length && json[i] !== '"'; i++) if (json[i] === '\\') i++;
    colon.lastIndex = i + 1;
    literals.push({ start, end: i, key: colon.test(json) });
  }
  return literals;
}

/**
 * `webhook.payload_json` text keeps its own formatting and numbers, so values are written into
 * it, not into a parsed copy: each placeholder must lie inside one string value (never a key),
 * where JSON-escaping its value keeps the payload valid JSON with the keys the template has.
 */
function checkJsonPlaceholders(text: string, problem: (message: string) => CliError): void {
  // Without placeholders the text is sent as written; the validator judges it per recipient.
  if (!text.match(PLACEHOLDER)) return;
  try {
    JSON.parse(text);
  } catch (err) {
    throw problem(`with placeholders it must be valid JSON as written, each placeholder inside a string value as in {"name": "{{column}}"} (${(err as Error).message})`);
  }
  const literals = stringLiterals(text);
  for (const m of text.matchAll(PLACEHOLDER)) {
    const inside = literals.find((s) => s.start <= m.index && m.index + m[0].length <= s.end);
    if (!inside) throw problem(`placeholder ${m[0]} must sit inside one JSON string value, as in {"name": "{{column}}"}`);
    if (inside.key) throw problem(`placeholder ${m[0]} is in an object key; a value cannot name keys, put it in a string value`);
  }
}

/** A URL is either one placeholder (the recipient's own URL, validated like any) or has its placeholders after the host. */
function checkUrlPlaceholders(text: string, problem: (message: string) => CliError): void {
  const first = text.matchAll(PLACEHOLDER).next().value;
  if (!first || WHOLE_PLACEHOLDER.test(text) || PAST_HOST.test(text.slice(0, first.index))) return;
  throw problem(`placeholder ${first[0]} must be the whole URL, or come after the host (https://host/…/${first[0]}), where its value is percent-encoded`);
}

/** Refuses, once, placeholders that sit where no value could be written safely. */
function checkPlaceholders(value: unknown, path: string[], where: string): void {
  if (Array.isArray(value)) return value.forEach((v) => checkPlaceholders(v, [...path, '[]'], where));
  if (value && typeof value === 'object') {
    return Object.entries(value).forEach(([k, v]) => checkPlaceholders(v, [...path, k], where));
  }
  const at = contextAt(path);
  if (typeof value !== 'string' || !at) return;
  const problem = (message: string) => new CliError(`${where}: ${at.field}: ${message}`);
  if (at.context === 'json') checkJsonPlaceholders(value, problem);
  if (at.context === 'url') checkUrlPlaceholders(value, problem);
}

/**
 * A broadcast template: a notification as JSON, minus its ID, whose string values may
 * hold placeholders. Keys are checked and renamed once, here, not per recipient, and so
 * are the placements of placeholders in `webhook.payload_json` and URLs.
 */
export function parseTemplate(text: string, where: string): NotificationJson {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new CliError(`${where}: not valid JSON (${(err as Error).message})`);
  }
  const template = normalizeNotificationJson(value, where);
  if (Object.hasOwn(template, 'notificationId')) {
    throw new CliError(`${where}: remove notificationId; a broadcast derives each recipient's ID from --id and --key`);
  }
  checkPlaceholders(template, [], where);
  return template;
}

function fieldText(fields: Readonly<Record<string, unknown>>, name: string, recordNumber: number): string {
  const value = Object.hasOwn(fields, name) ? fields[name] : undefined;
  if (value === undefined || value === null) {
    throw new CliError(`template placeholder {{${name}}}: record ${recordNumber} has no column or field "${name}"`);
  }
  if (typeof value === 'object') {
    throw new CliError(`template placeholder {{${name}}}: in record ${recordNumber} "${name}" is not text, a number or a boolean`);
  }
  return String(value);
}

function percentEncoded(value: string, name: string, recordNumber: number): string {
  // URL parsing resolves `.` and `..` segments (percent-encoded or not): a value could climb the path.
  if (value === '.' || value === '..') {
    throw new CliError(`template placeholder {{${name}}}: in record ${recordNumber} "${name}" is "${value}", which a URL path would resolve away`);
  }
  try {
    return encodeURIComponent(value);
  } catch {
    throw new CliError(`template placeholder {{${name}}}: in record ${recordNumber} "${name}" is not valid Unicode`);
  }
}

/** `value` written for `context`; `whole` when the placeholder is the field's entire text. */
function written(value: string, context: Context, whole: boolean, name: string, recordNumber: number): string {
  switch (context) {
    case 'html':
      return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
    case 'json':
      return JSON.stringify(value).slice(1, -1);
    case 'url':
      return whole ? value : percentEncoded(value, name, recordNumber);
    default:
      return value;
  }
}

function fill(value: unknown, path: string[], fields: Readonly<Record<string, unknown>>, recordNumber: number): unknown {
  if (typeof value === 'string') {
    const context = contextAt(path)?.context ?? 'text';
    const whole = WHOLE_PLACEHOLDER.test(value);
    return value.replace(PLACEHOLDER, (_, name: string) => written(fieldText(fields, name, recordNumber), context, whole, name, recordNumber));
  }
  if (Array.isArray(value)) return value.map((v) => fill(v, [...path, '[]'], fields, recordNumber));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, [...path, k], fields, recordNumber)]));
  }
  return value;
}

/**
 * The template with every placeholder in its string values replaced by the recipient's
 * field, written for where it stands (see `Context`). A placeholder naming a field the
 * record lacks is an error naming both.
 */
export function fillTemplate(
  template: NotificationJson,
  fields: Readonly<Record<string, unknown>>,
  recordNumber: number,
): NotificationJson {
  return fill(template, [], fields, recordNumber) as NotificationJson;
}
