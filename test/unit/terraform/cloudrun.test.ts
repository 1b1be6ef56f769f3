import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { deliveryBudgetMs, loadConfig } from '../../../src/config';
import { PACKAGE_ROOT } from '../../../src/paths';
import { deployedEnv as deployedEnvOf, Env, SAMPLE_SECRETS } from './deployed-env';
import { Block, exampleValues, expression, loadTerraform, resource, single, Terraform } from './hcl';

let tf: Terraform;
let values: Record<string, unknown>;

const GATE_VARIABLES = [
  'EMAIL_RATE_LIMIT', 'SMS_RATE_LIMIT', 'PUSH_RATE_LIMIT', 'SLACK_RATE_LIMIT', 'LINE_RATE_LIMIT', 'WEBHOOK_RATE_LIMIT',
  'BREAKER_FAILURES', 'BREAKER_OPEN_MS',
];
/** The variables an operator sets to enable every channel. */
const EVERY_CHANNEL = {
  enabled_channels: ['SMS', 'PUSH', 'SLACK', 'LINE', 'WEBHOOK'],
  twilio_account_sid: `AC${'0123456789abcdef'.repeat(2)}`,
  twilio_from: '+14155550100',
  slack_credentials: ['bot_token', 'webhook_url'],
  webhook_allowed_hosts: ['hooks.example.com', '*.partner.example'],
};

beforeAll(async () => {
  tf = await loadTerraform();
  values = await exampleValues(tf);
});

const service = () => resource(tf, 'google_cloud_run_v2_service', 'notifier');
const template = () => single(service(), 'template');
const container = () => single(template(), 'containers');
const envOf = (c: Block) => c.env as Env[];
const secretRef = (e: Env) => single(single(e as Block, 'value_source'), 'secret_key_ref');

