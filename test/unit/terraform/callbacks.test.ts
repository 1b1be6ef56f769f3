import { generateKeyPairSync } from 'node:crypto';
import { ConfigError, loadConfig } from '../../../src/config';
import { loadCallbacks } from '../../../src/config/callbacks';
import { tryEvaluate } from './conditions';
import { deployedEnv, envOf, serviceContainer } from './deployed-env';
import { exampleValues, expression, loadTerraform, resource, Terraform } from './hcl';

let tf: Terraform;
let values: Record<string, unknown>;

beforeAll(async () => {
  tf = await loadTerraform();
  values = await exampleValues(tf);
});

const KEY = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
const SMS = { enabled_channels: ['SMS'], twilio_account_sid: `AC${'0123456789abcdef'.repeat(2)}`, twilio_from: '+14155550100' };

/** Whether every validation of `name` holds for the example values with `value`. */
function accepts(name: string, value: unknown): boolean {
  const conditions = ((tf.variables[name]?.validation ?? []) as { condition: string }[]).map((v) => v.condition);
  expect(conditions.length).toBeGreaterThan(0);
  return conditions.every((c) => tryEvaluate(c, { ...values, [name]: value }) === true);
}

/** Whether the deployed notifier starts with this value (production, as Terraform deploys it). */
function notifierAccepts(name: 'PUBLIC_URL' | 'SENDGRID_WEBHOOK_PUBLIC_KEY', value: string): boolean {
  try {
    loadCallbacks({ [name]: value }, true);
    return true;
  } catch (err) {
    if (err instanceof ConfigError) return false;
    throw err;
  }
}

describe('terraform: provider status callbacks', () => {
  test.each([
    ['PUBLIC_URL', 'var.public_url'],
    ['SENDGRID_WEBHOOK_PUBLIC_KEY', 'var.sendgrid_webhook_public_key'],
  ])('when the service starts, then %s is a plain value from %s (a URL and a public key, no secret)', (name, source) => {
    const e = envOf(serviceContainer(tf)).find((x) => x.name === name);
    expect(e?.value_source).toBeUndefined();
    expect(expression(e?.value)).toBe(source);
  });

  test('when the defaults are deployed, then both callbacks are off and the SMS channel asks for no status callback', () => {
    const env = deployedEnv(tf, { ...values, ...SMS });
    expect(loadCallbacks(env, true)).toEqual({});
    expect(loadConfig(env).channels.sms).not.toHaveProperty('statusCallbackUrl');
  });

  test('when public_url and the SendGrid key are set, then the deployed notifier serves both callbacks and SMS asks Twilio for status callbacks', () => {
    const env = deployedEnv(tf, { ...values, ...SMS, public_url: 'https://notifier-abc123-uc.a.run.app', sendgrid_webhook_public_key: KEY });
    expect(loadCallbacks(env, true)).toEqual({ publicUrl: 'https://notifier-abc123-uc.a.run.app', sendgridPublicKey: KEY });
    expect(loadConfig(env).channels.sms?.statusCallbackUrl).toBe('https://notifier-abc123-uc.a.run.app/v1/callbacks/twilio/status');
  });

  test.each(['', 'https://notifier-abc123-uc.a.run.app', 'https://notify.example.com', 'https://example.com/notifier'])(
    'when public_url is %j, then Terraform and the notifier both accept it',
    (url) => {
      expect(accepts('public_url', url)).toBe(true);
      expect(url === '' || notifierAccepts('PUBLIC_URL', url)).toBe(true);
    },
  );

  test.each(['http://notify.example.com', 'https://notify.example.com/', 'https://notify.example.com/?a=1', 'https://user@notify.example.com', 'notify.example.com'])(
    'when public_url is %j, then the plan refuses it',
    (url) => {
      expect(accepts('public_url', url)).toBe(false);
    },
  );

  test('when the SendGrid key is the base64 SendGrid shows, then Terraform and the notifier accept it; PEM text or garbage the plan refuses', () => {
    expect(accepts('sendgrid_webhook_public_key', KEY)).toBe(true);
    expect(notifierAccepts('SENDGRID_WEBHOOK_PUBLIC_KEY', KEY)).toBe(true);
    expect(accepts('sendgrid_webhook_public_key', `-----BEGIN PUBLIC KEY-----\n${KEY}\n-----END PUBLIC KEY-----`)).toBe(false);
    expect(accepts('sendgrid_webhook_public_key', 'not a key')).toBe(false);
  });

  test('when Twilio or SendGrid call the service, then Cloud Run lets them through without a Google token (the notifier checks their signatures)', () => {
    expect(resource(tf, 'google_cloud_run_v2_service_iam_member', 'public_invoker')).toMatchObject({ role: 'roles/run.invoker', member: 'allUsers' });
    expect(resource(tf, 'google_cloud_run_v2_service', 'notifier').ingress).toBe('INGRESS_TRAFFIC_ALL');
  });
});
