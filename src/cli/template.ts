import { CliError } from './errors';
import { normalizeNotificationJson, NotificationJson } from './notification-json';

/** `{{column}}`, spaces inside the braces allowed. No logic: a placeholder is only replaced. */
const PLACEHOLDER = /\{\{\s*([^{}]+?)\s*\}\}/g;

/**
 * A broadcast template: a notification as JSON, minus its ID, whose string values may
 * hold placeholders. Keys are checked and renamed once, here, not per recipient.
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

function fill(value: unknown, fields: Readonly<Record<string, unknown>>, recordNumber: number): unknown {
  if (typeof value === 'string') return value.replace(PLACEHOLDER, (_, name: string) => fieldText(fields, name, recordNumber));
  if (Array.isArray(value)) return value.map((v) => fill(v, fields, recordNumber));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, fields, recordNumber)]));
  }
  return value;
}

/**
 * The template with every placeholder in its string values replaced by the recipient's
 * field. A placeholder naming a field the record lacks is an error naming both.
 */
export function fillTemplate(
  template: NotificationJson,
  fields: Readonly<Record<string, unknown>>,
  recordNumber: number,
): NotificationJson {
  return fill(template, fields, recordNumber) as NotificationJson;
}
