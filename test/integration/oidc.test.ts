import { emailNotification, push, pushEnvelope } from '../support/notifications';
import { InProcessNotifier, notifierEnv, startInProcess } from '../support/notifier';
import { startTestIssuer, TestIssuer } from '../support/oidc-issuer';
import { RealParts, startRealParts } from '../support/real-parts';

const AUDIENCE = 'https://notifier.example.run.app/pubsub/push';
const PUSHER = 'pubsub-push@notifier-test.iam.gserviceaccount.com';

let parts: RealParts;
let issuer: TestIssuer;
let notifier: InProcessNotifier;

beforeAll(async () => {
  [parts, issuer] = await Promise.all([startRealParts(), startTestIssuer()]);
  notifier = await startInProcess(
    notifierEnv(parts, { PUSH_AUTH: 'oidc', PUSH_AUDIENCE: AUDIENCE, PUSH_SERVICE_ACCOUNT: PUSHER }),
    { oidcCertsUrl: issuer.certsUrl },
  );
});

afterAll(async () => {
  await notifier?.stop();
  await Promise.all([parts?.close(), issuer?.close()]);
});

const valid = { aud: AUDIENCE, email: PUSHER, email_verified: true };

async function pushWith(token: string | undefined) {
  const n = emailNotification();
  const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
  const status = await push(notifier.url, pushEnvelope(n), headers);
  return { status, mails: parts.smtp.mailsFor(n.notificationId).length };
}

describe('PUSH_AUTH=oidc', () => {
  test('when the token is valid and issued to the push service account, then the delivery proceeds', async () => {
    expect(await pushWith(issuer.token(valid))).toEqual({ status: 204, mails: 1 });
  });

  test('when there is no bearer token, then 401 and nothing is sent', async () => {
    expect(await pushWith(undefined)).toEqual({ status: 401, mails: 0 });
  });

  test('when the token is signed by a key Google does not publish (forged), then 401', async () => {
    expect(await pushWith(issuer.token(valid, { key: issuer.foreignKey }))).toEqual({ status: 401, mails: 0 });
  });

  test('when the token is not a JWT at all, then 401', async () => {
    expect(await pushWith('not-a-jwt')).toEqual({ status: 401, mails: 0 });
  });

  test('when the token is for another audience, then 401', async () => {
    expect(await pushWith(issuer.token({ ...valid, aud: 'https://elsewhere.example' }))).toEqual({ status: 401, mails: 0 });
  });

  test('when the token has expired, then 401', async () => {
    const past = Math.floor(Date.now() / 1000) - 7200;
    expect(await pushWith(issuer.token({ ...valid, iat: past, exp: past + 600 }))).toEqual({ status: 401, mails: 0 });
  });

  test('when the token was issued to another service account, then 403', async () => {
    expect(await pushWith(issuer.token({ ...valid, email: 'intruder@evil.example' }))).toEqual({ status: 403, mails: 0 });
  });

  test('when the token email is not verified, then 403', async () => {
    expect(await pushWith(issuer.token({ ...valid, email_verified: false }))).toEqual({ status: 403, mails: 0 });
  });

  test('when a request is rejected, then the log says why without the token', async () => {
    const token = issuer.token({ ...valid, email: 'intruder@evil.example' });
    await pushWith(token);
    const rejected = notifier.logs.filter((l) => l.message === 'push request rejected');
    expect(rejected.length).toBeGreaterThan(0);
    expect(JSON.stringify(notifier.logs)).not.toContain(token);
  });
});
