import { readFileSync } from 'node:fs';
import { CHANNELS } from '../../../src/codec/notification';
import { Block, exampleValues, loadTerraform, plannedChannels, resource, single, Terraform, tfPath } from './hcl';

let tf: Terraform;
let values: Record<string, unknown>;

beforeAll(async () => {
  tf = await loadTerraform();
  values = await exampleValues(tf);
});

const OPTIONAL_CHANNELS = ['SMS', 'PUSH', 'SLACK', 'LINE', 'WEBHOOK'];
const SID = `AC${'0123456789abcdef'.repeat(2)}`;
/** Values an operator sets to enable every channel (each one's required settings given). */
const everyChannel = {
  enabled_channels: OPTIONAL_CHANNELS,
  twilio_account_sid: SID,
  twilio_from: '+14155550100',
  slack_credentials: ['bot_token', 'webhook_url'],
  webhook_allowed_hosts: ['hooks.example.com', '*.partner.example'],
};
const only = (channel: string) => ({ ...values, ...everyChannel, enabled_channels: [channel] });
const plan = (overrides: Record<string, unknown>) => plannedChannels(tf, { ...values, ...overrides });

const SECRETS_BY_CHANNEL: Record<string, Record<string, string>> = {
  SMS: { TWILIO_AUTH_TOKEN: 'notifier-twilio-auth-token' },
  PUSH: {},
  SLACK: { SLACK_BOT_TOKEN: 'notifier-slack-bot-token', SLACK_WEBHOOK_URL: 'notifier-slack-webhook-url' },
  LINE: { LINE_CHANNEL_ACCESS_TOKEN: 'notifier-line-channel-access-token' },
  WEBHOOK: { WEBHOOK_SIGNING_SECRET: 'notifier-webhook-signing-secret' },
};

