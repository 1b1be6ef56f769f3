import { CHANNELS, ChannelName, EmailPayload, Notification } from '../codec/notification';
import { FieldProblem, validateNotification } from '../codec/validate';

/** What a producer hands to `publish`: the notification with friendly types. */
export interface NotificationInput {
  /** Idempotency key: the notifier delivers each (notificationId, channel) at most once. */
  notificationId: string;
  /** What happened, e.g. `order.shipped`. */
  type: string;
  /** `'EMAIL'`, `'SMS'`, … or the enum number. */
  channel: ChannelName | number;
  accountId?: string;
  /** The producing service; defaults to the client's `source` option. */
  source?: string;
  /** Defaults to the time of publishing. */
  createdAt?: Date;
  /** Not sent after this instant; absent = never expires. */
  expiresAt?: Date;
  email?: Partial<EmailPayload> & Pick<EmailPayload, 'to' | 'subject'>;
}

/** Thrown by `publish` before anything is sent; `problems` names every invalid field. */
export class InvalidNotificationError extends Error {
  constructor(readonly problems: readonly FieldProblem[]) {
    super(`invalid notification: ${problems.map((p) => `${p.field} ${p.problem}`).join('; ')}`);
    this.name = 'InvalidNotificationError';
  }
}

function channelNumber(channel: ChannelName | number, problems: FieldProblem[]): number {
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

/**
 * The notification the notifier will decode, or InvalidNotificationError listing every
 * problem — the notifier's own validator decides, so producer and service agree.
 */
export function toNotification(input: NotificationInput, defaults: { source: string; nowMs: number }): Notification {
  const problems: FieldProblem[] = [];
  const channel = channelNumber(input.channel, problems);
  const email = input.email;
  const notification: Notification = {
    notificationId: text('notification_id', input.notificationId, problems),
    accountId: text('account_id', input.accountId, problems),
    type: text('type', input.type, problems),
    channel,
    source: text('source', input.source ?? defaults.source, problems),
    createdAtMicros: micros('created_at', input.createdAt, BigInt(defaults.nowMs) * 1000n, problems),
    expiresAtMicros: micros('expires_at', input.expiresAt, 0n, problems),
    email: email && {
      to: text('email.to', email.to, problems),
      subject: text('email.subject', email.subject, problems),
      text: text('email.text', email.text, problems),
      html: text('email.html', email.html, problems),
    },
  };
  // Fields already reported (wrong type, unknown channel name) would only be reported again as missing.
  const reported = new Set(problems.map((p) => p.field));
  problems.push(...validateNotification(notification).filter((p) => !reported.has(p.field)));
  if (problems.length) throw new InvalidNotificationError(problems);
  return notification;
}
