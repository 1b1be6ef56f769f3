import { OAuth2Client } from 'google-auth-library';

export type AuthResult = { ok: true } | { ok: false; status: 401 | 403; reason: string };

/** Decides whether a push request really comes from our Pub/Sub subscription. */
export interface PushAuthenticator {
  authenticate(authorization: string | undefined): Promise<AuthResult>;
}

/** PUSH_AUTH=none: local use only (config refuses it in production). */
export const noAuthentication: PushAuthenticator = {
  authenticate: async () => ({ ok: true }),
};

export interface OidcOptions {
  /** The `aud` Pub/Sub puts in the token (the push endpoint URL unless configured). */
  audience: string;
  /** The push subscription's service account: the token's `email` claim. */
  serviceAccount: string;
  /** Where Google's signing certificates are fetched from; tests point it at a local server. */
  certsUrl?: string;
}

/**
 * PUSH_AUTH=oidc: verifies the bearer token's signature, expiry, issuer and audience
 * (401 otherwise), then that it was issued to the push service account with a
 * verified email (403 otherwise).
 */
export function makeOidcAuthenticator(opts: OidcOptions): PushAuthenticator {
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
      if (payload?.email !== opts.serviceAccount) {
        return { ok: false, status: 403, reason: 'token was not issued to the push service account' };
      }
      if (payload.email_verified !== true) return { ok: false, status: 403, reason: 'token email is not verified' };
      return { ok: true };
    },
  };
}
