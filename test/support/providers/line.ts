/**
 * A stand-in for the LINE Messaging API push endpoint on a real HTTP server. It checks each
 * request as LINE documents it (POST /v2/bot/message/push, Bearer channel access token,
 * JSON `{ to, messages: [{ type: 'text', text }] }`, X-Line-Retry-Key a hexadecimal UUID)
 * and records deviations in `problems`. Like LINE, it executes a retry key once: a request
 * whose key was accepted before is answered 409 with `x-line-accepted-request-id`.
 */
import { randomBytes } from 'node:crypto';
import { HttpStub, RecordedRequest, startHttpStub, StubAnswer } from '../http-stub';

/** The stand-in's channel access token, and a well-formed user ID to push to. */
export const LINE_ACCESS_TOKEN = 'line-test-channel-access-token';
export const LINE_USER_ID = `U4af4980629${'0'.repeat(22)}`;

/** A push request body as LINE documents it. */
export interface LinePush {
  to: string;
  messages: { type: string; text: string }[];
}

/** A push LINE accepted: its retry key, the request ID it was accepted under, the sent message's ID. */
export interface LineAcceptedMessage {
  retryKey: string;
  requestId: string;
  messageId: string;
  push: LinePush;
}

/** What the stand-in does with a well-formed request whose key is new: accept it (maybe answering late), or answer as told. */
export type LineBehaviour = { kind: 'accept'; delayMs?: number } | { kind: 'answer'; answer: StubAnswer };

export interface LineStandIn {
  url: string;
  requests: RecordedRequest[];
  /** Messages LINE accepted (and would deliver), one per retry key. */
  messages: LineAcceptedMessage[];
  problems: string[];
  /** Replaceable by the test; the default accepts. */
  behave: (push: LinePush) => LineBehaviour;
  close(): Promise<void>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const requestId = () => randomBytes(16).toString('hex');

/** LINE's error body: `{ message, details? }`; no machine code. */
export function lineError(status: number, headers?: Record<string, string>): StubAnswer {
  return { status, headers: { 'x-line-request-id': requestId(), ...headers }, body: { message: `The user ${LINE_USER_ID} cannot receive messages` } };
}

function checkRequest(req: RecordedRequest, token: string): { problems: string[]; push?: LinePush } {
  const problems: string[] = [];
  if (req.method !== 'POST') problems.push(`method ${req.method}`);
  if (req.path !== '/v2/bot/message/push') problems.push(`path ${req.path}`);
  if (req.headers.authorization !== `Bearer ${token}`) problems.push('authorization is not Bearer {channel access token}');
  if (req.headers['content-type'] !== 'application/json') problems.push(`content-type ${req.headers['content-type']}`);
  if (!UUID.test(String(req.headers['x-line-retry-key']))) problems.push('X-Line-Retry-Key is not a hexadecimal UUID');
  let push: LinePush | undefined;
  try {
    push = JSON.parse(req.body) as LinePush;
  } catch {
    return { problems: [...problems, 'body is not JSON'] };
  }
  const shape = push && Object.keys(push).sort().join(',') === 'messages,to' && Array.isArray(push.messages) && push.messages.length === 1;
  const message = shape ? push.messages[0] : undefined;
  if (!message || Object.keys(message).sort().join(',') !== 'text,type' || message.type !== 'text' || typeof message.text !== 'string') {
    problems.push('body is not { to, messages: [{ type: "text", text }] }');
  }
  return { problems, push };
}

/** Starts the stand-in for one channel access token; another token is answered 401. */
export async function startLine(token = LINE_ACCESS_TOKEN): Promise<LineStandIn> {
  const stub: HttpStub = await startHttpStub();
  const accepted = new Map<string, LineAcceptedMessage>();
  const standIn: LineStandIn = {
    url: stub.url,
    requests: stub.requests,
    messages: [],
    problems: [],
    behave: () => ({ kind: 'accept' }),
    close: () => stub.close(),
  };
  stub.respond = (req) => {
    const { problems, push } = checkRequest(req, token);
    if (problems.length > 0 || !push) {
      standIn.problems.push(...problems);
      return lineError(problems.some((p) => p.startsWith('authorization')) ? 401 : 400);
    }
    const retryKey = String(req.headers['x-line-retry-key']);
    const earlier = accepted.get(retryKey);
    if (earlier) {
      return { status: 409, headers: { 'x-line-request-id': requestId(), 'x-line-accepted-request-id': earlier.requestId }, body: { message: 'The retry key is already accepted' } };
    }
    const behaviour = standIn.behave(push);
    if (behaviour.kind === 'answer') return behaviour.answer;
    const msg = { retryKey, requestId: requestId(), messageId: String(BigInt(`0x${randomBytes(7).toString('hex')}`)), push };
    accepted.set(retryKey, msg);
    standIn.messages.push(msg);
    const body = { sentMessages: [{ id: msg.messageId, quoteToken: randomBytes(24).toString('base64url') }] };
    return { status: 200, headers: { 'x-line-request-id': msg.requestId }, body, delayMs: behaviour.delayMs };
  };
  return standIn;
}
