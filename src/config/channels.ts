import type { ChannelModule } from '../channels/channel-module';
import type { AnyMessage } from '../channels/messages';
import { CHANNEL_MODULES, MODULES } from '../channels/registry';
import type { RecipientChannel } from '../codec/payload-checks';
import { Env, integer } from './env';

type Modules = typeof CHANNEL_MODULES;
type SettingsOf<M> = M extends ChannelModule<infer S, Record<string, string>> ? S : never;
type FieldOf<Name> = Extract<AnyMessage, { name: Name }>['field'];

/**
 * The channels beyond email, each configured when its credentials are set
 * (channels/<name>/module.ts: `loadSettings`): `sms`, `push`, `slack`, `line`, `webhook`.
 */
export type ChannelsConfig = {
  readonly [Name in keyof Modules as unknown extends SettingsOf<Modules[Name]> ? never : FieldOf<Name>]?: SettingsOf<Modules[Name]>;
};

/** Rate limits and circuit breakers in front of every provider, per instance. */
export interface GatesConfig {
  /** Provider calls per second by channel (webhooks: per allowlist entry or site, see webhook/gate-key.ts); 0 = unlimited. */
  readonly ratePerSecond: Readonly<Record<RecipientChannel, number>>;
  /** Consecutive provider failures that open a breaker; 0 disables breakers. */
  readonly breakerFailures: number;
  /** How long an open breaker refuses calls before one probe may test the provider. */
  readonly breakerOpenMs: number;
}

/** Each channel module's settings; secrets are never echoed in a ConfigError. */
export function loadChannels(env: Env, production: boolean): ChannelsConfig {
  const channels: Record<string, unknown> = {};
  for (const module of MODULES) {
    const settings = module.loadSettings?.(env, production);
    if (settings !== undefined) channels[module.message.field] = settings;
  }
  return channels as ChannelsConfig;
}

/** Provider calls per second per instance: each channel's `<NAME>_RATE_LIMIT`, else its module's default (0 = unlimited). */
export function loadGates(env: Env): GatesConfig {
  return {
    ratePerSecond: Object.fromEntries(
      MODULES.map(({ message, rateLimit }) => [message.name, integer(env, rateLimit.variable, rateLimit.perSecond, 0, 100000)]),
    ) as Record<RecipientChannel, number>,
    breakerFailures: integer(env, 'BREAKER_FAILURES', 5, 0, 1000),
    breakerOpenMs: integer(env, 'BREAKER_OPEN_MS', 30000, 100, 600000),
  };
}
