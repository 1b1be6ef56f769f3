import { OutcomeTable, permanent, transient, Verdict } from '../http-outcomes';

/**
 * LINE Messaging API statuses for a push message, from "Status codes" of the Messaging API
 * reference (https://developers.line.biz/en/reference/messaging-api/#status-codes). Error
 * bodies (`{ message, details? }`) carry no machine code, so the status decides. 409 is not
 * here: for a push with a retry key it means the message was already accepted (success).
 */
export const LINE_STATUSES: Readonly<Record<number, Verdict>> = {
  // Problem with the request (invalid property, unknown `to`, …): the text says which, but
  // it may echo the recipient, so it is not read.
  400: permanent('PROVIDER_REJECTED'),
  // No valid channel access token.
  401: permanent('BAD_CREDENTIALS'),
  // Not authorized for the resource: the channel's account or plan lacks the permission.
  403: permanent('BAD_CREDENTIALS'),
  // The user ID does not exist, is not a friend of the account, or has blocked it.
  404: permanent('INVALID_RECIPIENT'),
  // The resource is no longer available.
  410: permanent('PROVIDER_REJECTED'),
  // The request exceeds the 2 MB size limit.
  413: permanent('INVALID_PAYLOAD'),
  // Rate limit, concurrency limit, or the month's message quota: honour Retry-After if sent.
  429: transient('RATE_LIMITED'),
  // Internal server error: the retry key makes a retry safe.
  500: transient('PROVIDER_UNAVAILABLE'),
};

/** LINE's outcome table for classifyResponse: statuses only, LINE has no error codes. */
export const LINE_OUTCOMES: OutcomeTable = { statuses: LINE_STATUSES };
