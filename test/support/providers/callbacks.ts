/**
 * Provider callbacks signed the way each provider documents signing them, written here from
 * the docs rather than taken from src/, so that the notifier's verification is checked
 * against an independent reading:
 * - Twilio, "Secure webhooks": HMAC-SHA1 with the auth token over the full URL followed by
 *   each POST parameter, sorted by name, as name then value; base64.
 * - SendGrid, "Getting Started with the Event Webhook Security Features": ECDSA (P-256,
 *   SHA-256) over the timestamp header's value followed by the raw body; base64; the
 *   verification key is base64 of the DER public key.
 */
import { createHmac, generateKeyPairSync, KeyObject, sign } from 'node:crypto';

export function twilioSignatureOf(authToken: string, url: string, params: Record<string, string>): string {
  const names = Object.keys(params).sort();
  let data = url;
  for (const name of names) data += name + params[name];
  return createHmac('sha1', Buffer.from(authToken, 'utf8')).update(Buffer.from(data, 'utf8')).digest('base64');
}

/** POSTs form parameters as Twilio does; `signedUrl` is the URL the signature names (the one called, unless a test forges it). */
export async function postTwilio(url: string, params: Record<string, string>, opts: { authToken: string; signedUrl?: string; signature?: string | null }): Promise<Response> {
  const signature = opts.signature === undefined ? twilioSignatureOf(opts.authToken, opts.signedUrl ?? url, params) : opts.signature;
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signature !== null && { 'x-twilio-signature': signature }) },
    body: new URLSearchParams(params).toString(),
  });
}

export interface SendGridKeys {
  privateKey: KeyObject;
  /** What SENDGRID_WEBHOOK_PUBLIC_KEY is set to. */
  publicKeyBase64: string;
}

export function sendGridKeys(): SendGridKeys {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateKey, publicKeyBase64: publicKey.export({ type: 'spki', format: 'der' }).toString('base64') };
}

export function sendGridSignatureOf(privateKey: KeyObject, timestamp: string, body: string | Buffer): string {
  return sign('sha256', Buffer.concat([Buffer.from(timestamp), Buffer.from(body)]), privateKey).toString('base64');
}

/** POSTs a batch of events as SendGrid does; `signedBody` lets a test sign one body and send another. */
export async function postSendGrid(
  url: string,
  body: string,
  opts: { privateKey: KeyObject; timestamp?: string; signedBody?: string; signature?: string | null },
): Promise<Response> {
  const timestamp = opts.timestamp ?? String(Math.floor(Date.now() / 1000));
  const signature = opts.signature === undefined ? sendGridSignatureOf(opts.privateKey, timestamp, opts.signedBody ?? body) : opts.signature;
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-twilio-email-event-webhook-timestamp': timestamp,
      ...(signature !== null && { 'x-twilio-email-event-webhook-signature': signature }),
    },
    body,
  });
}
