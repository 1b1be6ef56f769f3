import { OutcomeTable, permanent, transient, Verdict } from '../http-outcomes';

/**
 * Twilio REST API error codes a Messages create can answer with (the `code` of the JSON
 * error body), each checked against Twilio's error dictionary
 * (https://www.twilio.com/docs/api/errors/<code>). The code wins over the HTTP status.
 * 30xxx codes are delivery-status codes reported after acceptance (status callbacks), never
 * an answer to this request, so none are listed.
 */
export const TWILIO_CODES: Readonly<Record<string, Verdict>> = {
  // 20003 Permission Denied: wrong Account SID / Auth Token pair, deleted token or key.
  '20003': permanent('BAD_CREDENTIALS'),
  // 20403 Forbidden: the account lacks API access, typically suspended or closed.
  '20403': permanent('BAD_CREDENTIALS'),
  // 20404 Not Found: the resource path under our Account SID does not exist, so the
  // channel's settings (TWILIO_ACCOUNT_SID, TWILIO_BASE_URL) are what to fix.
  '20404': permanent('CHANNEL_MISCONFIGURED'),
  // 20429 Too Many Requests: "never processed and always safe to retry".
  '20429': transient('RATE_LIMITED'),
  // 21211 Invalid 'To' Phone Number.
  '21211': permanent('INVALID_RECIPIENT'),
  // 21610 Attempt to send to unsubscribed recipient: the person replied STOP.
  '21610': permanent('INVALID_RECIPIENT'),
  // 21614 'To' number is not a valid mobile number (a landline or an invalid number).
  '21614': permanent('INVALID_RECIPIENT'),
  // 21635 'To' number cannot be a landline.
  '21635': permanent('INVALID_RECIPIENT'),
  // 21408 Permission to send to the region is not enabled (Messaging Geo Permissions).
  '21408': permanent('DESTINATION_NOT_ALLOWED'),
  // 21608 Trial account (or no approved compliance profile): 'To' is not a verified number.
  '21608': permanent('DESTINATION_NOT_ALLOWED'),
  // 21612 The To/From combination cannot be routed (sender-ID rules, no connectivity).
  '21612': permanent('DESTINATION_NOT_ALLOWED'),
  // 21212 Invalid 'From' number; 21606 'From' is not a message-capable Twilio number of
  // this account; 21659 'From' is not a Twilio number (or short-code country mismatch).
  // The configured sender (TWILIO_FROM) is wrong, not the notification.
  '21212': permanent('CHANNEL_MISCONFIGURED'),
  '21606': permanent('CHANNEL_MISCONFIGURED'),
  '21659': permanent('CHANNEL_MISCONFIGURED'),
  // 21602 Message body is required; 21617 the body exceeds the 1600 character limit.
  '21602': permanent('INVALID_PAYLOAD'),
  '21617': permanent('INVALID_PAYLOAD'),
};

/** HTTP statuses for answers without a listed code; other statuses fall back to COMMON_STATUSES. */
export const TWILIO_STATUSES: Readonly<Record<number, Verdict>> = {
  400: permanent('PROVIDER_REJECTED'),
  401: permanent('BAD_CREDENTIALS'),
  403: permanent('BAD_CREDENTIALS'),
  404: permanent('CHANNEL_MISCONFIGURED'),
};

/** Twilio's outcome table for classifyResponse: its error code first, else the status. */
export const TWILIO_OUTCOMES: OutcomeTable = { statuses: TWILIO_STATUSES, codes: TWILIO_CODES };

/**
 * The `code` of a Twilio error body (`{ code, message, more_info, status }`) as a string;
 * undefined when the body is not that JSON. The `message` is never read: it echoes numbers.
 */
export function twilioErrorCode(body: string): string | undefined {
  try {
    const code = (JSON.parse(body) as { code?: unknown }).code;
    return typeof code === 'number' || (typeof code === 'string' && /^\d+$/.test(code)) ? String(code) : undefined;
  } catch {
    return undefined;
  }
}
