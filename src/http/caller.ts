import type { AuthResult } from './auth';

/** The caller named when authentication is off: nobody was verified, whatever token was sent. */
export const UNAUTHENTICATED = 'unauthenticated';

/** Who made a request the authenticator accepted, for the audit line: the verified token's email. */
export const callerOf = (result: Extract<AuthResult, { ok: true }>): string => result.principal ?? UNAUTHENTICATED;
