import { generateKeyPairSync } from 'node:crypto';
import { SMS_MODULE } from '../../../src/channels/sms/module';
import { ConfigError, loadConfig, loadLocalConfig } from '../../../src/config';
import { loadCallbacks } from '../../../src/config/callbacks';
import { localCallbackDefaults } from '../../../src/config/local';
import { required } from './support';

const p256 = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
const twilio = { TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`, TWILIO_AUTH_TOKEN: 'secret-token', TWILIO_FROM: '+14155550100' };

function callbacksError(env: Record<string, string>, production = false): ConfigError {
  try {
    loadCallbacks(env, production);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('loadCallbacks did not throw');
}

describe('loadCallbacks: PUBLIC_URL and SENDGRID_WEBHOOK_PUBLIC_KEY', () => {
  test('when neither is set, then both callbacks are off', () => {
    expect(loadCallbacks({}, true)).toEqual({});
  });

  test('when both are set, then the URL loses its trailing slash and the key is kept as given', () => {
    expect(loadCallbacks({ PUBLIC_URL: 'https://notifier-abc-uc.a.run.app/', SENDGRID_WEBHOOK_PUBLIC_KEY: p256 }, true)).toEqual({
      publicUrl: 'https://notifier-abc-uc.a.run.app',
      sendgridPublicKey: p256,
    });
  });

  test('when the key comes PEM-armoured with line breaks, then it is accepted', () => {
    const pem = `-----BEGIN PUBLIC KEY-----\n${p256.match(/.{1,64}/g)!.join('\n')}\n-----END PUBLIC KEY-----\n`;
    expect(loadCallbacks({ SENDGRID_WEBHOOK_PUBLIC_KEY: pem }, true).sendgridPublicKey).toBe(pem.trim());
  });

  test.each<[Record<string, string>, boolean, string, string]>([
    [{ PUBLIC_URL: 'http://notifier.example.com' }, true, 'PUBLIC_URL', 'must use https:'],
    [{ PUBLIC_URL: 'https://notifier.example.com/?a=1' }, true, 'PUBLIC_URL', 'without credentials, query or fragment'],
    [{ PUBLIC_URL: 'notifier.example.com' }, false, 'PUBLIC_URL', 'is not a valid URL'],
    [{ SENDGRID_WEBHOOK_PUBLIC_KEY: 'not a key' }, false, 'SENDGRID_WEBHOOK_PUBLIC_KEY', 'is not a base64 DER public key'],
    [
      { SENDGRID_WEBHOOK_PUBLIC_KEY: generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64') },
      false,
      'SENDGRID_WEBHOOK_PUBLIC_KEY',
      'P-256',
    ],
    [
      { SENDGRID_WEBHOOK_PUBLIC_KEY: generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64') },
      false,
      'SENDGRID_WEBHOOK_PUBLIC_KEY',
      'P-256',
    ],
  ])('when %j is set (production %s), then start-up fails naming %s', (env, production, variable, problem) => {
    const err = callbacksError(env, production);
    expect(err.variable).toBe(variable);
    expect(err.message).toContain(problem);
  });

  test('when PUBLIC_URL is http outside production, then it is accepted (the local sandboxes)', () => {
    expect(loadCallbacks({ PUBLIC_URL: 'http://127.0.0.1:8080' }, false)).toEqual({ publicUrl: 'http://127.0.0.1:8080' });
  });
});

describe('the SMS channel and PUBLIC_URL', () => {
  test('when PUBLIC_URL is set, then the SMS settings ask for status callbacks at its Twilio path', () => {
    expect(loadConfig({ ...required, ...twilio, PUBLIC_URL: 'https://notifier.example.com/' }).channels.sms?.statusCallbackUrl).toBe(
      'https://notifier.example.com/v1/callbacks/twilio/status',
    );
  });

  test('when PUBLIC_URL is not set, then no status callback is asked for', () => {
    expect(loadConfig({ ...required, ...twilio }).channels.sms).not.toHaveProperty('statusCallbackUrl');
  });

  test('when SMS is not configured, then its settings do not read PUBLIC_URL', () => {
    expect(SMS_MODULE.loadSettings!({ PUBLIC_URL: 'not a url' }, true)).toBeUndefined();
  });
});

describe('npm start: local callback defaults', () => {
  test('when the notifier listens on its default port, then PUBLIC_URL is that port on 127.0.0.1 and the key is the generated one', () => {
    expect(localCallbackDefaults({}, p256)).toEqual({ PUBLIC_URL: 'http://127.0.0.1:8080', SENDGRID_WEBHOOK_PUBLIC_KEY: p256 });
    expect(localCallbackDefaults({ PORT: '9090' }, p256).PUBLIC_URL).toBe('http://127.0.0.1:9090');
  });

  test('when PORT is 0, then no PUBLIC_URL is assumed (the port is only known once it listens)', () => {
    expect(localCallbackDefaults({ PORT: '0' }, p256)).toEqual({ SENDGRID_WEBHOOK_PUBLIC_KEY: p256 });
  });

  test('when the defaults are given to loadLocalConfig, then the sandboxed SMS channel asks for callbacks there and the callbacks config carries both', () => {
    const local = loadLocalConfig({}, localCallbackDefaults({}, p256));
    expect(local.callbacks).toEqual({ publicUrl: 'http://127.0.0.1:8080', sendgridPublicKey: p256 });
    expect(local.config.channels.sms?.statusCallbackUrl).toBe('http://127.0.0.1:8080/v1/callbacks/twilio/status');
  });

  test('when the environment sets its own key, then it wins over the generated one', () => {
    const mine = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    expect(loadLocalConfig({ SENDGRID_WEBHOOK_PUBLIC_KEY: mine }, localCallbackDefaults({}, p256)).callbacks.sendgridPublicKey).toBe(mine);
  });
});
