/** Config of the local pipeline (`npm start`): its defaults, and the provider sandbox's channels. */
import { SANDBOXED_MODULES, SandboxCredentials } from '../channels/registry';
import type { SandboxChannel } from '../channels/sandbox-http';
import { CallbacksConfig, loadCallbacks } from './callbacks';
import { Config, loadConfig } from './service';
import { Env, integer, optional } from './env';

/** Defaults of the local pipeline (`npm start`); any variable set in the environment wins. */
export const LOCAL_DEFAULTS: Readonly<Record<string, string>> = {
  NODE_ENV: 'development',
  // The pipeline prints one line per delivery outcome itself; LOG_LEVEL=info adds the notifier's other lines.
  LOG_LEVEL: 'warn',
  // Authentication is off locally: nothing but this machine may reach the notifier.
  HOST: '127.0.0.1',
  PUSH_AUTH: 'none',
  MYSQL_URL: 'mysql://root@127.0.0.1:3306/notifier',
  EMAIL_FROM: 'Notifier <notifier@example.com>',
  GOOGLE_CLOUD_PROJECT: 'notifier-local',
  PUBSUB_EMULATOR_HOST: '127.0.0.1:8085',
  DEAD_LETTER_TOPIC: 'notifications-dead-letter',
  POISON_TOPIC: 'notifications-poison',
};

/**
 * The provider sandbox's local credentials (`npm start`): what the sandbox accepts, and what
 * a channel the developer has not configured is given (each channel module's). None of them is a secret.
 */
export const LOCAL_PROVIDER_CREDENTIALS = Object.freeze(
  Object.assign({}, ...SANDBOXED_MODULES.map((m) => m.sandbox.credentials)) as SandboxCredentials,
);

export interface LocalConfig {
  config: Config;
  /** The local mail catcher to start; absent when SMTP_URL names a server of the developer's. */
  mailCatcher?: { smtpPort: number; uiPort: number };
  /** The provider sandbox: always started; `channels` are those pointed at it. */
  providerSandbox: { port: number; url: string; channels: readonly SandboxChannel[] };
  /** Where the sandboxes send provider callbacks (PUBLIC_URL) and the key SendGrid-style events must verify with. */
  callbacks: CallbacksConfig;
}

/**
 * The local defaults of the provider callbacks: PUBLIC_URL is the notifier's own port on
 * 127.0.0.1 (none with PORT=0, whose port is unknown until it listens), and
 * SENDGRID_WEBHOOK_PUBLIC_KEY the public half of the key pair `npm start` generates for the
 * local mail side to sign its events with. Pass them with loadLocalConfig's defaults; the
 * environment still wins.
 */
export function localCallbackDefaults(env: Env, sendgridPublicKey: string): Record<string, string> {
  const port = integer(env, 'PORT', 8080, 0, 65535);
  return { ...(port !== 0 && { PUBLIC_URL: `http://127.0.0.1:${port}` }), SENDGRID_WEBHOOK_PUBLIC_KEY: sendgridPublicKey };
}

/**
 * Config for `npm start`. `delivery` are the Terraform-derived values (MAX_ATTEMPTS,
 * ACK_DEADLINE_SECONDS, SCHEMA_ENCODING) and other computed defaults (localCallbackDefaults);
 * the environment still wins over them. Every channel whose credentials the environment does
 * not set goes to the provider sandbox.
 */
export function loadLocalConfig(env: Env = process.env, delivery: Record<string, string> = {}): LocalConfig {
  const smtpPort = integer(env, 'LOCAL_MAIL_SMTP_PORT', 1025, 1, 65535);
  const uiPort = integer(env, 'LOCAL_MAIL_UI_PORT', 1080, 1, 65535);
  const sandboxPort = integer(env, 'LOCAL_PROVIDERS_PORT', 1090, 1, 65535);
  const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
  const sandboxed = SANDBOXED_MODULES.filter(({ sandbox }) => sandbox.own.every((name) => optional(env, name) === undefined));
  const sandboxEnv = Object.assign({}, ...sandboxed.map(({ sandbox }) => sandbox.env(sandboxUrl))) as Record<string, string>;
  const ownSmtp = optional(env, 'SMTP_URL') !== undefined;
  const merged = { ...LOCAL_DEFAULTS, SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, ...sandboxEnv, ...delivery, ...env };
  const config = loadConfig(merged);
  const callbacks = loadCallbacks(merged, optional(merged, 'NODE_ENV') === 'production');
  const providerSandbox = { port: sandboxPort, url: sandboxUrl, channels: sandboxed.map((m) => m.message.name as SandboxChannel) };
  return ownSmtp ? { config, providerSandbox, callbacks } : { config, mailCatcher: { smtpPort, uiPort }, providerSandbox, callbacks };
}
