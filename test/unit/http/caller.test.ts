import { callerOf, UNAUTHENTICATED } from '../../../src/http/caller';

describe('callerOf', () => {
  test('when the authenticator verified a caller, then the caller is its email', () => {
    expect(callerOf({ ok: true, principal: 'verified@p.iam.gserviceaccount.com' })).toBe('verified@p.iam.gserviceaccount.com');
  });

  test('when authentication is off, then the caller is "unauthenticated", whatever a token claims', () => {
    expect(callerOf({ ok: true })).toBe(UNAUTHENTICATED);
  });
});
