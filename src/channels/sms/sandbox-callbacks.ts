/**
 * The sandbox's Twilio calling back: status callbacks after it accepted a message with a
 * StatusCallback, and incoming messages (a recipient replying STOP) simulated on request.
 * Each is a form-encoded POST signed with X-Twilio-Signature as Twilio signs it
 * (twilio-webhooks.ts), so the notifier's verification is exercised locally.
 */
import { randomBytes } from 'node:crypto';
import { mediaType, refuse, SandboxAnswer, SandboxRequest, SandboxRoute } from '../sandbox-http';
import { twilioSignature, TWILIO_SIGNATURE_HEADER } from './twilio-webhooks';

/**
 * Work a route asks for after its answer was sent: run `afterMs` later, its line printed.
 * The provider sandbox (src/local/provider-sandbox.ts) runs them and cancels pending ones on close.
 */
export interface SandboxFollowUp {
  afterMs: number;
  run(): Promise<string>;
}
export type AnswerWithFollowUps = SandboxAnswer & { followUps?: SandboxFollowUp[] };

/**
 * Twilio's documented test "To" numbers ("Test Credentials", https://www.twilio.com/docs/iam/test-credentials):
 * +15005550002 "Twilio cannot route to this number", +15005550004 "This number is blocked for
 * your account" (21610). Twilio's test credentials refuse them at create; the sandbox accepts
 * them and reports the failure in the status callback instead, so that path can be tried.
 */
export const TEST_NUMBERS = { unreachable: '+15005550002', unsubscribed: '+15005550004' } as const;

/** Between a message's accepted answer and each of its status callbacks. */
export const STATUS_CALLBACK_STEP_MS = 300;
const CALLBACK_TIMEOUT_MS = 5000;
const API_VERSION = '2010-04-01';

type Status = { status: string; errorCode?: string };

/** The statuses Twilio would report for a message to `to` (none for the initial `queued`). */
export function statusesFor(to: string): Status[] {
  // 30003 Unreachable destination handset; 21610 Attempt to send to unsubscribed recipient.
  if (to === TEST_NUMBERS.unreachable) return [{ status: 'sent' }, { status: 'undelivered', errorCode: '30003' }];
  if (to === TEST_NUMBERS.unsubscribed) return [{ status: 'failed', errorCode: '21610' }];
  return [{ status: 'sent' }, { status: 'delivered' }];
}

/** POSTs `params` to `url`, signed with the auth token; the answer's status. */
async function postSigned(authToken: string, url: string, params: URLSearchParams): Promise<number> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', [TWILIO_SIGNATURE_HEADER]: twilioSignature(authToken, url, params) },
    body: params.toString(),
    signal: AbortSignal.timeout(CALLBACK_TIMEOUT_MS),
  });
  await res.arrayBuffer();
  return res.status;
}

/** One line for a callback's answer: what was sent, where, and whether it was taken. */
async function attempt(what: string, post: () => Promise<number>): Promise<string> {
  try {
    const status = await post();
    return `${what}: ${status}${status >= 200 && status < 300 ? '' : ' (refused)'}`;
  } catch (err) {
    return `${what}: not delivered (${(err as Error).message})`;
  }
}

export interface CreatedMessage {
  accountSid: string;
  authToken: string;
  sid: string;
  to: string;
  from?: string;
  messagingServiceSid?: string;
  statusCallback: string;
}

/** The status callbacks of a created message, one step apart, as Twilio sends them. */
export function statusCallbacks(m: CreatedMessage): SandboxFollowUp[] {
  return statusesFor(m.to).map(({ status, errorCode }, i) => ({
    afterMs: (i + 1) * STATUS_CALLBACK_STEP_MS,
    run: () => {
      const params = new URLSearchParams({
        MessageSid: m.sid,
        SmsSid: m.sid,
        AccountSid: m.accountSid,
        ...(m.from && { From: m.from }),
        ...(m.messagingServiceSid && { MessagingServiceSid: m.messagingServiceSid }),
        To: m.to,
        MessageStatus: status,
        SmsStatus: status,
        ApiVersion: API_VERSION,
        ...(errorCode && { ErrorCode: errorCode }),
      });
      const what = `SMS status callback ${status}${errorCode ? ` (${errorCode})` : ''} for ${m.sid} → ${m.statusCallback}`;
      return attempt(what, () => postSigned(m.authToken, m.statusCallback, params));
    },
  }));
}

/** Where `npm start`'s sandbox simulates an incoming message: `POST` with From, and Body (default STOP). */
export const SIMULATE_INBOUND_PATH = '/simulate/twilio/inbound';

export interface InboundAccount {
  accountSid: string;
  authToken: string;
  /** The number the recipient replies to. */
  from: string;
  /** The number's "A message comes in" webhook; empty: not configured. */
  inboundUrl: string;
}

/** Fields from the form body (or, for a quick curl, the query string). */
function fieldsOf(req: SandboxRequest): URLSearchParams {
  const form = mediaType(req) === 'application/x-www-form-urlencoded' ? new URLSearchParams(req.body.toString('utf8')) : new URLSearchParams();
  for (const [k, v] of req.query) if (!form.has(k)) form.set(k, v);
  return form;
}

/** Simulates a recipient's reply to the local number: Twilio's incoming-message webhook request, signed, to the notifier. */
export function inboundSimulationRoute(account: InboundAccount): SandboxRoute {
  return {
    method: 'POST',
    path: SIMULATE_INBOUND_PATH,
    handle(req): AnswerWithFollowUps {
      if (!account.inboundUrl) return refuse('no incoming-message webhook configured (npm start sets it from PUBLIC_URL)', 409, { error: 'no incoming-message webhook is configured' });
      const fields = fieldsOf(req);
      const from = fields.get('From') ?? '';
      if (!/^\+[1-9]\d{6,14}$/.test(from)) {
        // curl -d From=+81… sends the + unencoded, and a form reads it as a space.
        const hint = from.startsWith(' ') ? ' (a + sent unencoded reads as a space: use curl --data-urlencode)' : '';
        return refuse(`From is not an E.164 number${hint}`, 400, { error: `From must be an E.164 number${hint}` });
      }
      const body = fields.get('Body') ?? 'STOP';
      const sid = `SM${randomBytes(16).toString('hex')}`;
      const params = new URLSearchParams({
        MessageSid: sid,
        SmsSid: sid,
        SmsMessageSid: sid,
        AccountSid: account.accountSid,
        From: from,
        To: account.from,
        Body: body,
        NumMedia: '0',
        NumSegments: '1',
        ApiVersion: API_VERSION,
        ...(fields.get('OptOutType') && { OptOutType: fields.get('OptOutType')! }),
      });
      const what = `incoming SMS "${body}" from ${from} → ${account.inboundUrl}`;
      return {
        status: 202,
        body: { messageSid: sid, webhook: account.inboundUrl },
        followUps: [{ afterMs: 0, run: () => attempt(what, () => postSigned(account.authToken, account.inboundUrl, params)) }],
      };
    },
  };
}
