import { CHANNELS, channelName, Notification } from './notification';

/**
 * Checks the service makes before anything is sent; the producer client runs the
 * same checks before publishing. Each problem carries the failure code it is
 * dead-lettered under.
 */
export type ValidationCode = 'INVALID_PAYLOAD' | 'UNKNOWN_CHANNEL' | 'INVALID_RECIPIENT';

export interface FieldProblem {
  field: string;
  problem: string;
  code: ValidationCode;
}

export const MAX_ID_LENGTH = 128;
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
// Deliberately simple: one @, no spaces or angle brackets, a dotted domain.
const EMAIL_ADDRESS = /^[^\s@<>(),;:"\\]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;

type Check = (n: Notification, problems: FieldProblem[]) => void;

function identifier(field: string, value: string, required: boolean, problems: FieldProblem[]) {
  if (!value) {
    if (required) problems.push({ field, problem: 'is required', code: 'INVALID_PAYLOAD' });
  } else if (value.length > MAX_ID_LENGTH) {
    problems.push({ field, problem: `is longer than ${MAX_ID_LENGTH} characters`, code: 'INVALID_PAYLOAD' });
  } else if (CONTROL_CHARS.test(value)) {
    problems.push({ field, problem: 'contains control characters', code: 'INVALID_PAYLOAD' });
  }
}

const checkEmail: Check = (n, problems) => {
  const email = n.email;
  if (!email) {
    problems.push({ field: 'email', problem: 'is required for channel EMAIL', code: 'INVALID_PAYLOAD' });
    return;
  }
  if (!email.to) problems.push({ field: 'email.to', problem: 'is required', code: 'INVALID_RECIPIENT' });
  else if (email.to.length > 254 || !EMAIL_ADDRESS.test(email.to)) {
    problems.push({ field: 'email.to', problem: 'is not a valid email address', code: 'INVALID_RECIPIENT' });
  }
  if (!email.subject) problems.push({ field: 'email.subject', problem: 'is required', code: 'INVALID_PAYLOAD' });
  else if (/[\r\n]/.test(email.subject)) {
    problems.push({ field: 'email.subject', problem: 'must be a single line', code: 'INVALID_PAYLOAD' });
  }
  if (!email.text && !email.html) {
    problems.push({ field: 'email.text', problem: 'text or html is required', code: 'INVALID_PAYLOAD' });
  }
};

/** Channel-specific payload checks; a channel without an entry has no payload yet. */
const PAYLOAD_CHECKS: Partial<Record<number, Check>> = {
  [CHANNELS.EMAIL]: checkEmail,
};

/** Every problem with a notification, in precedence order (the first names the failure code). */
export function validateNotification(n: Notification): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (n.channel === CHANNELS.CHANNEL_UNSPECIFIED) {
    problems.push({ field: 'channel', problem: 'is required', code: 'UNKNOWN_CHANNEL' });
  } else if (!channelName(n.channel)) {
    problems.push({ field: 'channel', problem: `${n.channel} is not a known channel`, code: 'UNKNOWN_CHANNEL' });
  }
  identifier('notification_id', n.notificationId, true, problems);
  identifier('type', n.type, true, problems);
  identifier('account_id', n.accountId, false, problems);
  identifier('source', n.source, false, problems);
  if (n.createdAtMicros < 0n) {
    problems.push({ field: 'created_at_micros', problem: 'must not be negative', code: 'INVALID_PAYLOAD' });
  }
  if (n.expiresAtMicros < 0n) {
    problems.push({ field: 'expires_at_micros', problem: 'must not be negative', code: 'INVALID_PAYLOAD' });
  }
  PAYLOAD_CHECKS[n.channel]?.(n, problems);
  return problems;
}

/** `field: problem; field: problem` — safe to log (values are never included). */
export function describeProblems(problems: readonly FieldProblem[]): string {
  return problems.map((p) => `${p.field} ${p.problem}`).join('; ');
}