/** The variable names in the first column of docs/operators.md's "## Configuration" table. */
function documentedVariables(): Set<string> {
  const guide = readFileSync(path.join(PACKAGE_ROOT, 'docs/operators.md'), 'utf8');
  const start = guide.search(/^## Configuration\s*$/m);
  expect(start).toBeGreaterThanOrEqual(0);
  const rest = guide.slice(start + 1);
  const end = rest.search(/^## /m);
  const section = end === -1 ? rest : rest.slice(0, end);
  return new Set([...section.matchAll(/^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|/gm)].map((m) => m[1]));
}

/** The deployed environment for the example tfvars and the defaults with `overrides`. */
const deployedEnv = (overrides: Record<string, unknown> = {}) => deployedEnvOf(tf, { ...values, ...overrides });

/** Every variable Cloud Run may set: the static env blocks and the dynamic channel ones. */
function everyEnvName(): string[] {
  return [
    ...envOf(container()).map((e) => e.name),
    ...Object.keys(tf.locals.channel_env_values as object),
    ...Object.keys(tf.locals.channel_secret_ids as object),
  ];
}

describe('terraform/cloudrun.tf: the service', () => {
  test('when the service runs, then it uses notifier-run, the request timeout, concurrency and scaling variables', () => {
    expect(service()).toMatchObject({ name: 'notifier', location: '${var.region}', deletion_protection: '${var.deletion_protection}' });
    expect(template()).toMatchObject({
      service_account: '${google_service_account.run.email}',
      timeout: '${var.request_timeout_seconds}s',
      max_instance_request_concurrency: '${var.concurrency}',
    });
    expect(single(template(), 'scaling')).toEqual({ min_instance_count: '${var.min_instances}', max_instance_count: '${var.max_instances}' });
    expect(container().image).toBe('${var.image}');
  });

  test('when the notifier connects to MySQL, then the Cloud SQL instance is mounted at /cloudsql', () => {
    expect(template().volumes).toEqual([{ name: 'cloudsql', cloud_sql_instance: [{ instances: ['${var.cloud_sql_instance}'] }] }]);
    expect(container().volume_mounts).toEqual([{ name: 'cloudsql', mount_path: '/cloudsql' }]);
  });

  test('when an instance starts, then readiness is /readyz (MySQL) and liveness is /healthz (no dependencies)', () => {
    expect(single(single(container(), 'startup_probe'), 'http_get').path).toBe('/readyz');
    expect(single(single(container(), 'liveness_probe'), 'http_get').path).toBe('/healthz');
  });

  test('when the service sets environment variables, then each one is documented in docs/operators.md\'s configuration table and read by src/config/ or a channel module', () => {
    const documented = documentedVariables();
    const configDir = path.join(PACKAGE_ROOT, 'src/config');
    const channelsDir = path.join(PACKAGE_ROOT, 'src/channels');
    const modules = readdirSync(channelsDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => path.join(channelsDir, d.name, 'module.ts'));
    const configTs = [...readdirSync(configDir).map((f) => path.join(configDir, f)), ...modules].map((f) => readFileSync(f, 'utf8')).join('\n');
    for (const name of everyEnvName()) {
      expect({ name, documented: documented.has(name) }).toEqual({ name, documented: true });
      expect({ name, readByConfig: configTs.includes(`'${name}'`) }).toEqual({ name, readByConfig: true });
    }
  });

  test('when the service starts, then every required variable and the Terraform-tuned ones are set, and PORT is left to Cloud Run', () => {
    const names = envOf(container()).map((e) => e.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'MYSQL_URL', 'SMTP_URL', 'EMAIL_FROM', 'GOOGLE_CLOUD_PROJECT', 'DEAD_LETTER_TOPIC', 'PUSH_AUDIENCE', 'PUSH_SERVICE_ACCOUNT',
        'NODE_ENV', 'PUSH_AUTH', 'POISON_TOPIC', 'EVENTS_TOPIC', 'SCHEMA_ENCODING', 'MAX_ATTEMPTS', 'MAX_REPLAYS', 'SEND_TIMEOUT_MS',
        'LOCK_WAIT_SECONDS', 'MYSQL_TIMEOUT_MS', 'PUBLISH_TIMEOUT_MS', 'MYSQL_POOL_SIZE', 'SMTP_POOL_SIZE',
        'ACK_DEADLINE_SECONDS', 'LOG_LEVEL', 'SHUTDOWN_GRACE_MS',
        'EMAIL_RATE_LIMIT', 'SMS_RATE_LIMIT', 'PUSH_RATE_LIMIT', 'SLACK_RATE_LIMIT', 'LINE_RATE_LIMIT', 'WEBHOOK_RATE_LIMIT',
        'BREAKER_FAILURES', 'BREAKER_OPEN_MS',
      ]),
    );
    expect(new Set(names).size).toBe(names.length);
    expect(new Set(everyEnvName()).size).toBe(everyEnvName().length);
    expect(names).not.toContain('PORT');
    expect(names).not.toContain('PUBSUB_EMULATOR_HOST');
  });

  test.each([
    ['MAX_ATTEMPTS', 'var.notifier_max_attempts'],
    ['ACK_DEADLINE_SECONDS', 'var.ack_deadline_seconds'],
    ['SCHEMA_ENCODING', 'var.schema_encoding'],
    ['MYSQL_POOL_SIZE', 'var.db_pool_size'],
    ['SEND_TIMEOUT_MS', 'var.send_timeout_ms'],
    ['DEAD_LETTER_TOPIC', 'google_pubsub_topic.dead_letter.name'],
    ['POISON_TOPIC', 'google_pubsub_topic.poison.name'],
    ['EVENTS_TOPIC', 'google_pubsub_topic.events.name'],
    ['GOOGLE_CLOUD_PROJECT', 'var.project_id'],
  ])('when %s is set, then it comes from %s (one source of truth with the subscription)', (name, source) => {
    expect(expression(envOf(container()).find((e) => e.name === name)?.value)).toBe(source);
  });

  test.each(GATE_VARIABLES)('when %s is set, then it always comes from its variable, whichever channels are enabled', (name) => {
    const e = envOf(container()).find((x) => x.name === name);
    expect(expression(e?.value)).toBe(`var.${name.toLowerCase()}`);
  });

  test.each([
    ['MYSQL_URL', 'mysql_url'],
    ['SMTP_URL', 'smtp_url'],
  ])('when %s is needed, then it is read from Secret Manager (%s, latest version), never a plain value', (name, secret) => {
    const e = envOf(container()).find((x) => x.name === name)!;
    expect(e.value).toBeUndefined();
    expect(secretRef(e)).toEqual({ secret: `\${google_secret_manager_secret.${secret}.secret_id}`, version: 'latest' });
  });

  test('when the example tfvars and the defaults are deployed, then the notifier accepts its environment and the ack deadline covers its budget', () => {
    const config = loadConfig(deployedEnv());
    expect(config.push).toEqual({ auth: 'oidc', audience: 'notifier-pubsub-push', serviceAccount: 'notifier-push@my-project.iam.gserviceaccount.com' });
    expect(config.pubsub).toMatchObject({
      projectId: 'my-project',
      deadLetterTopic: 'notifications-dead-letter',
      poisonTopic: 'notifications-poison',
      eventsTopic: 'notification-events',
    });
    expect(config.delivery.maxAttempts).toBe(values.notifier_max_attempts);
    // The Terraform cross-check (ack deadline >= budget + 5 s) is the notifier's own check plus a margin.
    expect(deliveryBudgetMs(config) + 5000).toBeLessThanOrEqual(config.delivery.ackDeadlineSeconds * 1000);
  });

  test('when the defaults are deployed, then the rate limits and breakers the notifier runs with are the variables\' (and its own defaults)', () => {
    expect(loadConfig(deployedEnv()).gates).toEqual({
      ratePerSecond: { EMAIL: 0, SMS: 10, PUSH: 500, SLACK: 1, LINE: 100, WEBHOOK: 20 },
      breakerFailures: 5,
      breakerOpenMs: 30000,
    });
    expect(loadConfig(deployedEnv()).gates).toEqual(loadConfig({ ...deployedEnv(), ...Object.fromEntries(GATE_VARIABLES.map((n) => [n, ''])) }).gates);
    const tuned = loadConfig(deployedEnv({ slack_rate_limit: 0, webhook_rate_limit: 5, breaker_failures: 0, breaker_open_ms: 1000 })).gates;
    expect(tuned).toMatchObject({ ratePerSecond: { SLACK: 0, WEBHOOK: 5 }, breakerFailures: 0, breakerOpenMs: 1000 });
  });

  test('when no channel is enabled, then the notifier configures none besides email', () => {
    expect(loadConfig(deployedEnv()).channels).toEqual({});
  });

  test('when every channel is enabled, then the notifier accepts the environment and configures each with the Terraform settings', () => {
    const channels = loadConfig(deployedEnv(EVERY_CHANNEL)).channels;
    expect(channels).toEqual({
      sms: { baseUrl: 'https://api.twilio.com', accountSid: EVERY_CHANNEL.twilio_account_sid, authToken: 'twilio-auth-token', from: '+14155550100' },
      push: { baseUrl: 'https://fcm.googleapis.com', projectId: 'my-project' },
      line: { baseUrl: 'https://api.line.me', channelAccessToken: 'line-channel-access-token' },
      slack: { baseUrl: 'https://slack.com/api', botToken: 'xoxb-1-2-3', webhookUrl: 'https://hooks.slack.com/services/T000/B000/XXXX' },
      webhook: {
        signingSecret: SAMPLE_SECRETS.WEBHOOK_SIGNING_SECRET,
        allowedHosts: ['hooks.example.com', '*.partner.example'],
        allowPrivateNetworks: false,
        httpsOnly: true,
      },
    });
  });

  test.each([
    ['SMS', 'sms'],
    ['PUSH', 'push'],
    ['SLACK', 'slack'],
    ['LINE', 'line'],
    ['WEBHOOK', 'webhook'],
  ])('when only %s is enabled, then the notifier configures only %s', (channel, key) => {
    expect(Object.keys(loadConfig(deployedEnv({ ...EVERY_CHANNEL, enabled_channels: [channel] })).channels)).toEqual([key]);
  });

  test('when Slack is enabled with only its incoming webhook, then the notifier gets no bot token', () => {
    const slack = loadConfig(deployedEnv({ enabled_channels: ['SLACK'], slack_credentials: ['webhook_url'] })).channels.slack;
    expect(slack).toEqual({ baseUrl: 'https://slack.com/api', botToken: undefined, webhookUrl: SAMPLE_SECRETS.SLACK_WEBHOOK_URL });
  });

  test('when a channel\'s variables are deployed, then their values come straight from Terraform variables or the enabled channels', () => {
    const dynamicEnv = (container().dynamic as Block).env as Block[];
    expect(dynamicEnv.map((d) => d.for_each)).toEqual(['${local.channel_env}', '${google_secret_manager_secret.channel}']);
    const [plain, secret] = dynamicEnv;
    expect(single(plain, 'content')).toEqual({ name: '${env.key}', value: '${env.value}' });
    expect(single(secret, 'content')).toEqual({
      name: '${env.key}',
      value_source: [{ secret_key_ref: [{ secret: '${env.value.secret_id}', version: 'latest' }] }],
    });
  });

  test('when the ack deadline is planned below the budget, then the notifier would refuse to start too', () => {
    expect(() => loadConfig({ ...deployedEnv(), ACK_DEADLINE_SECONDS: '19' })).toThrow(/ACK_DEADLINE_SECONDS/);
  });

  test('when the service is created, then its secrets, Cloud SQL access and failure stores are in place first', () => {
    expect(service().depends_on).toEqual(
      expect.arrayContaining([
        '${google_secret_manager_secret_iam_member.run_reads_secrets}',
        '${google_project_iam_member.run_cloudsql_client}',
        '${google_pubsub_subscription.dead_letters_bigquery}',
        '${google_pubsub_subscription.poison_bigquery}',
        '${google_pubsub_subscription.events_bigquery}',
      ]),
    );
  });
});

