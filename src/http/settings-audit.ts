import type { Logger } from '../logging';
import type { SettingsDocument } from '../settings/document';

/** The message of every audit line: what a log query or a log-based metric selects. */
export const AUDIT_MESSAGE = 'settings audit';

/** The change asked for: PUT replaces the document, DELETE erases the account's settings. */
export type AuditAction = 'settings.replace' | 'settings.erase';

/** Who asked for which change on which account: known before the store is called. */
export interface AuditSubject {
  action: AuditAction;
  /** The verified caller's email, or `unauthenticated` when API_AUTH=none. */
  caller: string;
  accountId: string;
}

/** What an outcome adds to the line: the status answered, and counts (never a value). */
export type AuditOutcome = { status: number } & Record<string, number | boolean | Record<string, number>>;

/** What an auditor may see of a stored document: how many contacts per channel and rules, never one of them. */
export function documentCounts(document: SettingsDocument): Omit<AuditOutcome, 'status'> {
  return {
    contacts: Object.fromEntries(Object.entries(document.contacts).map(([channel, addresses]) => [channel, addresses?.length ?? 0])),
    preferences: document.preferences.length,
    quietHours: document.quietHours !== undefined,
  };
}

/**
 * Runs one change and writes its audit line as soon as the store has answered, not when the
 * response is sent: a caller that has gone away gets no response, but the change happened.
 * Exactly one line per call; a failure is logged with `failureStatus(err)` and rethrown.
 */
export async function audited<T>(
  log: Logger,
  subject: AuditSubject,
  change: () => Promise<T>,
  outcome: { done: (result: T) => AuditOutcome; failureStatus: (err: unknown) => number },
): Promise<T> {
  let result: T;
  try {
    result = await change();
  } catch (err) {
    log.info(AUDIT_MESSAGE, { ...subject, status: outcome.failureStatus(err) });
    throw err;
  }
  log.info(AUDIT_MESSAGE, { ...subject, ...outcome.done(result) });
  return result;
}
