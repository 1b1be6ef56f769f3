import { OutcomeTable, permanent, transient } from '../http-outcomes';

/**
 * FCM HTTP v1 outcomes (https://firebase.google.com/docs/reference/fcm/rest/v1/ErrorCode).
 * FCM names its own `ErrorCode` in the google.rpc.Status `details` (an FcmError); when
 * present it wins over the HTTP status.
 */
export const FCM_OUTCOMES: OutcomeTable = {
  codes: {
    // Invalid token, package name, TTL, data key or size: the answer cannot tell which,
    // and the payload checks already rule out most of them.
    INVALID_ARGUMENT: permanent('PROVIDER_REJECTED'),
    // The app was uninstalled or the token expired: recorded so the token can be cleaned up.
    UNREGISTERED: permanent('UNREGISTERED_DEVICE'),
    // The token belongs to another Firebase project's sender: it can never be used from ours.
    SENDER_ID_MISMATCH: permanent('UNREGISTERED_DEVICE'),
    QUOTA_EXCEEDED: transient('RATE_LIMITED'),
    UNAVAILABLE: transient('PROVIDER_UNAVAILABLE'),
    INTERNAL: transient('PROVIDER_UNAVAILABLE'),
    // The APNs certificate or web push key configured in Firebase is invalid or missing.
    THIRD_PARTY_AUTH_ERROR: permanent('BAD_CREDENTIALS'),
  },
  statuses: {
    400: permanent('PROVIDER_REJECTED'),
    // Our OAuth access token was refused (UNAUTHENTICATED) or lacks the permission
    // cloudmessaging.messages.create (PERMISSION_DENIED).
    401: permanent('BAD_CREDENTIALS'),
    403: permanent('BAD_CREDENTIALS'),
    // Without an UNREGISTERED detail a 404 is a wrong project or path, not the device.
    404: permanent('PROVIDER_REJECTED'),
    429: transient('RATE_LIMITED'),
    500: transient('PROVIDER_UNAVAILABLE'),
    503: transient('PROVIDER_UNAVAILABLE'),
  },
};

/**
 * FCM error codes left out of the table on purpose: they say nothing beyond the HTTP
 * status, so the status decides (as it does for codes FCM may add later).
 */
export const FCM_STATUS_DECIDED_CODES: readonly string[] = ['UNSPECIFIED_ERROR'];

const FCM_ERROR_TYPE = 'type.googleapis.com/google.firebase.fcm.v1.FcmError';

interface RpcStatus {
  error?: { details?: { '@type'?: unknown; errorCode?: unknown }[] };
}

/** The FcmError `errorCode` of an error answer's body, or undefined when it has none. */
export function fcmErrorCode(body: string): string | undefined {
  let parsed: RpcStatus;
  try {
    parsed = JSON.parse(body) as RpcStatus;
  } catch {
    return undefined; // an HTML error page from a proxy or load balancer
  }
  const details = Array.isArray(parsed?.error?.details) ? parsed.error.details : [];
  const fcmError = details.find((d) => d?.['@type'] === FCM_ERROR_TYPE && typeof d.errorCode === 'string');
  return fcmError?.errorCode as string | undefined;
}
