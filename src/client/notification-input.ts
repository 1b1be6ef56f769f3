import { payloadFields } from '../codec/codec';
import {
  CHANNELS,
  ChannelName,
  ContentPayload,
  EmailPayload,
  LinePayload,
  Notification,
  PAYLOAD_FIELDS,
  PayloadField,
  PushPayload,
  SlackPayload,
  SmsPayload,
} from '../codec/notification';
import { FieldProblem, validateNotification } from '../codec/validate';

/** What a producer hands to `publish`: the notification with friendly types. */
export interface NotificationInput {
  /** Idempotency key: the notifier delivers each (notificationId, channel) at most once. */
  notificationId: string;
  /** What happened, e.g. `order.shipped`. */
  type: string;
  /** `'EMAIL'`, `'SMS'`, … or the enum number. */
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
  email?: Partial<EmailPayload> & Pick<EmailPayload, 'to' | 'subject'>;
  sms?: SmsPayload;
  /** `data` defaults to none; give `title`, `body` or both. */
  push?: Partial<PushPayload> & Pick<PushPayload, 'deviceToken'>;
  /** Without `channel`, the configured incoming webhook's channel. */
  slack?: Partial<SlackPayload> & Pick<SlackPayload, 'text'>;
  line?: LinePayload;
  /** `payload` is any JSON value (sent as `data`); or give it already serialised as `payloadJson`. */
  webhook?: { url: string; payload?: unknown; payloadJson?: string };
  /** For a routed notification (no channel): rendered for each of the account's channels. */
  content?: Partial<ContentPayload> & ({ title: string } | { body: string });
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

/** A webhook's `payload` (any JSON value) → `payloadJson`, the form the proto carries. */
function webhookInput(webhook: NotificationInput['webhook'], problems: FieldProblem[]): unknown {
  if (webhook === null || typeof webhook !== 'object' || webhook.payload === undefined) return webhook;
  const { payload, ...rest } = webhook;
  if (rest.payloadJson !== undefined) {
    problems.push({ field: 'webhook.payload', problem: 'give payload or payloadJson, not both', code: 'INVALID_PAYLOAD' });
    return rest;
  }
  let payloadJson: string | undefined;
  try {
    payloadJson = JSON.stringify(payload);
  } catch {
    // a cycle or a BigInt: reported below
  }
  if (payloadJson === undefined) problems.push({ field: 'webhook.payload', problem: 'cannot be serialised as JSON', code: 'INVALID_PAYLOAD' });
  return { ...rest, payloadJson: payloadJson ?? '' };
}

/** A channel payload as the producer gave it → the notification's payload, type-checked field by field. */
function payload(field: PayloadField, value: unknown, problems: FieldProblem[]): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.push({ field, problem: 'must be an object', code: 'INVALID_PAYLOAD' });
    return undefined;
  }
  const given = value as Record<string, unknown>;
  return Object.fromEntries(
    payloadFields(field).map((f) => {
      const at = `${field}.${f.protoName}`;
      return [f.name, f.map ? stringMap(at, given[f.name], problems) : text(at, given[f.name], problems)];
    }),
  );
}

/**
 * The notification the notifier will decode, or InvalidNotificationError listing every
 * problem — the notifier's own validator decides, so producer and service agree.
 */
export function toNotification(input: NotificationInput, defaults: { source: string; nowMs: number }): Notification {
  const problems: FieldProblem[] = [];
  const channel = channelNumber(input.channel, problems);
  const given: Partial<Record<PayloadField, unknown>> = { ...input, webhook: webhookInput(input.webhook, problems) };
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
  // Fields already reported (wrong type, unknown channel name) would only be reported again as missing.
  const reported = new Set(problems.map((p) => p.field));
  problems.push(...validateNotification(notification).filter((p) => !reported.has(p.field)));
  if (problems.length) throw new InvalidNotificationError(problems);
  return notification;
}
