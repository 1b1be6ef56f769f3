/**
 * The decoded notification the rest of the service works with. Mirrors
 * `proto/notifier/v1/notification.proto` (a unit test keeps the two in step).
 */

export const CHANNELS = {
  CHANNEL_UNSPECIFIED: 0,
  EMAIL: 1,
  SMS: 2,
  PUSH: 3,
  SLACK: 4,
  LINE: 5,
  WEBHOOK: 6,
} as const;

export type ChannelName = keyof typeof CHANNELS;

export function channelName(value: number): ChannelName | undefined {
  return (Object.keys(CHANNELS) as ChannelName[]).find((name) => CHANNELS[name] === value);
}

/**
 * The Notification fields holding a nested message, named as in the proto: each channel's
 * payload, and the channel-neutral content of a routed notification. Each is a message of
 * strings and string maps; the codec converts them generically.
 */
export const PAYLOAD_FIELDS = ['email', 'sms', 'push', 'slack', 'line', 'webhook', 'content'] as const;
export type PayloadField = (typeof PAYLOAD_FIELDS)[number];

export interface EmailPayload {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface SmsPayload {
  /** E.164, e.g. `+819012345678`. */
  to: string;
  body: string;
}

export interface PushPayload {
  /** FCM registration token. */
  deviceToken: string;
  title: string;
  body: string;
  data: Record<string, string>;
}

export interface SlackPayload {
  /** Empty = the configured incoming webhook's channel. */
  channel: string;
  text: string;
}

export interface LinePayload {
  /** LINE user, group or room ID. */
  to: string;
  text: string;
}

export interface WebhookPayload {
  url: string;
  /** A JSON document; sent as `data` in the signed body. */
  payloadJson: string;
}

/** What a routed notification says, rendered for each channel the account has enabled. */
export interface ContentPayload {
  title: string;
  body: string;
  /** An http(s) link; empty = none. */
  url: string;
  data: Record<string, string>;
}

export interface Notification {
  notificationId: string;
  accountId: string;
  type: string;
  /** The enum number as sent; may be a value this build does not know. */
  channel: number;
  source: string;
  createdAtMicros: bigint;
  /** 0n = never expires. */
  expiresAtMicros: bigint;
  email?: EmailPayload;
  sms?: SmsPayload;
  push?: PushPayload;
  slack?: SlackPayload;
  line?: LinePayload;
  webhook?: WebhookPayload;
  /** For CHANNEL_UNSPECIFIED with an account: routed to the account's channels. */
  content?: ContentPayload;
}
