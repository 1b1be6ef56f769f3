import { TransientError } from '../delivery/failures';

/**
 * MySQL / driver error codes meaning "the database is not reachable or not usable
 * right now": the delivery is nacked and retried. Any other database error is a bug
 * or a schema problem and surfaces as INTERNAL (also nacked, and logged as an error).
 */
export const DATABASE_UNAVAILABLE_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_TOO_MANY_USER_CONNECTIONS',
  'ER_SERVER_SHUTDOWN',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_LOCK_DEADLOCK',
  'ER_QUERY_INTERRUPTED',
  'ER_CLIENT_INTERACTION_TIMEOUT',
]);

/** Also raised by mysql2 without a code when a pooled connection is unusable. */
const UNAVAILABLE_MESSAGES = [/Can't add new command when connection is in closed state/i, /Pool is closed/i];

export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | undefined;
  if (typeof e?.code === 'string' && DATABASE_UNAVAILABLE_CODES.has(e.code)) return true;
  return typeof e?.message === 'string' && UNAVAILABLE_MESSAGES.some((re) => re.test(e.message as string));
}

/** Rethrows database-unavailable errors as TransientError, others unchanged. */
export function classifyDatabaseError(err: unknown): never {
  if (isDatabaseUnavailable(err)) {
    const code = (err as { code?: string }).code ?? 'closed';
    throw new TransientError('DATABASE_UNAVAILABLE', `MySQL unavailable (${code})`, { cause: err });
  }
  throw err;
}
