import { payloadFields } from '../codec/codec';
import { AnyMessage, MESSAGES } from '../channels/messages';
import { CHANNELS, ChannelName, channelName, ContentPayload, Notification, PAYLOAD_FIELDS, PayloadField, TemplateRef } from '../codec/notification';
import { checkData } from '../templates/variables';
import type { TemplateManifest } from '../templates/manifest';
import { FieldProblem, validateNotification } from '../codec/validate';

type InputOf<M> = M extends { input?: infer I } ? I : never;
/**
 * Each channel's payload as a producer gives it (channels/<name>/message.ts: its `input` type);
 * with a template, its recipient only (`email: { to }`), the rest being rendered. Which of the
 * two a payload must be is the validator's to say (a union type would not follow spreads).
 */
type ChannelInputs = { [M in AnyMessage as M['field']]?: InputOf<M> | Partial<InputOf<M>> };

/** A template's ID, or its ID and a pinned version. */
export type TemplateInput = string | { id: string; version?: number };

/** What a producer hands to `publish`: the notification with friendly types. */
export interface NotificationInput extends ChannelInputs {
  /** Idempotency key: the notifier delivers each (notificationId, channel) at most once. */
  notificationId: string;
  /** What happened, e.g. `order.shipped`. */
  type: string;
  /**
   * `'EMAIL'`, `'SMS'`, … or the enum number. Leave it out (with `accountId` and `content`)
   * to route the notification to every channel the account has enabled for its type.
   */
  channel?: ChannelName | number;
  accountId?: string;
  /** The producing service; defaults to the client's `source` option. */
  source?: string;
  /** Defaults to the time of publishing. */
  createdAt?: Date;
  /** Not sent after this instant; absent = never expires. */
  expiresAt?: Date;
  /** For a routed notification (no channel): rendered for each of the account's channels. */
  content?: Partial<ContentPayload> & ({ title: string } | { body: string });
  /**
   * A template of the notifier's catalogue instead of text (`'order.shipped'`, or with a pinned
   * version): the notifier renders it in the account's locale. With a channel, give only that
   * channel's recipient (`email: { to }`); without one, with `accountId`, it is routed.
   */
  template?: TemplateInput;
  /** The template's variables (JSON-serialisable). */
  data?: Record<string, unknown>;
  /** BCP 47 tag to render in when the account has no locale of its own, e.g. `ja-JP`. */
  locale?: string;
}

/** What the client checks a notification against besides the validator: the producer's copy of the catalogue, if any. */
export interface InputDefaults {
  source: string;
  nowMs: number;
  templates?: TemplateManifest;
}

/** Thrown by `publish` before anything is sent; `problems` names every invalid field. */
export class InvalidNotificationError extends Error {
  constructor(readonly problems: readonly FieldProblem[]) {
    super(`invalid notification: ${problems.map((p) => `${p.field} ${p.problem}`).join('; ')}`);
    this.name = 'InvalidNotificationError';
  }
}

function channelNumber(channel: ChannelName | number | undefined, problems: FieldProblem[]): number {
  if (channel === undefined) return CHANNELS.CHANNEL_UNSPECIFIED;
  if (typeof channel === 'number') return channel;
  const upper = String(channel ?? '').toUpperCase();
  if (Object.hasOwn(CHANNELS, upper)) return CHANNELS[upper as ChannelName];
  problems.push({ field: 'channel', problem: `"${channel}" is not a known channel`, code: 'UNKNOWN_CHANNEL' });
  return CHANNELS.CHANNEL_UNSPECIFIED;
}

function text(field: string, value: unknown, problems: FieldProblem[]): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  problems.push({ field, problem: `must be a string, got ${typeof value}`, code: 'INVALID_PAYLOAD' });
  return '';
}

function micros(field: string, value: Date | undefined, fallback: bigint, problems: FieldProblem[]): bigint {
  if (value === undefined) return fallback;
  const ms = value instanceof Date ? value.getTime() : NaN;
  if (Number.isNaN(ms)) {
    problems.push({ field, problem: 'is not a valid Date', code: 'INVALID_PAYLOAD' });
    return 0n;
  }
  return BigInt(ms) * 1000n;
}

function stringMap(field: string, value: unknown, problems: FieldProblem[]): Record<string, string> {
  if (value === undefined || value === null) return {};
  const entries = typeof value === 'object' && !Array.isArray(value) ? Object.entries(value) : undefined;
  if (!entries || entries.some(([, v]) => typeof v !== 'string')) {
    problems.push({ field, problem: 'must be an object of string values', code: 'INVALID_PAYLOAD' });
    return {};
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

/** A channel payload as the producer gave it → the notification's payload, type-checked field by field. */
function payload(field: PayloadField, value: unknown, problems: FieldProblem[]): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.push({ field, problem: 'must be an object', code: 'INVALID_PAYLOAD' });
    return undefined;
  }
  const message = MESSAGES.find((m) => m.field === field);
  const given = message?.fromInput ? message.fromInput.convert(value as Record<string, unknown>, problems) : (value as Record<string, unknown>);
  return Object.fromEntries(
    payloadFields(field).map((f) => {
      const at = `${field}.${f.protoName}`;
      return [f.name, f.map ? stringMap(at, given[f.name], problems) : text(at, given[f.name], problems)];
    }),
  );
}

