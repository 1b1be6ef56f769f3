import { DeliveryError, FailureCode, OutcomeUnknownError, PermanentError, TransientCode, TransientError } from '../../delivery/failures';
import { SmtpNoReplyError } from './smtp-pool';

/**
 * SMTP outcomes, from explicit lists (RFC 5321 reply codes; nodemailer error codes for
 * failures without a reply). 5xx is permanent, 4xx and connection trouble transient; no
 * reply after the message was handed over is an unknown outcome.
 */
export const PERMANENT_REPLY_CODES: Readonly<Record<number, FailureCode>> = {
  500: 'PROVIDER_REJECTED', // syntax error, command unrecognised
  501: 'PROVIDER_REJECTED', // syntax error in parameters
  502: 'PROVIDER_REJECTED', // command not implemented
  503: 'PROVIDER_REJECTED', // bad sequence of commands
  504: 'PROVIDER_REJECTED', // parameter not implemented
  521: 'PROVIDER_REJECTED', // host does not accept mail
  530: 'BAD_CREDENTIALS', // authentication required
  534: 'BAD_CREDENTIALS', // authentication mechanism too weak
  535: 'BAD_CREDENTIALS', // authentication credentials invalid
  538: 'BAD_CREDENTIALS', // encryption required for authentication
  550: 'INVALID_RECIPIENT', // mailbox unavailable / not found
  551: 'INVALID_RECIPIENT', // user not local
  552: 'PROVIDER_REJECTED', // message exceeds storage allocation
  553: 'INVALID_RECIPIENT', // mailbox name not allowed
  554: 'PROVIDER_REJECTED', // transaction failed (often policy / spam)
  555: 'PROVIDER_REJECTED', // MAIL FROM / RCPT TO parameters not recognised
  556: 'INVALID_RECIPIENT', // domain does not accept mail (RFC 7504)
};

export const TRANSIENT_REPLY_CODES: Readonly<Record<number, TransientCode>> = {
  421: 'PROVIDER_UNAVAILABLE', // service not available, closing channel
  450: 'PROVIDER_UNAVAILABLE', // mailbox unavailable (busy, greylisted)
  451: 'PROVIDER_UNAVAILABLE', // local error in processing
  452: 'PROVIDER_UNAVAILABLE', // insufficient system storage
  454: 'PROVIDER_UNAVAILABLE', // temporary authentication failure
  455: 'PROVIDER_UNAVAILABLE', // server unable to accommodate parameters
};

/**
 * Commands whose reply is about the one recipient or its message, not the server: a 4xx
 * there (greylisting, a full mailbox) defers this mail only. 421 is the server closing
 * the channel wherever it comes.
 */
export const RECIPIENT_COMMANDS: ReadonlySet<string> = new Set(['RCPT TO', 'DATA']);

/** nodemailer `err.code` for failures that carry no SMTP reply. */
export const TRANSIENT_ERROR_CODES: Readonly<Record<string, TransientCode>> = {
  ECONNECTION: 'PROVIDER_UNAVAILABLE',
  ECONNREFUSED: 'PROVIDER_UNAVAILABLE',
  ECONNRESET: 'PROVIDER_UNAVAILABLE',
  EPIPE: 'PROVIDER_UNAVAILABLE',
  ESOCKET: 'PROVIDER_UNAVAILABLE',
  EDNS: 'PROVIDER_UNAVAILABLE',
  ETLS: 'PROVIDER_UNAVAILABLE',
  EPROTOCOL: 'PROVIDER_UNAVAILABLE',
  ETIMEDOUT: 'PROVIDER_TIMEOUT',
};

export const PERMANENT_ERROR_CODES: Readonly<Record<string, FailureCode>> = {
  EAUTH: 'BAD_CREDENTIALS',
  EENVELOPE: 'INVALID_RECIPIENT',
  EMESSAGE: 'PROVIDER_REJECTED',
};

interface SmtpFailure {
  code?: string;
  responseCode?: number;
  command?: string;
  message?: string;
}

/** A 4xx reply: about this recipient (RECIPIENT_COMMANDS, not 421) or about the server. */
function transientReply(reply: number, command: string | undefined): TransientCode {
  if (reply !== 421 && command !== undefined && RECIPIENT_COMMANDS.has(command)) return 'RECIPIENT_DEFERRED';
  return TRANSIENT_REPLY_CODES[reply] ?? 'PROVIDER_UNAVAILABLE';
}

/** No reply at all: before the message was handed over nothing can have been delivered. */
function classifyNoReply(err: SmtpNoReplyError): DeliveryError {
  const { handedOver, timedOut, code } = err.details;
  const what = timedOut ? 'no SMTP reply in time' : `SMTP connection failed (${code ?? 'closed'})`;
  if (handedOver) return new OutcomeUnknownError(`${what} after the message was handed over`, { cause: err });
  return new TransientError(timedOut ? 'PROVIDER_TIMEOUT' : 'PROVIDER_UNAVAILABLE', `${what} before the message was handed over`, { cause: err });
}

/** Classifies a failed SMTP send. The message names codes only, never addresses. */
export function classifySmtpError(err: unknown): DeliveryError {
  if (err instanceof SmtpNoReplyError) return classifyNoReply(err);
  const e = (err ?? {}) as SmtpFailure;
  const reply = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const what = [reply && `SMTP ${reply}`, e.command, e.code].filter(Boolean).join(' ') || 'SMTP error';
  if (reply !== undefined) {
    if (PERMANENT_REPLY_CODES[reply]) return new PermanentError(PERMANENT_REPLY_CODES[reply], what, { cause: err });
    if (reply >= 500 && reply < 600) return new PermanentError('PROVIDER_REJECTED', what, { cause: err });
    if (reply >= 400 && reply < 500) return new TransientError(transientReply(reply, e.command), what, { cause: err });
  }
  if (e.code && TRANSIENT_ERROR_CODES[e.code]) return new TransientError(TRANSIENT_ERROR_CODES[e.code], what, { cause: err });
  if (e.code && PERMANENT_ERROR_CODES[e.code]) return new PermanentError(PERMANENT_ERROR_CODES[e.code], what, { cause: err });
  return new TransientError('PROVIDER_UNAVAILABLE', what, { cause: err });
}
