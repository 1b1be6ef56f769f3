/**
 * The sandbox's webhook receiver at `/webhook` (and any path below it): a receiver as the
 * docs/channels.md "Webhooks" asks producers' endpoints to be — it verifies X-Notifier-Signature (v2: the raw body
 * and its own URL) and deduplicates by X-Notifier-Notification-Id.
 */
import { SIGNATURE_HEADERS, verifyWebhookSignature } from './signature';
import { header, jsonObject, mediaType, refuse, SandboxAnswer, SandboxRequest, SandboxRoute } from '../sandbox-http';

export const WEBHOOK_RECEIVER_PATH = '/webhook';

/**
 * The URL the request was addressed to. The sandbox is reached directly (no proxy), so its
 * public origin is `http://` and the Host header. The query comes back from its parsed
 * parameters: the same text for ordinary queries (`?key=k-1&a=b`), not for every spelling
 * (`?a=b%20c` reads back as `?a=b+c`), where the signature will not verify.
 */
function addressedUrl(req: SandboxRequest): string {
  const query = req.query.toString();
  return `http://${header(req, 'host') ?? ''}${req.path}${query ? `?${query}` : ''}`;
}

export function webhookReceiverRoute(signingSecret: string): SandboxRoute {
  /** Notification ID → the request ID it was received under. */
  const received = new Map<string, string>();
  return {
    method: 'POST',
    path: new RegExp(`^${WEBHOOK_RECEIVER_PATH}(/.*)?$`),
    handle(req): SandboxAnswer {
      const signed = {
        timestamp: header(req, SIGNATURE_HEADERS.timestamp),
        signature: header(req, SIGNATURE_HEADERS.signature),
        body: req.body,
        url: addressedUrl(req),
      };
      if (!verifyWebhookSignature(signingSecret, signed)) {
        const problem = `X-Notifier-Signature does not verify for ${signed.url} with the signing secret (or the timestamp is stale)`;
        return refuse(problem, 401, 'invalid signature');
      }
      const notificationId = header(req, SIGNATURE_HEADERS.notificationId);
      if (!notificationId) return refuse('no X-Notifier-Notification-Id', 400, 'X-Notifier-Notification-Id is required');
      if (mediaType(req) !== 'application/json') return refuse('content-type is not application/json', 415, 'expected application/json');
      const body = jsonObject(req);
      if (!body) return refuse('the body is not a JSON object', 400, 'the body is not a JSON object');
      const earlier = received.get(notificationId);
      if (earlier) {
        return {
          status: 200,
          headers: { 'x-request-id': earlier },
          body: 'ok',
          note: `WEBHOOK for notification ${notificationId} again: acknowledged as a duplicate, not kept`,
        };
      }
      const requestId = `wh-${received.size + 1}`;
      received.set(notificationId, requestId);
      const recipient = `http://${header(req, 'host') ?? 'sandbox'}${req.path}`;
      return {
        status: 200,
        headers: { 'x-request-id': requestId },
        body: 'ok',
        message: { channel: 'WEBHOOK', recipient, body, providerMessageId: requestId },
      };
    },
  };
}