describe('terraform/channels.tf: which channels are on', () => {
  test('when enabled_channels is validated, then it names exactly the notifier\'s channels besides EMAIL', () => {
    const condition = (tf.variables.enabled_channels.validation as Block[])[0].condition as string;
    const named = [...condition.matchAll(/"([A-Z]+)"/g)].map((m) => m[1]);
    const known = Object.keys(CHANNELS).filter((c) => c !== 'CHANNEL_UNSPECIFIED' && c !== 'EMAIL');
    expect(named.sort()).toEqual(known.sort());
    expect(named.sort()).toEqual([...OPTIONAL_CHANNELS].sort());
    expect(tf.variables.enabled_channels).toMatchObject({ type: '${set(string)}', default: [] });
  });

  test('when no channel is enabled (the default), then no channel variable is set and no channel secret exists', () => {
    expect(plannedChannels(tf, values)).toEqual({ env: {}, secrets: {}, fcmApiProjects: [], fcmIamProjects: [] });
  });

  test.each(OPTIONAL_CHANNELS)('when only %s is enabled, then only its secrets exist', (channel) => {
    expect(plannedChannels(tf, only(channel)).secrets).toEqual(SECRETS_BY_CHANNEL[channel]);
  });

  test.each<[string, string[]]>([
    ['SMS', ['TWILIO_ACCOUNT_SID', 'TWILIO_FROM']],
    ['PUSH', ['FCM_PROJECT_ID']],
    ['SLACK', []],
    ['LINE', []],
    ['WEBHOOK', ['WEBHOOK_ALLOWED_HOSTS']],
  ])('when only %s is enabled, then only its plain variables %j are set', (channel, names) => {
    expect(Object.keys(plannedChannels(tf, only(channel)).env).sort()).toEqual(names);
  });

  test('when every channel is enabled, then each plain variable carries its Terraform value', () => {
    expect(plan(everyChannel).env).toEqual({
      TWILIO_ACCOUNT_SID: SID,
      TWILIO_FROM: '+14155550100',
      FCM_PROJECT_ID: 'my-project',
      WEBHOOK_ALLOWED_HOSTS: 'hooks.example.com,*.partner.example',
    });
    expect(plan({ ...everyChannel, fcm_project_id: 'my-firebase-app' }).env.FCM_PROJECT_ID).toBe('my-firebase-app');
  });

  test.each<[string[], string[]]>([
    [['bot_token'], ['SLACK_BOT_TOKEN']],
    [['webhook_url'], ['SLACK_WEBHOOK_URL']],
    [['bot_token', 'webhook_url'], ['SLACK_BOT_TOKEN', 'SLACK_WEBHOOK_URL']],
  ])('when Slack uses %j, then exactly the secrets %j exist', (credentials, secrets) => {
    expect(Object.keys(plan({ enabled_channels: ['SLACK'], slack_credentials: credentials }).secrets).sort()).toEqual(secrets);
  });

  test('when channel variables could be set, then none is a local stand-in\'s base URL or the private-network switch', () => {
    const names = [...Object.keys(tf.locals.channel_env_values as object), ...Object.keys(tf.locals.channel_secret_ids as object)];
    for (const name of names) expect(name).not.toMatch(/_BASE_URL$|^WEBHOOK_ALLOW_PRIVATE_NETWORKS$/);
    const text = ['channels.tf', 'cloudrun.tf', 'variables.tf'].map((f) => readFileSync(tfPath(f), 'utf8').replace(/^\s*#.*$/gm, '')).join('\n');
    expect(text).not.toMatch(/_BASE_URL|WEBHOOK_ALLOW_PRIVATE_NETWORKS/);
  });
});

describe('terraform/secrets.tf and iam.tf: channel credentials', () => {
  test('when channel secrets are declared, then there is one per enabled credential, without a value, replicated automatically', () => {
    const secret = resource(tf, 'google_secret_manager_secret', 'channel');
    expect(secret).toMatchObject({ for_each: '${local.channel_secrets}', project: '${var.project_id}', secret_id: '${each.value}' });
    expect(single(secret, 'replication')).toEqual({ auto: [{}] });
    expect(tf.resources.filter((r) => r.type === 'google_secret_manager_secret_version')).toEqual([]);
  });

  test('when the runtime account reads channel secrets, then it is granted on exactly the created secrets, each on its own', () => {
    expect(resource(tf, 'google_secret_manager_secret_iam_member', 'run_reads_channel_secrets')).toEqual({
      for_each: '${google_secret_manager_secret.channel}',
      project: '${var.project_id}',
      secret_id: '${each.value.id}',
      role: 'roles/secretmanager.secretAccessor',
      member: '${google_service_account.run.member}',
    });
  });

  test('when an operator enables a channel, then secrets.tf shows the gcloud command for each channel secret', () => {
    const text = readFileSync(tfPath('secrets.tf'), 'utf8');
    for (const id of Object.values(tf.locals.channel_secret_ids as Record<string, string>)) {
      expect(text).toContain(`gcloud secrets versions add ${id} --data-file=-`);
    }
    expect(text).toContain('terraform apply -target=\'google_secret_manager_secret.channel["TWILIO_AUTH_TOKEN"]\'');
  });
});

describe('terraform/apis.tf and iam.tf: FCM for PUSH', () => {
  test('when PUSH is off, then FCM is neither enabled nor granted', () => {
    const p = plannedChannels(tf, only('SMS'));
    expect([p.fcmApiProjects, p.fcmIamProjects]).toEqual([[], []]);
  });

  test('when PUSH sends for this project, then fcm.googleapis.com is enabled and the runtime account may send here', () => {
    const p = plannedChannels(tf, only('PUSH'));
    expect([p.fcmApiProjects, p.fcmIamProjects]).toEqual([['my-project'], ['my-project']]);
  });

  test('when PUSH sends for another Firebase project, then the API is on in both and the role is granted in the Firebase project only', () => {
    const p = plannedChannels(tf, { ...only('PUSH'), fcm_project_id: 'my-firebase-app' });
    expect(p.fcmApiProjects.sort()).toEqual(['my-firebase-app', 'my-project']);
    expect(p.fcmIamProjects).toEqual(['my-firebase-app']);
  });

  test('when the API and role are declared, then they follow those project sets and are never disabled on destroy', () => {
    expect(resource(tf, 'google_project_service', 'fcm')).toEqual({
      for_each: '${local.fcm_api_projects}',
      project: '${each.value}',
      service: 'fcm.googleapis.com',
      disable_on_destroy: false,
    });
    expect(resource(tf, 'google_project_iam_member', 'run_sends_fcm')).toEqual({
      for_each: '${local.fcm_iam_projects}',
      project: '${each.value}',
      role: 'roles/firebasecloudmessaging.admin',
      member: '${google_service_account.run.member}',
    });
  });

  test('when the service starts, then its channel secrets are readable and FCM is set up first', () => {
    expect(resource(tf, 'google_cloud_run_v2_service', 'notifier').depends_on).toEqual(
      expect.arrayContaining([
        '${google_secret_manager_secret_iam_member.run_reads_channel_secrets}',
        '${google_project_service.fcm}',
        '${google_project_iam_member.run_sends_fcm}',
      ]),
    );
  });
});

describe('terraform/outputs.tf', () => {
  test('when apply finishes, then the secrets output also lists the channel secrets, by variable', () => {
    expect(tf.outputs.secrets.value).toContain('{ for name, secret in google_secret_manager_secret.channel : name => secret.secret_id }');
    expect(tf.outputs.enabled_channels.value).toBe('${sort(concat(["EMAIL"], tolist(var.enabled_channels)))}');
  });
});
