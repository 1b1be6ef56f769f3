import { ConfigError, Env, flag, list, matching, optional } from '../../config/env';
import type { ChannelModule } from '../channel-module';
import { AllowlistEntryError, parseAllowlistEntry } from './allowlist';
import { makeWebhookChannel, WebhookChannelOptions } from './channel';
import { WEBHOOK } from './message';
import { webhookReceiverRoute } from './sandbox';

/**
 * Signed POSTs to producer-given URLs. `allowedHosts` are canonical: host names,
 * `*.example.com` for subdomains, IP addresses, each with `:port` when not the default one;
 * empty = any public host on its scheme's default port. `httpsOnly` always in production.
 */
export type WebhookSettings = Omit<WebhookChannelOptions, 'timeoutMs' | 'resolve'>;

const credentials = { webhookSigningSecret: 'local-webhook-signing-secret-not-for-production' };

/** WEBHOOK_ALLOWED_HOSTS, each entry checked and made canonical (`Hooks.Example.com:08443` → `hooks.example.com:8443`). */
function allowlist(env: Env): string[] {
  return list(env, 'WEBHOOK_ALLOWED_HOSTS').map((entry) => {
    try {
      return parseAllowlistEntry(entry).text;
    } catch (err) {
      if (err instanceof AllowlistEntryError) throw new ConfigError('WEBHOOK_ALLOWED_HOSTS', err.message);
      throw err;
    }
  });
}

export const WEBHOOK_MODULE: ChannelModule<WebhookSettings, typeof credentials> = {
  message: WEBHOOK,
  rateLimit: { variable: 'WEBHOOK_RATE_LIMIT', perSecond: 20 },
  loadSettings(env, production) {
    if (optional(env, 'WEBHOOK_SIGNING_SECRET') === undefined) return undefined;
    const allowPrivateNetworks = flag(env, 'WEBHOOK_ALLOW_PRIVATE_NETWORKS', false);
    if (allowPrivateNetworks && production) throw new ConfigError('WEBHOOK_ALLOW_PRIVATE_NETWORKS', 'is refused when NODE_ENV=production');
    return {
      signingSecret: matching(env, 'WEBHOOK_SIGNING_SECRET', /^.{32,}$/, 'at least 32 characters'),
      allowedHosts: allowlist(env),
      allowPrivateNetworks,
      httpsOnly: production,
    };
  },
  create: ({ channels: { webhook } }, timeoutMs) => webhook && makeWebhookChannel({ ...webhook, timeoutMs }),
  sandbox: {
    credentials,
    own: ['WEBHOOK_SIGNING_SECRET'],
    // Private networks: the sandbox's receiver is on 127.0.0.1.
    env: () => ({ WEBHOOK_SIGNING_SECRET: credentials.webhookSigningSecret, WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' }),
    routes: (c) => [webhookReceiverRoute(c.webhookSigningSecret)],
  },
};
