import { CHANNELS, channelName, Notification } from './notification';
import { FieldProblem, LIMITS, PAYLOAD_CHECKS } from './payload-checks';

/**
 * Checks the service makes before anything is sent; the producer client runs the
 * same checks before publishing. Each problem carries the failure code it is
 * dead-lettered under.
 */
export type { FieldProblem, ValidationCode } from './payload-checks';

export const MAX_ID_LENGTH = 128;
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** `text` with each lone surrogate replaced by U+FFFD: well-formed Unicode, as JSON and Pub/Sub want it. */
export const wellFormed = (text: string): string => text.replace(new RegExp(LONE_SURROGATE.source, 'g'), '\uFFFD');

/**
 * Why a string cannot be a key (notification, account, type, source), or undefined. Keys are
 * compared byte for byte (utf8mb4_bin), but MySQL's and MariaDB's PAD SPACE collations ignore
 * trailing spaces, and a lone surrogate has no UTF-8 form: `order-7 ` would be `order-7`.
 * So two values that differ in any character stay different keys, or are refused here.
 */
export function keyProblem(value: string): string | undefined {
  if (CONTROL_CHARS.test(value)) return 'contains control characters';
  if (/^\s|\s$/u.test(value)) return 'begins or ends with whitespace';
  if (LONE_SURROGATE.test(value)) return 'contains a lone surrogate (not valid Unicode)';
  return undefined;
}

function identifier(field: string, value: string, required: boolean, problems: FieldProblem[]) {
  if (!value) {
    if (required) problems.push({ field, problem: 'is required', code: 'INVALID_PAYLOAD' });
  } else if (value.length > MAX_ID_LENGTH) {
    problems.push({ field, problem: `is longer than ${MAX_ID_LENGTH} characters`, code: 'INVALID_PAYLOAD' });
  } else {
    const problem = keyProblem(value);
    if (problem) problems.push({ field, problem, code: 'INVALID_PAYLOAD' });
  }
}

/** 9999-12-31T23:59:59.999999Z: the end of BigQuery's TIMESTAMP range (and of JavaScript's ISO dates). */
export const MAX_TIMESTAMP_MICROS = 253_402_300_799_999_999n;

function timestamp(field: string, micros: bigint, problems: FieldProblem[]) {
  if (micros < 0n) problems.push({ field, problem: 'must not be negative', code: 'INVALID_PAYLOAD' });
  else if (micros > MAX_TIMESTAMP_MICROS) problems.push({ field, problem: 'is after 9999-12-31', code: 'INVALID_PAYLOAD' });
}

/** Routed to the account's channels: no channel, an account, and content or a template (see routing.ts). */
export function isRouted(n: Notification): boolean {
  return n.channel === CHANNELS.CHANNEL_UNSPECIFIED && n.accountId !== '' && (n.content !== undefined || n.template !== undefined);
}

/** A template ID (templates/<id>/): the characters of a notification type, lower case. */
export const TEMPLATE_ID = /^[a-z0-9][a-z0-9_.-]{0,127}$/;

/** Whether `tag` is a BCP 47 language tag (`ja-JP`, `en`); the runtime's Intl decides. */
export function isLocale(tag: string): boolean {
  if (tag.length === 0 || tag.length > LIMITS.localeLength) return false;
  try {
    return Intl.getCanonicalLocales(tag).length === 1;
  } catch {
    return false;
  }
}

/** The template reference and its data's shape; what the data must hold is the template's to say (at rendering). */
function template(n: Notification, problems: FieldProblem[]) {
  const t = n.template;
  if (!t) return;
  if (!t.id) problems.push({ field: 'template.id', problem: 'is required', code: 'INVALID_PAYLOAD' });
  else if (!TEMPLATE_ID.test(t.id)) {
    problems.push({ field: 'template.id', problem: 'must be 1–128 of a-z, 0-9, ".", "_", "-", starting with a letter or digit', code: 'INVALID_PAYLOAD' });
  }
  if (n.content) problems.push({ field: 'content', problem: 'cannot be given with a template', code: 'INVALID_PAYLOAD' });
  if (Buffer.byteLength(t.dataJson) > LIMITS.templateDataBytes) {
    problems.push({ field: 'template.data_json', problem: `is larger than ${LIMITS.templateDataBytes} bytes`, code: 'INVALID_PAYLOAD' });
  } else if (!isJsonObject(t.dataJson)) {
    problems.push({ field: 'template.data_json', problem: 'must be a JSON object', code: 'INVALID_PAYLOAD' });
  }
}

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

/** Every problem with a notification, in precedence order (the first names the failure code). */
export function validateNotification(n: Notification): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (n.channel === CHANNELS.CHANNEL_UNSPECIFIED) {
    if (!isRouted(n)) {
      problems.push({ field: 'channel', problem: 'is required (or routing: account_id, and content or a template)', code: 'UNKNOWN_CHANNEL' });
    }
  } else if (!channelName(n.channel)) {
    problems.push({ field: 'channel', problem: `${n.channel} is not a known channel`, code: 'UNKNOWN_CHANNEL' });
  }
  identifier('notification_id', n.notificationId, true, problems);
  identifier('type', n.type, true, problems);
  identifier('account_id', n.accountId, false, problems);
  identifier('source', n.source, false, problems);
  timestamp('created_at_micros', n.createdAtMicros, problems);
  timestamp('expires_at_micros', n.expiresAtMicros, problems);
  template(n, problems);
  if (n.locale !== undefined && !isLocale(n.locale)) problems.push({ field: 'locale', problem: 'is not a BCP 47 language tag', code: 'INVALID_PAYLOAD' });
  PAYLOAD_CHECKS[n.channel]?.(n, problems);
  return problems;
}

/** `field: problem; field: problem` — safe to log (values are never included). */
export function describeProblems(problems: readonly FieldProblem[]): string {
  return problems.map((p) => `${p.field} ${p.problem}`).join('; ');
}