describe('terraform/secrets.tf', () => {
  test('when secrets are declared, then Terraform creates the two secrets but never a value (operators add versions)', () => {
    expect(resource(tf, 'google_secret_manager_secret', 'mysql_url').secret_id).toBe('notifier-mysql-url');
    expect(resource(tf, 'google_secret_manager_secret', 'smtp_url').secret_id).toBe('notifier-smtp-url');
    expect(tf.resources.filter((r) => r.type === 'google_secret_manager_secret_version')).toEqual([]);
    expect(readFileSync(path.join(PACKAGE_ROOT, 'terraform/secrets.tf'), 'utf8')).toContain('gcloud secrets versions add notifier-mysql-url');
  });
});

describe('terraform/cloudrun.tf: the migration job', () => {
  const job = () => resource(tf, 'google_cloud_run_v2_job', 'migrate');
  const task = () => single(single(job(), 'template'), 'template');
  const jobContainer = () => single(task(), 'containers');

  test('when the job runs, then it runs the migration CLI from the same image as the service', () => {
    expect(job().name).toBe('notifier-migrate');
    expect(jobContainer().image).toBe(container().image);
    expect(jobContainer().command).toEqual(['node', 'dist/mysql/migrate-cli.js']);
    expect(existsSync(path.join(PACKAGE_ROOT, 'src/mysql/migrate-cli.ts'))).toBe(true);
    const pkg = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.migrate).toBe('node dist/mysql/migrate-cli.js');
  });

  test('when the job connects to MySQL, then it has the MYSQL_URL secret, the Cloud SQL volume and its own service account', () => {
    expect(task().service_account).toBe('${google_service_account.migrate.email}');
    expect(task().volumes).toEqual(template().volumes);
    expect(jobContainer().volume_mounts).toEqual([{ name: 'cloudsql', mount_path: '/cloudsql' }]);
    const mysql = envOf(jobContainer()).find((e) => e.name === 'MYSQL_URL')!;
    expect(secretRef(mysql)).toEqual({ secret: '${google_secret_manager_secret.mysql_url.secret_id}', version: 'latest' });
    expect(envOf(jobContainer()).map((e) => e.name)).not.toContain('SMTP_URL');
  });
});

describe('image ownership between Terraform and Cloud Build', () => {
  test('when Cloud Build has deployed a newer image, then a later apply leaves the service and the job on it', async () => {
    const { parse } = await import('@cdktf/hcl2json');
    const { readFileSync } = await import('node:fs');
    const path = await import('node:path');
    const file = path.resolve(__dirname, '../../../terraform/cloudrun.tf');
    const hcl = (await parse('cloudrun.tf', readFileSync(file, 'utf8'))) as {
      resource: Record<string, Record<string, { lifecycle?: { ignore_changes: string[] }[] }[]>>;
    };
    expect(hcl.resource.google_cloud_run_v2_service!.notifier![0]!.lifecycle![0]!.ignore_changes).toContain('${template[0].containers[0].image}');
    expect(hcl.resource.google_cloud_run_v2_job!.migrate![0]!.lifecycle![0]!.ignore_changes).toContain(
      '${template[0].template[0].containers[0].image}',
    );
  });
});