/** `template` and `data` → the notification's template reference, type-checked. */
function templateRef(input: NotificationInput, problems: FieldProblem[]): TemplateRef | undefined {
  const { template, data } = input;
  if (template === undefined) {
    if (data !== undefined) problems.push({ field: 'data', problem: 'is only read with a template', code: 'INVALID_PAYLOAD' });
    return undefined;
  }
  const ref = typeof template === 'string' ? { id: template } : template;
  if (typeof ref !== 'object' || ref === null) {
    problems.push({ field: 'template', problem: 'must be a template ID or { id, version }', code: 'INVALID_PAYLOAD' });
    return undefined;
  }
  const version = ref.version ?? 0;
  if (!Number.isInteger(version) || version < 0 || version > 0xffffffff) {
    problems.push({ field: 'template.version', problem: 'must be a positive integer (or absent: the latest)', code: 'INVALID_PAYLOAD' });
  }
  let dataJson = '{}';
  if (data !== undefined && (typeof data !== 'object' || data === null || Array.isArray(data))) {
    problems.push({ field: 'data', problem: 'must be an object', code: 'INVALID_PAYLOAD' });
  } else if (data !== undefined) {
    try {
      dataJson = JSON.stringify(data);
    } catch (err) {
      problems.push({ field: 'data', problem: `cannot be serialised as JSON (${(err as Error).message})`, code: 'INVALID_PAYLOAD' });
    }
  }
  return { id: text('template.id', ref.id, problems), version, dataJson };
}

/** The template is in the producer's copy of the catalogue, renders for the channel, and the data holds what that version declares. */
function catalogueProblems(t: TemplateRef, channel: number, templates: TemplateManifest): FieldProblem[] {
  const found = templates.describe(t.id, t.version);
  if (!found) return [{ field: 'template.id', problem: `${t.id}${t.version ? `@${t.version}` : ''} is not in the catalogue`, code: 'TEMPLATE_NOT_FOUND' }];
  const name = channelName(channel);
  if (name && name !== 'CHANNEL_UNSPECIFIED' && name !== 'WEBHOOK' && !found.channels.has(name)) {
    return [{ field: 'channel', problem: `${t.id}@${found.version} has no ${name} rendering (it has ${[...found.channels].join(', ') || 'none'})`, code: 'TEMPLATE_NOT_FOUND' }];
  }
  let data: unknown;
  try {
    data = JSON.parse(t.dataJson);
  } catch {
    return []; // reported by the validator
  }
  return checkData(found.variables, data).map((p) => ({ field: `data.${p.variable}`, problem: p.problem, code: 'TEMPLATE_DATA_INVALID' }));
}

/**
 * The notification the notifier will decode, or InvalidNotificationError listing every
 * problem — the notifier's own validator decides, so producer and service agree.
 */
export function toNotification(input: NotificationInput, defaults: InputDefaults): Notification {
  const problems: FieldProblem[] = [];
  const channel = channelNumber(input.channel, problems);
  const given: Partial<Record<PayloadField, unknown>> = input;
  const notification: Notification = {
    notificationId: text('notification_id', input.notificationId, problems),
    accountId: text('account_id', input.accountId, problems),
    type: text('type', input.type, problems),
    channel,
    source: text('source', input.source ?? defaults.source, problems),
    createdAtMicros: micros('created_at', input.createdAt, BigInt(defaults.nowMs) * 1000n, problems),
    expiresAtMicros: micros('expires_at', input.expiresAt, 0n, problems),
  };
  for (const field of PAYLOAD_FIELDS) {
    const value = payload(field, given[field], problems);
    if (value) Object.assign(notification, { [field]: value });
  }
  const template = templateRef(input, problems);
  if (template) notification.template = template;
  if (input.locale !== undefined) notification.locale = text('locale', input.locale, problems);
  if (template && defaults.templates) problems.push(...catalogueProblems(template, channel, defaults.templates));
  // Fields already reported (wrong type, unknown channel name) would only be reported again as missing.
  const reported = new Set(problems.map((p) => p.field));
  problems.push(...validateNotification(notification).filter((p) => !reported.has(p.field)));
  if (problems.length) throw new InvalidNotificationError(problems);
  return notification;
}
