import type { Notification } from '../../codec/notification';
import { PermanentError } from '../../delivery/failures';
import type { Channel } from '../../delivery/ports';
import { maskPhone } from '../../logging';
import { callProvider, HttpResponse, providerAgent } from '../http';
import { classifyResponse } from '../http-outcomes';
import { TWILIO_OUTCOMES, twilioErrorCode } from './outcomes';

const PROVIDER = 'twilio';

export interface SmsChannelOptions {
  /** `https://api.twilio.com` (a local stand-in in tests), without a trailing slash. */
  baseUrl: string;
  accountSid: string;
  authToken: string;
  /** An E.164 sender number, or a Messaging Service SID (`MG…`) that picks the sender. */
  from: string;
  /** Bounds the whole call: connect, send, and the complete answer. */
  timeoutMs: number;
  /**
   * Sent as each message's StatusCallback: Twilio POSTs the message's later statuses there
   * (delivered, undelivered, failed; src/http/callbacks.ts), as "Track the Message Status of
   * Outbound Messages" describes (twilio.com/docs/messaging/guides/track-outbound-message-status).
   * Absent: no status callbacks.
   */
  statusCallbackUrl?: string;
}

/** Twilio's form fields naming the sender: a Messaging Service SID is sent as MessagingServiceSid. */
export function senderFields(from: string): Record<string, string> {
  return from.startsWith('MG') ? { MessagingServiceSid: from } : { From: from };
}

/** The `sid` (SM…) of a created Message resource; undefined when the body does not carry one. */
function messageSid(res: HttpResponse): string | undefined {
  try {
    const sid = (JSON.parse(res.body) as { sid?: unknown }).sid;
    return typeof sid === 'string' && sid ? sid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * SMS through Twilio Programmable Messaging: one POST creating a Message resource
 * (`/2010-04-01/Accounts/{AccountSid}/Messages.json`, HTTP Basic auth, form-encoded).
 * Twilio does not deduplicate retries, so a request that got no answer after it was sent
 * has an unknown outcome.
 */
export function makeSmsChannel(opts: SmsChannelOptions): Channel {
  const url = new URL(`${opts.baseUrl}/2010-04-01/Accounts/${encodeURIComponent(opts.accountSid)}/Messages.json`);
  const agent = providerAgent(url);
  const headers = {
    authorization: `Basic ${Buffer.from(`${opts.accountSid}:${opts.authToken}`).toString('base64')}`,
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
  };
  const sender = senderFields(opts.from);
  const callback: Record<string, string> = opts.statusCallbackUrl ? { StatusCallback: opts.statusCallbackUrl } : {};

  const post = (body: string) => callProvider(PROVIDER, { url, headers, body, timeoutMs: opts.timeoutMs, agent }, { retriesDeduplicated: false });

  return {
    name: 'SMS',
    provider: () => PROVIDER,
    describeRecipient: (n) => maskPhone(n.sms?.to ?? ''),
    async send(n: Notification) {
      const sms = n.sms;
      if (!sms) throw new PermanentError('INVALID_PAYLOAD', 'sms payload missing');
      const res = await post(new URLSearchParams({ To: sms.to, ...sender, Body: sms.body, ...callback }).toString());
      // The message is accepted with any 2xx (201 Created as documented); a missing sid only
      // costs the ledger its provider ID, never a resend.
      if (res.status >= 200 && res.status < 300) return { providerMessageId: messageSid(res) };
      throw classifyResponse(PROVIDER, res, TWILIO_OUTCOMES, twilioErrorCode(res.body));
    },
    async close() {
      agent.destroy();
    },
  };
}
