import { payloadFields } from '../codec/codec';
import { AnyMessage, MESSAGES } from '../channels/messages';
import { CHANNELS, ChannelName, ContentPayload, Notification, PAYLOAD_FIELDS, PayloadField } from '../codec/notification';
import { FieldProblem, validateNotification } from '../codec/validate';

type InputOf<M> = M extends { input?: infer I } ? I : never;
/** Each channel's payload as a producer gives it (channels/<name>/message.ts: its `input` type). */
type ChannelInputs = { [M in AnyMessage as M['field']]?: InputOf<M> };

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

/**
 * The notification the notifier will decode, or InvalidNotificationError listing every
 * problem — the notifier's own validator decides, so producer and service agree.
 */
export function toNotification(input: NotificationInput, defaults: { source: string; nowMs: number }): Notification {
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
  // Fields already reported (wrong type, unknown channel name) would only be reported again as missing.
  const reported = new Set(problems.map((p) => p.field));
  problems.push(...validateNotification(notification).filter((p) => !reported.has(p.field)));
  if (problems.length) throw new InvalidNotificationError(problems);
  return notification;
}
