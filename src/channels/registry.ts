import type { Config } from '../config';
import type { Channel } from '../delivery/ports';
import type { ChannelModule, ChannelSandbox } from './channel-module';
import { EMAIL_MODULE } from './email/module';
import { LINE_MODULE } from './line/module';
import type { AnyMessage } from './messages';
import { PUSH_MODULE } from './push/module';
import { SLACK_MODULE } from './slack/module';
import { SMS_MODULE } from './sms/module';
import { WEBHOOK_MODULE } from './webhook/module';

/**
 * Every channel module, by channel name: config, gates, the adapters and the provider sandbox
 * loop over it. Keyed by the names in messages.ts, so a channel listed there and missing
 * here does not compile.
 */
export const CHANNEL_MODULES = {
  EMAIL: EMAIL_MODULE,
  SMS: SMS_MODULE,
  PUSH: PUSH_MODULE,
  SLACK: SLACK_MODULE,
  LINE: LINE_MODULE,
  WEBHOOK: WEBHOOK_MODULE,
} as const satisfies { readonly [Name in AnyMessage['name']]: ChannelModule<unknown> };

export const MODULES: readonly ChannelModule[] = Object.values(CHANNEL_MODULES);

type Module = (typeof CHANNEL_MODULES)[keyof typeof CHANNEL_MODULES];
type CredentialsOf<M> = M extends { sandbox?: ChannelSandbox<infer C> } ? (Record<string, string> extends C ? never : C) : never;
type Intersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;
/** Every sandboxed channel's local credentials by name (`twilioAccountSid`, …), as the provider sandbox takes them. */
export type SandboxCredentials = { readonly [K in keyof Intersection<CredentialsOf<Module>>]: string };

/** The channels `npm start`'s provider sandbox stands in for: all but EMAIL, which has MailDev. */
export const SANDBOXED_MODULES = MODULES.filter((m): m is ChannelModule & { sandbox: ChannelSandbox<Record<string, string>> } => m.sandbox !== undefined);

/**
 * Channel enum number → adapter, for every configured channel. One whose credentials are not
 * configured is left out: its notifications are dead-lettered CHANNEL_NOT_CONFIGURED.
 */
export function createChannels(config: Config): Map<number, Channel> {
  const channels = new Map<number, Channel>();
  for (const module of MODULES) {
    const channel = module.create(config, config.delivery.sendTimeoutMs);
    if (channel) channels.set(module.message.number, channel);
  }
  return channels;
}
