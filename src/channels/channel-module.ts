/**
 * A channel module: everything the notifier knows about one channel, in its folder
 * (src/channels/<name>/module.ts), listed once in registry.ts. Config, gates, the adapter
 * registry and the local provider sandbox loop over the list; the client-safe half (the
 * payload, its checks and rendering) is the module's `message`, listed in messages.ts.
 */
import type { Config } from '../config';
import type { Env } from '../config/env';
import type { Channel } from '../delivery/ports';
import type { AnyMessage } from './messages';
import type { SandboxRoute } from './sandbox-http';

export interface ChannelModule<Settings = unknown, Credentials extends Record<string, string> = Record<string, string>> {
  readonly message: AnyMessage;
  /** Provider calls per second per instance unless its variable says otherwise (0 = unlimited). */
  readonly rateLimit: { readonly variable: string; readonly perSecond: number };
  /**
   * The channel's settings from the environment, checked (a ConfigError names a bad variable,
   * never a secret's value); undefined when its credentials are not set. Stored as
   * `config.channels.<field>`. Absent for EMAIL, whose SMTP settings are the service's own.
   */
  loadSettings?(env: Env, production: boolean): Settings | undefined;
  /** The adapter; undefined when the channel is not configured (its notifications dead-letter CHANNEL_NOT_CONFIGURED). */
  create(config: Config, timeoutMs: number): Channel | undefined;
  /** How `npm start`'s provider sandbox stands in for the provider (EMAIL has MailDev instead). */
  readonly sandbox?: ChannelSandbox<Credentials>;
}

export interface ChannelSandbox<Credentials extends Record<string, string>> {
  /** The local credentials the sandbox accepts and `npm start` configures; none is a secret. */
  readonly credentials: Credentials;
  /** Variables that make the channel the developer's own: with any one set, the sandbox leaves it alone. */
  readonly own: readonly string[];
  /** The variables that point the channel at the sandbox at `url` (no trailing slash). */
  env(url: string): Record<string, string>;
  /** The provider endpoints the sandbox answers, accepting `credentials`. */
  routes(credentials: Credentials): SandboxRoute[];
}
