/**
 * The sandbox's LINE Messaging API push (`POST /v2/bot/message/push`, Bearer channel access
 * token, JSON `{ to, messages }`). Like LINE it executes an X-Line-Retry-Key once: a repeated
 * key is answered 409 with the accepted request's ID in `x-line-accepted-request-id`.
 */
import { randomBytes } from 'node:crypto';
import { header, isText, jsonObject, mediaType, refuse, SandboxAnswer, SandboxRoute } from '../sandbox-http';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const requestId = () => randomBytes(16).toString('hex');

function lineError(problem: string, status: number, message: string, details?: { message: string; property: string }[]): SandboxAnswer {
  return refuse(problem, status, { message, ...(details && { details }) }, { 'x-line-request-id': requestId() });
}

/** LINE's validation answer for a body that is not `{ to, messages: [1–5 messages] }` of text messages. */
function bodyError(body: Record<string, unknown> | undefined): SandboxAnswer | undefined {
  const invalid = (property: string, message: string) =>
    lineError(`${property} ${message}`, 400, 'The request body has 1 error(s)', [{ message, property }]);
  if (!body) return lineError('the body is not a JSON object', 400, 'The request body is invalid');
  if (!isText(body.to)) return invalid('to', 'must be specified');
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length < 1 || messages.length > 5) return invalid('messages', 'must be 1 to 5 messages');
  const bad = messages.findIndex((m: { type?: unknown; text?: unknown }) => m?.type !== 'text' || !isText(m.text));
  if (bad >= 0) return invalid(`messages[${bad}]`, 'must be a text message with text (the sandbox takes text only)');
  return undefined;
}

export function lineRoute(channelAccessToken: string): SandboxRoute {
  /** Retry key → the request ID it was accepted under. */
  const accepted = new Map<string, string>();
  return {
    method: 'POST',
    path: '/v2/bot/message/push',
    handle(req): SandboxAnswer {
      if (header(req, 'authorization') !== `Bearer ${channelAccessToken}`) {
        return lineError('authorization is not Bearer {the local channel access token}', 401, 'Authentication failed. Confirm that the access token in the authorization header is valid.');
      }
      if (mediaType(req) !== 'application/json') return lineError('content-type is not application/json', 415, 'Unsupported Media Type');
      const retryKey = header(req, 'x-line-retry-key');
      if (retryKey !== undefined && !UUID.test(retryKey)) {
        return lineError('X-Line-Retry-Key is not a UUID', 400, "The value for the 'X-Line-Retry-Key' header is invalid");
      }
      const body = jsonObject(req);
      const bad = bodyError(body);
      if (bad) return bad;
      const id = requestId();
      const earlier = retryKey && accepted.get(retryKey);
      if (earlier) {
        return {
          status: 409,
          headers: { 'x-line-request-id': id, 'x-line-accepted-request-id': earlier },
          body: { message: 'The retry key is already accepted' },
          note: `LINE retry key ${retryKey} was accepted before (request ${earlier}): 409, not sent again`,
        };
      }
      if (retryKey) accepted.set(retryKey, id);
      const messages = body!.messages as { text: string }[];
      const sentMessages = messages.map(() => ({ id: String(BigInt(`0x${randomBytes(7).toString('hex')}`)), quoteToken: randomBytes(24).toString('base64url') }));
      return {
        status: 200,
        headers: { 'x-line-request-id': id },
        body: { sentMessages },
        message: { channel: 'LINE', recipient: body!.to as string, text: messages.map((m) => m.text).join('\n'), providerMessageId: sentMessages[0]!.id },
      };
    },
  };
}
