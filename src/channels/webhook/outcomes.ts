import type { IncomingHttpHeaders } from 'node:http';
import { DeliveryError, PermanentError } from '../../delivery/failures';
import { classifyResponse, OutcomeTable, permanent, transient } from '../http-outcomes';

/**
 * What a webhook receiver's answer means. Any 2xx is success and never reaches this table.
 * Statuses not listed fall back by class (http-outcomes): other 4xx PROVIDER_REJECTED,
 * other 5xx PROVIDER_UNAVAILABLE.
 */
export const WEBHOOK_OUTCOMES: OutcomeTable = {
  statuses: {
    // Redirects are never followed: a receiver could point us anywhere, even inside our network.
    300: permanent('PROVIDER_REJECTED'),
    301: permanent('PROVIDER_REJECTED'),
    302: permanent('PROVIDER_REJECTED'),
    303: permanent('PROVIDER_REJECTED'),
    304: permanent('PROVIDER_REJECTED'),
    305: permanent('PROVIDER_REJECTED'),
    307: permanent('PROVIDER_REJECTED'),
    308: permanent('PROVIDER_REJECTED'),
    400: permanent('PROVIDER_REJECTED'),
    401: permanent('PROVIDER_REJECTED'),
    403: permanent('PROVIDER_REJECTED'),
    404: permanent('INVALID_RECIPIENT'), // the endpoint is gone
    405: permanent('PROVIDER_REJECTED'),
    408: transient('PROVIDER_TIMEOUT'), // the receiver gave up reading the request: not processed
    409: permanent('PROVIDER_REJECTED'),
    410: permanent('INVALID_RECIPIENT'), // the endpoint is gone for good
    413: permanent('PROVIDER_REJECTED'),
    415: permanent('PROVIDER_REJECTED'),
    422: permanent('PROVIDER_REJECTED'),
    425: transient('PROVIDER_UNAVAILABLE'), // too early: the receiver asks for a replay later
    429: transient('RATE_LIMITED'), // honours Retry-After
    500: transient('PROVIDER_UNAVAILABLE'),
    501: transient('PROVIDER_UNAVAILABLE'),
    502: transient('PROVIDER_UNAVAILABLE'),
    503: transient('PROVIDER_UNAVAILABLE'),
    504: transient('PROVIDER_TIMEOUT'),
  },
};

/** Whether a status is a success: the receiver took the notification. */
export const isSuccess = (status: number) => status >= 200 && status < 300;

/**
 * The error for a non-2xx answer. The message names the destination host and the status
 * only: a receiver's own error text is never kept.
 */
export function classifyWebhookResponse(provider: string, res: { status: number; headers: IncomingHttpHeaders }): DeliveryError {
  const error = classifyResponse(provider, res, WEBHOOK_OUTCOMES);
  if (res.status >= 300 && res.status < 400 && error instanceof PermanentError) {
    return new PermanentError(error.code, `${error.message}: redirects are not followed`);
  }
  return error;
}
