import { loadConfig } from '../../../src/config';
import { configError, required } from './support';

const production = { ...required, NODE_ENV: 'production', INTERNAL_SIGNING_KEYS: 'k'.repeat(32), SUPPRESSION_KEY: 'h'.repeat(32), PUSH_AUTH: 'oidc', PUSH_AUDIENCE: 'https://n.example', PUSH_SERVICE_ACCOUNT: 'push@p.iam.gserviceaccount.com' };

const SID = `AC${'a'.repeat(32)}`;
const twilio = { TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: 'secret-token', TWILIO_FROM: '+14155550100' };
const SECRET = 's'.repeat(32);

describe('loadConfig: channels', () => {
  test('when no channel credentials are set, then only email is configured, with the default rates and breaker', () => {
    const config = loadConfig(required);
    expect(config.channels).toEqual({});
    expect(config.gates).toEqual({
      ratePerSecond: { EMAIL: 0, SMS: 10, PUSH: 500, SLACK: 1, LINE: 100, WEBHOOK: 20 },
      breakerFailures: 5,
      breakerOpenMs: 30000,
    });
  });

  test('when every channel is configured, then each gets its settings and the providers’ default base URLs', () => {
    const config = loadConfig({
      ...required,
      ...twilio,
      FCM_PROJECT_ID: 'my-firebase-app',
      LINE_CHANNEL_ACCESS_TOKEN: 'line-token',
      SLACK_BOT_TOKEN: 'xoxb-1-2-3',
      SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T/B/X',
      WEBHOOK_SIGNING_SECRET: SECRET,
      WEBHOOK_ALLOWED_HOSTS: ' Hooks.Example.com, *.partner.example ',
    });
    expect(config.channels).toEqual({
      sms: { baseUrl: 'https://api.twilio.com', accountSid: SID, authToken: 'secret-token', from: '+14155550100' },
      push: { baseUrl: 'https://fcm.googleapis.com', projectId: 'my-firebase-app' },
      line: { baseUrl: 'https://api.line.me', channelAccessToken: 'line-token' },
      slack: { baseUrl: 'https://slack.com/api', botToken: 'xoxb-1-2-3', webhookUrl: 'https://hooks.slack.com/services/T/B/X' },
      webhook: { signingSecret: SECRET, allowedHosts: ['hooks.example.com', '*.partner.example'], allowPrivateNetworks: false, httpsOnly: false },
    });
  });

  test('when webhook allowlist entries name ports, IP addresses or upper case, then they are kept canonical', () => {
    const env = { ...required, WEBHOOK_SIGNING_SECRET: SECRET, WEBHOOK_ALLOWED_HOSTS: 'Hooks.Example.com:08443, *.partner.example:443,203.0.113.7,[2001:DB8::7]:8443' };
    expect(loadConfig(env).channels.webhook?.allowedHosts).toEqual(['hooks.example.com:8443', '*.partner.example:443', '203.0.113.7', '[2001:db8::7]:8443']);
  });

  test.each([
    ['https://hooks.example.com', 'is not a host name'],
    ['hooks.example.com/path', 'is not a host name'],
    ['hooks.example.com:99999', 'the port must be 1-65535'],
    ['hooks.example.com:0', 'the port must be 1-65535'],
    ['*.203.0.113.7', '*. takes a domain name'],
  ])('when a WEBHOOK_ALLOWED_HOSTS entry is %j, then start-up fails naming the variable and the entry: %s', (entry, problem) => {
    const err = configError({ ...required, WEBHOOK_SIGNING_SECRET: SECRET, WEBHOOK_ALLOWED_HOSTS: `hooks.example.com,${entry}` });
    expect(err.variable).toBe('WEBHOOK_ALLOWED_HOSTS');
    expect(err.message).toContain(`"${entry}"`);
    expect(err.message).toContain(problem);
  });

  test('when a base URL is moved (a local stand-in), then it is used without its trailing slash', () => {
    expect(loadConfig({ ...required, ...twilio, TWILIO_BASE_URL: 'http://127.0.0.1:9999/' }).channels.sms?.baseUrl).toBe('http://127.0.0.1:9999');
  });

  test('when a messaging service SID is the sender, then it is accepted', () => {
    expect(loadConfig({ ...required, ...twilio, TWILIO_FROM: `MG${'0'.repeat(32)}` }).channels.sms?.from).toBe(`MG${'0'.repeat(32)}`);
  });

  test('when only a Slack incoming webhook is set, then Slack is configured without a bot token', () => {
    expect(loadConfig({ ...required, SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T/B/X' }).channels.slack).toEqual({
      baseUrl: 'https://slack.com/api',
      botToken: undefined,
      webhookUrl: 'https://hooks.slack.com/services/T/B/X',
    });
  });

  test.each([
    ['TWILIO_AUTH_TOKEN', { ...twilio, TWILIO_AUTH_TOKEN: '' }, 'is required'],
    ['TWILIO_FROM', { ...twilio, TWILIO_FROM: '' }, 'is required'],
    ['TWILIO_ACCOUNT_SID', { ...twilio, TWILIO_ACCOUNT_SID: 'AC123' }, 'must be an account SID'],
    ['TWILIO_FROM', { ...twilio, TWILIO_FROM: '0901234' }, 'must be an E.164 number'],
    ['TWILIO_BASE_URL', { ...twilio, TWILIO_BASE_URL: 'ftp://x' }, 'must use'],
    ['FCM_PROJECT_ID', { FCM_PROJECT_ID: 'Bad_Project' }, 'must be a Firebase project ID'],
    ['SLACK_BOT_TOKEN', { SLACK_BOT_TOKEN: 'not-a-token' }, 'must be a Slack bot token'],
    ['SLACK_WEBHOOK_URL', { SLACK_WEBHOOK_URL: 'hooks.slack.com' }, 'is not a valid URL'],
    ['WEBHOOK_SIGNING_SECRET', { WEBHOOK_SIGNING_SECRET: 'short' }, 'at least 32 characters'],
    ['WEBHOOK_ALLOW_PRIVATE_NETWORKS', { WEBHOOK_SIGNING_SECRET: SECRET, WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'yes' }, 'must be true or false'],
    ['SMS_RATE_LIMIT', { SMS_RATE_LIMIT: '-1' }, 'must be between'],
    ['WEBHOOK_RATE_LIMIT', { WEBHOOK_RATE_LIMIT: 'fast' }, 'must be an integer'],
    ['BREAKER_FAILURES', { BREAKER_FAILURES: '1001' }, 'must be between'],
    ['BREAKER_OPEN_MS', { BREAKER_OPEN_MS: '10' }, 'must be between'],
  ])('when %s is bad, then a ConfigError names it', (variable, env, problem) => {
    const err = configError({ ...required, ...env });
    expect(err.variable).toBe(variable);
    expect(err.message).toContain(problem);
  });

  test('when a secret is malformed, then the error does not echo it', () => {
    expect(configError({ ...required, SLACK_BOT_TOKEN: 'leaked-secret-value' }).message).not.toContain('leaked-secret-value');
    expect(configError({ ...required, WEBHOOK_SIGNING_SECRET: 'leaked' }).message).not.toContain('leaked');
  });

  test('when NODE_ENV=production, then webhooks are https-only and private networks cannot be allowed', () => {
    expect(loadConfig({ ...production, WEBHOOK_SIGNING_SECRET: SECRET }).channels.webhook?.httpsOnly).toBe(true);
    const err = configError({ ...production, WEBHOOK_SIGNING_SECRET: SECRET, WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' });
    expect(err.variable).toBe('WEBHOOK_ALLOW_PRIVATE_NETWORKS');
  });

  test('when NODE_ENV=production, then provider base URLs and the Slack webhook must be https', () => {
    expect(configError({ ...production, ...twilio, TWILIO_BASE_URL: 'http://127.0.0.1:9' }).variable).toBe('TWILIO_BASE_URL');
    expect(configError({ ...production, SLACK_WEBHOOK_URL: 'http://hooks.example/x' }).variable).toBe('SLACK_WEBHOOK_URL');
  });

  test('when rates and the breaker are set, then they are used; 0 means unlimited or disabled', () => {
    const config = loadConfig({ ...required, SMS_RATE_LIMIT: '0', EMAIL_RATE_LIMIT: '25', BREAKER_FAILURES: '0', BREAKER_OPEN_MS: '5000' });
    expect(config.gates).toMatchObject({ ratePerSecond: { SMS: 0, EMAIL: 25 }, breakerFailures: 0, breakerOpenMs: 5000 });
  });
});
