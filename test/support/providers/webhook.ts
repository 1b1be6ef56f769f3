/**
 * A producer's webhook endpoint, standing in: a real HTTP server that checks
 * X-Notifier-Signature as docs/channels.md ("Webhooks") tells receivers to — with node:crypto alone, never the
 * notifier's code — against its own URL (its origin and the request target as received),
 * and answers 401 when the v2 signature does not verify or the timestamp is stale.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { HttpStub, RecordedRequest, Responder, startHttpStub } from '../http-stub';

const TOLERANCE_SECONDS = 300;

/** `v1=` (deprecated): HMAC-SHA256 hex over "{timestamp}.{body}". */
export const v1Signature = (secret: string, timestamp: string, body: string) => createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');

/** `v2=`: HMAC-SHA256 hex over "{timestamp}\n{url}\n{body}". */
export const v2Signature = (secret: string, timestamp: string, url: string, body: string) =>
  createHmac('sha256', secret).update(`${timestamp}\n${url}\n${body}`).digest('hex');

/** The `scheme=value` entries of an X-Notifier-Signature header, by scheme. */
export function signatureEntries(header: string | string[] | undefined): Record<string, string[]> {
  const entries: Record<string, string[]> = {};
  for (const entry of String(header ?? '').split(',')) {
    const [scheme, value] = entry.trim().split('=', 2) as [string, string | undefined];
    if (value !== undefined) (entries[scheme] ??= []).push(value);
  }
  return entries;
}

/** Whether the request's v2 signature verifies for `url` (and its timestamp is fresh). */
export function verifiesAt(secret: string, url: string, req: Pick<RecordedRequest, 'headers' | 'body'>): boolean {
  const timestamp = String(req.headers['x-notifier-timestamp'] ?? '');
  if (!/^\d+$/.test(timestamp) || Math.abs(Date.now() / 1000 - Number(timestamp)) > TOLERANCE_SECONDS) return false;
  const expected = Buffer.from(v2Signature(secret, timestamp, url, req.body), 'hex');
  return (signatureEntries(req.headers['x-notifier-signature']).v2 ?? []).some((hex) => {
    const given = Buffer.from(hex, 'hex');
    return /^[0-9a-f]{64}$/.test(hex) && given.length === expected.length && timingSafeEqual(given, expected);
  });
}

export interface WebhookReceiver extends HttpStub {
  /** What the receiver does with a request whose signature verifies (204 unless replaced). */
  accept: Responder;
}

/** A verifying receiver on 127.0.0.1: its public URL is its own `url`. */
export async function startWebhookReceiver(secret: string): Promise<WebhookReceiver> {
  const receiver = (await startHttpStub()) as WebhookReceiver;
  receiver.accept = () => ({ status: 204 });
  receiver.respond = (req) => (verifiesAt(secret, `${receiver.url}${req.path}`, req) ? receiver.accept(req) : { status: 401, body: 'invalid signature' });
  return receiver;
}
