/**
 * A stand-in for Slack on a real local HTTP server: the Web API's chat.postMessage under
 * `/api` and one incoming webhook under `/services/…`. Requests are checked as Slack
 * documents them; a malformed one is answered as Slack would, and why is recorded in
 * `problems` (tests expect none).
 */
import { HttpStub, RecordedRequest, startHttpStub, StubAnswer } from '../http-stub';

export const SLACK_BOT_TOKEN = 'xoxb-1111-2222-notifier-test';
export const WEBHOOK_PATH = '/services/T0000TEST/B0000TEST/webhooksecret0123456789';

/** The status an incoming webhook answers each failure code with (Slack's changelog of 2016-05-17; the rest as documented there by class). */
export const WEBHOOK_ERROR_STATUS: Record<string, number> = {
  invalid_payload: 400,
  user_not_found: 400,
  no_text: 400,
  action_prohibited: 403,
  channel_not_found: 404,
  no_service: 404,
  channel_is_archived: 410,
  no_active_hooks: 410,
  rollup_error: 500,
};

export interface SlackStandIn extends HttpStub {
  /** SLACK_BASE_URL: `http://127.0.0.1:PORT/api`. */
  apiUrl: string;
  /** SLACK_WEBHOOK_URL. */
  webhookUrl: string;
  problems: string[];
  /** `{ channel, text }` of each well-formed chat.postMessage. */
  posted: { channel: string; text: string }[];
  /** `{ text }` of each well-formed webhook call. */
  hooked: { text: string }[];
  /** The answer to a well-formed request; undefined = accept it. */
  answer: (req: RecordedRequest) => StubAnswer | undefined | Promise<StubAnswer | undefined>;
}

/** chat.postMessage's failure answer: HTTP 200 (unless told otherwise) and `ok: false`. */
export function apiError(error: string, status = 200, headers?: Record<string, string>): StubAnswer {
  return { status, headers, body: { ok: false, error } };
}

/** An incoming webhook's failure answer: the bare code as text, with its documented status. */
export function webhookError(code: string, status = WEBHOOK_ERROR_STATUS[code] ?? 400, headers?: Record<string, string>): StubAnswer {
  return { status, headers: { 'content-type': 'text/html', ...headers }, body: code };
}

/** Exactly these keys, each a non-empty string. */
function exactStrings(body: string, keys: string[]): Record<string, string> | undefined {
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    const ok = Object.keys(parsed).sort().join() === [...keys].sort().join() && keys.every((k) => typeof parsed[k] === 'string' && parsed[k]);
    return ok ? (parsed as Record<string, string>) : undefined;
  } catch {
    return undefined;
  }
}

function postMessageProblem(req: RecordedRequest): { problem: string; answer: StubAnswer } | undefined {
  const auth = req.headers.authorization;
  if (!auth) return { problem: 'no token', answer: apiError('not_authed') };
  if (auth !== `Bearer ${SLACK_BOT_TOKEN}`) return { problem: 'wrong token', answer: apiError('invalid_auth') };
  if (req.headers['content-type'] !== 'application/json; charset=utf-8') return { problem: 'content-type', answer: apiError('invalid_post_type') };
  if (!exactStrings(req.body, ['channel', 'text'])) return { problem: `body ${req.body.slice(0, 40)}`, answer: apiError('invalid_arguments') };
  return undefined;
}

function webhookProblem(req: RecordedRequest): { problem: string; answer: StubAnswer } | undefined {
  if (!/^application\/json/.test(req.headers['content-type'] ?? '')) return { problem: 'content-type', answer: webhookError('invalid_payload') };
  if (!exactStrings(req.body, ['text'])) return { problem: `body ${req.body.slice(0, 40)}`, answer: webhookError('invalid_payload') };
  return undefined;
}

/** Slack on a local port. Channel names post to a fixed ID, as Slack answers with the conversation ID. */
export async function startSlackStandIn(): Promise<SlackStandIn> {
  let ts = 0;
  const stub = (await startHttpStub()) as SlackStandIn;
  Object.assign(stub, { apiUrl: `${stub.url}/api`, webhookUrl: `${stub.url}${WEBHOOK_PATH}`, problems: [], posted: [], hooked: [] });
  stub.answer = () => undefined;
  stub.respond = async (req) => {
    const isApi = req.method === 'POST' && req.path === '/api/chat.postMessage';
    const isHook = req.method === 'POST' && req.path === WEBHOOK_PATH;
    if (!isApi && !isHook) {
      stub.problems.push(`unexpected ${req.method} ${req.path}`);
      return webhookError('no_service', 404);
    }
    const bad = isApi ? postMessageProblem(req) : webhookProblem(req);
    if (bad) {
      stub.problems.push(bad.problem);
      return bad.answer;
    }
    const body = JSON.parse(req.body) as { channel: string; text: string };
    if (isApi) stub.posted.push(body);
    else stub.hooked.push(body);
    const answer = await stub.answer(req);
    if (answer) return answer;
    if (isHook) return { status: 200, headers: { 'content-type': 'text/html' }, body: 'ok' };
    const channel = /^[CGD][A-Z0-9]{8,}$/.test(body.channel) ? body.channel : 'C0NAMED0001';
    const messageTs = `1700000000.${String(++ts).padStart(6, '0')}`;
    return { status: 200, body: { ok: true, channel, ts: messageTs, message: { type: 'message', text: body.text, ts: messageTs } } };
  };
  return stub;
}
