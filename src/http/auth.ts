import { OAuth2Client } from 'google-auth-library';

/** `principal`: the verified caller (the ID token's email); absent when authentication is off. */
export type AuthResult = { ok: true; principal?: string } | { ok: false; status: 401 | 403; reason: string };

/** Decides whether a request comes from a caller allowed on that route (Pub/Sub push, a service, the scheduler). */
export interface Authenticator {
  authenticate(authorization: string | undefined): Promise<AuthResult>;
}

/** PUSH_AUTH=none / API_AUTH=none: local use only (config refuses it in production). */
export const noAuthentication: Authenticator = {
  authenticate: async () => ({ ok: true }),
};

export interface OidcOptions {
  /** The `aud` Pub/Sub puts in the token (the push endpoint URL unless configured). */
  audience: string;
  /** The service accounts allowed to call (the token's `email` claim); empty allows none. */
  serviceAccounts: readonly string[];
  /** Who they are, for the 403 reason, e.g. "the push service account". */
  callers: string;
  /** Where Google's signing certificates are fetched from; tests point it at a local server. */
  certsUrl?: string;
}

/**
 * OIDC (PUSH_AUTH=oidc, API_AUTH=oidc): verifies the bearer token's signature, expiry,
 * issuer and audience (401 otherwise), then that it was issued to one of the allowed
 * service accounts with a verified email (403 otherwise).
 */
export function makeOidcAuthenticator(opts: OidcOptions): Authenticator {
  const client = new OAuth2Client(
    opts.certsUrl ? { endpoints: { oauth2FederatedSignonPemCertsUrl: opts.certsUrl } } : {},
  );
  return {
    async authenticate(authorization) {
      const token = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
      if (!token) return { ok: false, status: 401, reason: 'missing bearer token' };
      let payload;
      try {
        payload = (await client.verifyIdToken({ idToken: token, audience: opts.audience })).getPayload();
      } catch (err) {
        return { ok: false, status: 401, reason: `invalid token: ${(err as Error).message.split(/[:\n]/)[0]}` };
      }
      if (!payload?.email || !opts.serviceAccounts.includes(payload.email)) {
        return { ok: false, status: 403, reason: `token was not issued to ${opts.callers}` };
      }
      if (payload.email_verified !== true) return { ok: false, status: 403, reason: 'token email is not verified' };
      return { ok: true, principal: payload.email };
    },
  };
}

/** `none` (local only: config refuses it in production) or OIDC for the given callers. */
export function makeAuthenticator(mode: 'none' | 'oidc', opts: Omit<OidcOptions, 'audience'> & { audience?: string }): Authenticator {
  if (mode === 'none') return noAuthentication;
  if (!opts.audience) throw new Error('OIDC authentication needs an audience');
  return makeOidcAuthenticator({ ...opts, audience: opts.audience });
}
