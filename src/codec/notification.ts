/**
 * The decoded notification the rest of the service works with. Mirrors
 * `proto/notifier/v1/notification.proto` (a unit test keeps the two in step).
 */

import { AnyMessage, MESSAGES } from '../channels/messages';
export type { EmailPayload } from '../channels/email/message';
export type { SmsPayload } from '../channels/sms/message';
export type { PushPayload } from '../channels/push/message';
export type { SlackPayload } from '../channels/slack/message';
export type { LinePayload } from '../channels/line/message';
export type { WebhookPayload } from '../channels/webhook/message';

type MessageOf<Name> = Extract<AnyMessage, { name: Name }>;
type PayloadOf<M> = M extends { render(...args: never[]): infer P } ? P : never;

/** The Channel enum: CHANNEL_UNSPECIFIED (routed by account), then every channel's number. */
export const CHANNELS = Object.freeze({
  CHANNEL_UNSPECIFIED: 0,
  ...Object.fromEntries(MESSAGES.map((m) => [m.name, m.number])),
}) as { readonly CHANNEL_UNSPECIFIED: 0 } & { readonly [M in AnyMessage as M['name']]: number };

export type ChannelName = keyof typeof CHANNELS;

export function channelName(value: number): ChannelName | undefined {
  return (Object.keys(CHANNELS) as ChannelName[]).find((name) => CHANNELS[name] === value);
}

/**
 * The Notification fields holding a nested message, named as in the proto: each channel's
 * payload, and the channel-neutral content of a routed notification. Each is a message of
 * strings and string maps; the codec converts them generically.
 */
export const PAYLOAD_FIELDS = [...MESSAGES.map((m) => m.field), 'content'] as readonly (AnyMessage['field'] | 'content')[];
export type PayloadField = (typeof PAYLOAD_FIELDS)[number];

/** Each channel's payload field (`email?: EmailPayload`, …). */
export type ChannelPayloads = { [M in AnyMessage as M['field']]?: PayloadOf<M> };

/** The payload type of a channel, by name. */
export type ChannelPayload<Name extends AnyMessage['name']> = PayloadOf<MessageOf<Name>>;

/** What a routed notification says, rendered for each channel the account has enabled. */
export interface ContentPayload {
  title: string;
  body: string;
  /** An http(s) link; empty = none. */
  url: string;
  data: Record<string, string>;
}

/** A template of the notifier's catalogue and the data to render it with (templates/). */
export interface TemplateRef {
  id: string;
  /** 0 = the latest deployed version. */
  version: number;
  /** A JSON object: the template's variables. */
  dataJson: string;
}

export interface Notification extends ChannelPayloads {
  notificationId: string;
  accountId: string;
  type: string;
  /** The enum number as sent; may be a value this build does not know. */
  channel: number;
  source: string;
  createdAtMicros: bigint;
  /** 0n = never expires. */
  expiresAtMicros: bigint;
  /** For CHANNEL_UNSPECIFIED with an account: routed to the account's channels. */
  content?: ContentPayload;
  /** Rendered by the notifier instead of text given here: the channel's payload holds only its recipient. */
  template?: TemplateRef;
  /** BCP 47 tag to render the template in when the account has none; absent = none given. */
  locale?: string;
}
