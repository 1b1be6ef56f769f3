import type { Block, Terraform } from './hcl';
import { plannedChannels, resolve, resource, single } from './hcl';

/** An env entry of the Cloud Run container as hcl2json gives it. */
export type Env = { name: string; value?: string; value_source?: Block[] };

/** The notifier's container in cloudrun.tf. */
export const serviceContainer = (tf: Terraform): Block =>
  single(single(resource(tf, 'google_cloud_run_v2_service', 'notifier'), 'template'), 'containers');

export const envOf = (c: Block) => c.env as Env[];

/** Secret values are the operator's; these have the documented shapes. */
export const SAMPLE_SECRETS: Record<string, string> = {
  MYSQL_URL: 'mysql://notifier:pass@localhost/notifier?socketPath=/cloudsql/my-project:us-central1:notifier-mysql',
  SMTP_URL: 'smtps://user:pass@smtp.example.com:465',
  INTERNAL_SIGNING_KEYS: 'k'.repeat(64),
  SUPPRESSION_KEY: 'h'.repeat(48),
  TWILIO_AUTH_TOKEN: 'twilio-auth-token',
  LINE_CHANNEL_ACCESS_TOKEN: 'line-channel-access-token',
  SLACK_BOT_TOKEN: 'xoxb-1-2-3',
  SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T000/B000/XXXX',
  WEBHOOK_SIGNING_SECRET: 's'.repeat(48),
};

/**
 * The environment the deployed notifier starts with, for variable values `vars` (the
 * example tfvars and the defaults, with a test's overrides): the static env blocks, then the
 * dynamic ones (the enabled channels' plain variables and secrets), every secret with a
 * sample value.
 */
export function deployedEnv(tf: Terraform, vars: Record<string, unknown>): Record<string, string> {
  const container = serviceContainer(tf);
  const env: Record<string, string> = {};
  for (const e of envOf(container).filter((x) => x.value_source === undefined)) env[e.name] = resolve(e.value, tf, vars);
  for (const e of envOf(container).filter((x) => x.value_source !== undefined)) env[e.name] = SAMPLE_SECRETS[e.name]!;
  const channels = plannedChannels(tf, vars);
  Object.assign(env, channels.env);
  for (const name of Object.keys(channels.secrets)) env[name] = SAMPLE_SECRETS[name]!;
  return env;
}
