/**
 * A stand-in for Twilio's Messages resource on a real HTTP server. It checks each request
 * the way Twilio documents it (POST /2010-04-01/Accounts/{AccountSid}/Messages.json, HTTP
 * Basic AccountSid:AuthToken, form-encoded To, Body and From or MessagingServiceSid) and
 * records any deviation in `problems`; a request it accepts becomes a message, answered 201
 * with a Message resource whose `sid` is SM… (or slowly, like an accepted request whose
 * answer never arrives in time).
 */
import { randomBytes } from 'node:crypto';
import { HttpStub, RecordedRequest, startHttpStub, StubAnswer } from '../http-stub';

/** The stand-in's account: the credentials and sender a test configures the notifier with. */
export const TWILIO_ACCOUNT_SID = `AC${'0123456789abcdef'.repeat(2)}`;
export const TWILIO_AUTH_TOKEN = 'twilio-test-auth-token';
export const TWILIO_FROM = '+15005550006';

/** A message Twilio accepted. */
export interface TwilioMessage {
  sid: string;
  /** The form fields as received. */
  fields: Record<string, string>;
}

/** What the stand-in does with a well-formed request: create the message (maybe answering late), or answer as told. */
export type TwilioBehaviour = { kind: 'accept'; delayMs?: number } | { kind: 'answer'; answer: StubAnswer };

export interface TwilioStandIn {
  url: string;
  /** Every request as received, well-formed or not. */
  requests: RecordedRequest[];
  /** Messages Twilio would now send. */
  messages: TwilioMessage[];
  /** How requests differed from the documented shape; a test expects none. */
  problems: string[];
  /** Replaceable by the test; the default creates the message. */
  behave: (fields: Record<string, string>) => TwilioBehaviour;
  close(): Promise<void>;
}

/** Twilio's JSON error body: `{ code, message, more_info, status }`; the message echoes the number as Twilio's does. */
export function twilioError(status: number, code: number, headers?: Record<string, string>): StubAnswer {
  const body = { code, message: `The 'To' number +819012345678 is not valid (${code})`, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
  return { status, headers, body };
}

const SENDER_FIELDS = ['From', 'MessagingServiceSid'];

function checkRequest(req: RecordedRequest, accountSid: string, authToken: string): string[] {
  const problems: string[] = [];
  const expectedAuth = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
  if (req.method !== 'POST') problems.push(`method ${req.method}`);
  if (req.path !== `/2010-04-01/Accounts/${accountSid}/Messages.json`) problems.push(`path ${req.path}`);
  if (req.headers.authorization !== expectedAuth) problems.push('authorization is not Basic AccountSid:AuthToken');
  if (req.headers['content-type'] !== 'application/x-www-form-urlencoded') problems.push(`content-type ${req.headers['content-type']}`);
  const fields = new URLSearchParams(req.body);
  const names = [...fields.keys()].sort();
  const senders = names.filter((n) => SENDER_FIELDS.includes(n));
  if (senders.length !== 1) problems.push(`sender fields ${senders.join(',') || 'none'}`);
  // StatusCallback: where Twilio reports the message's status (sent when PUBLIC_URL is set; an https URL).
  const callback = fields.get('StatusCallback');
  if (callback !== null && !/^https?:\/\/[^/]+\/v1\/callbacks\/twilio\/status$/.test(callback)) problems.push(`StatusCallback ${callback}`);
  const expected = ['Body', 'To', ...senders, ...(callback !== null ? ['StatusCallback'] : [])];
  if (names.join(',') !== expected.sort().join(',')) problems.push(`fields ${names.join(',')}`);
  if (!/^\+[1-9]\d{6,14}$/.test(fields.get('To') ?? '')) problems.push('To is not E.164');
  if (fields.has('From') && !/^\+[1-9]\d{6,14}$/.test(fields.get('From')!)) problems.push('From is not E.164');
  if (fields.has('MessagingServiceSid') && !/^MG[0-9a-f]{32}$/i.test(fields.get('MessagingServiceSid')!)) problems.push('bad MessagingServiceSid');
  return problems;
}

function created(accountSid: string, msg: TwilioMessage): StubAnswer {
  const { To: to, Body: body, From: from = null, MessagingServiceSid: service = null } = msg.fields;
  const uri = `/2010-04-01/Accounts/${accountSid}/Messages/${msg.sid}.json`;
  return {
    status: 201,
    body: { sid: msg.sid, account_sid: accountSid, to, from, messaging_service_sid: service, body, status: 'queued', direction: 'outbound-api', api_version: '2010-04-01', error_code: null, error_message: null, uri },
  };
}

/** Starts the stand-in for one account: AuthToken checked, unknown credentials answered 401/20003. */
export async function startTwilio(accountSid = TWILIO_ACCOUNT_SID, authToken = TWILIO_AUTH_TOKEN): Promise<TwilioStandIn> {
  const stub: HttpStub = await startHttpStub();
  const standIn: TwilioStandIn = {
    url: stub.url,
    requests: stub.requests,
    messages: [],
    problems: [],
    behave: () => ({ kind: 'accept' }),
    close: () => stub.close(),
  };
  stub.respond = (req) => {
    const problems = checkRequest(req, accountSid, authToken);
    if (problems.length > 0) {
      standIn.problems.push(...problems);
      return problems.some((p) => p.startsWith('authorization')) ? twilioError(401, 20003) : twilioError(400, 21604);
    }
    const fields = Object.fromEntries(new URLSearchParams(req.body));
    const behaviour = standIn.behave(fields);
    if (behaviour.kind === 'answer') return behaviour.answer;
    const msg = { sid: `SM${randomBytes(16).toString('hex')}`, fields };
    standIn.messages.push(msg);
    return { ...created(accountSid, msg), delayMs: behaviour.delayMs };
  };
  return standIn;
}
