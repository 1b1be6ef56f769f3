import { makeOidcAuthenticator, noAuthentication } from '../../../src/http/auth';

describe('push authentication (no network)', () => {
  test('when authentication is off, then every request is accepted', async () => {
    expect(await noAuthentication.authenticate(undefined)).toEqual({ ok: true });
  });

  const oidc = makeOidcAuthenticator({
    audience: 'https://notifier.example.com/pubsub/push',
    serviceAccounts: ['push@p.iam.gserviceaccount.com'],
    callers: 'the push service account',
    certsUrl: 'http://127.0.0.1:1/certs',
  });

  test.each([
    ['there is no Authorization header', undefined],
    ['the scheme is not Bearer', 'Basic dXNlcjpwYXNz'],
    ['the bearer token is empty', 'Bearer '],
    ['the token has a space in it', 'Bearer a b'],
  ])('when %s, then it is 401 missing bearer token', async (_, header) => {
    expect(await oidc.authenticate(header)).toEqual({ ok: false, status: 401, reason: 'missing bearer token' });
  });
});
