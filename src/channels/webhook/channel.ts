import type { Notification } from '../../codec/notification';
import { PermanentError } from '../../delivery/failures';
import type { Channel } from '../../delivery/ports';
import { makeDestinationGuard, Resolve } from './destination-guard';
import { callProvider, providerAgent } from '../http';
import { classifyWebhookResponse, isSuccess } from './outcomes';
import { notificationIdHeader, SIGNATURE_HEADERS, signWebhook } from './signature';

export interface WebhookChannelOptions {
  signingSecret: string;
  /**
   * Host names, `*.suffix` for subdomains, each optionally with `:port` (webhook-allowlist.ts);
   * empty = any host with a public address, on the scheme's default port.
   */
  allowedHosts: readonly string[];
  /** Allow loopback, private and link-local addresses, and any port without an allowlist (local development only). */
  allowPrivateNetworks: boolean;
  /** Refuse http:// URLs. */
  httpsOnly: boolean;
  /** Bounds the whole call: resolve, connect, send and the complete answer. */
  timeoutMs: number;
  /** Resolves a host name to every address; defaults to the system resolver. */
  resolve?: Resolve;
}

export const USER_AGENT = 'notifier-webhook/1';

/** A receiver's request ID worth keeping as the provider message ID: short, no spaces. */
const REQUEST_ID = /^[\w.:@-]{1,128}$/;

/** The signed body: compact JSON, fields in this order. */
export function webhookBody(n: Notification, data: unknown): string {
  return JSON.stringify({
    notification_id: n.notificationId,
    type: n.type,
    account_id: n.accountId,
    source: n.source,
    created_at: n.createdAtMicros > 0n ? new Date(Number(n.createdAtMicros / 1000n)).toISOString() : null,
    data,
  });
}

/** The URL, or undefined when the payload is absent or the URL unreadable (validation catches both first). */
function urlOf(n: Notification): URL | undefined {
  if (!n.webhook?.url) return undefined;
  try {
    return new URL(n.webhook.url);
  } catch {
    return undefined;
  }
}

function parsedPayload(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    throw new PermanentError('INVALID_PAYLOAD', 'webhook payload_json is not valid JSON');
  }
}

/** The signed request for one notification; every attempt is signed afresh. */
function signedRequest(url: URL, n: Notification, data: unknown, signingSecret: string) {
  const body = webhookBody(n, data);
  const timestamp = Math.floor(Date.now() / 1000);
  const headers = {
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    [SIGNATURE_HEADERS.notificationId]: notificationIdHeader(n.notificationId),
    [SIGNATURE_HEADERS.timestamp]: String(timestamp),
    [SIGNATURE_HEADERS.signature]: signWebhook(signingSecret, timestamp, body, url),
  };
  return { url, method: 'POST' as const, headers, body };
}

/**
 * WEBHOOK: a signed POST to the producer's URL, after the destination guard. Receivers
 * deduplicate by X-Notifier-Notification-Id, so a request left unanswered is retried.
 */
export function makeWebhookChannel(opts: WebhookChannelOptions): Channel {
  const guard = makeDestinationGuard(opts);
  // One pool per scheme: agents keep sockets per host:port, each opened through the guard.
  const agents = { 'http:': providerAgent(new URL('http://webhook')), 'https:': providerAgent(new URL('https://webhook')) };

  return {
    name: 'WEBHOOK',
    // Never the path or query: they often carry tokens.
    describeRecipient: (n) => {
      const url = urlOf(n);
      return url ? `${url.protocol}//${url.host}/…` : '***';
    },
    // One gate per allowlist entry or site, never per host name: subdomains cannot multiply it.
    provider: (n) => {
      const url = urlOf(n);
      return url ? guard.gateKey(url) : 'invalid-url';
    },
    async send(n: Notification) {
      const url = urlOf(n);
      if (!url || !n.webhook) throw new PermanentError('INVALID_PAYLOAD', 'webhook payload missing or its URL unreadable');
      guard.check(url);
      const request = signedRequest(url, n, parsedPayload(n.webhook.payloadJson), opts.signingSecret);
      const agent = url.protocol === 'https:' ? agents['https:'] : agents['http:'];
      const provider = `webhook ${url.host}`;
      const res = await callProvider(provider, { ...request, timeoutMs: opts.timeoutMs, agent, lookup: guard.lookup }, { retriesDeduplicated: true });
      if (!isSuccess(res.status)) throw classifyWebhookResponse(provider, res);
      const requestId = res.headers['x-request-id'];
      return { providerMessageId: typeof requestId === 'string' && REQUEST_ID.test(requestId) ? requestId : undefined };
    },
    async close() {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}
