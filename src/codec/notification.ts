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

export interface EmailPayload {
  to: string;
  subject: string;
  text: string;
  html: string;
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
}
