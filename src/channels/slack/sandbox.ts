/**
 * The sandbox's Slack: the Web API's chat.postMessage under `/api` (Bearer bot token, JSON
 * `{ channel, text }`) and one incoming webhook. As at Slack, chat.postMessage answers every
 * failure with HTTP 200 and `{ ok: false, error }`; the webhook with a status and a bare code.
 */
import { createHash } from 'node:crypto';
import { header, isText, jsonObject, mediaType, refuse, SandboxAnswer, SandboxRoute } from '../sandbox-http';

const apiError = (problem: string, error: string): SandboxAnswer => refuse(problem, 200, { ok: false, error });
const webhookError = (problem: string, status: number, code: string): SandboxAnswer =>
  refuse(problem, status, code, { 'content-type': 'text/html' });

/** Slack answers with the conversation ID: a name gets a stable made-up one. */
function conversationId(channel: string): string {
  if (/^[CGDU][A-Z0-9]{8,20}$/.test(channel)) return channel;
  return `C${createHash('sha256').update(channel).digest('hex').slice(0, 10).toUpperCase()}`;
}

export function slackApiRoute(botToken: string): SandboxRoute {
  let sequence = 0;
  return {
    method: 'POST',
    path: '/api/chat.postMessage',
    handle(req): SandboxAnswer {
      const authorization = header(req, 'authorization');
      if (!authorization) return apiError('no authorization', 'not_authed');
      if (authorization !== `Bearer ${botToken}`) return apiError('the bearer token is not the local bot token', 'invalid_auth');
      if (mediaType(req) !== 'application/json') return apiError('content-type is not application/json (the sandbox takes JSON only)', 'invalid_post_type');
      const body = jsonObject(req);
      if (!body) return apiError('the body is not a JSON object', 'invalid_json');
      if (!isText(body.channel)) return apiError('no channel', 'channel_not_found');
      if (!isText(body.text)) return apiError('no text', 'no_text');
      const channel = conversationId(body.channel);
      const ts = `${Math.floor(Date.now() / 1000)}.${String(++sequence).padStart(6, '0')}`;
      return {
        status: 200,
        body: { ok: true, channel, ts, message: { type: 'message', text: body.text, ts } },
        message: { channel: 'SLACK', recipient: body.channel, text: body.text, providerMessageId: `${channel}/${ts}` },
      };
    },
  };
}

/** The incoming webhook at `path`; any other `/services/…` path is a removed webhook (404 no_service). */
export function slackWebhookRoutes(path: string): SandboxRoute[] {
  const hook: SandboxRoute = {
    method: 'POST',
    path,
    handle(req): SandboxAnswer {
      if (mediaType(req) !== 'application/json') return webhookError('content-type is not application/json', 400, 'invalid_payload');
      const body = jsonObject(req);
      if (!body) return webhookError('the body is not a JSON object', 400, 'invalid_payload');
      if (!isText(body.text)) return webhookError('no text', 400, 'no_text');
      return {
        status: 200,
        headers: { 'content-type': 'text/html' },
        body: 'ok',
        message: { channel: 'SLACK', recipient: 'incoming-webhook', text: body.text },
      };
    },
  };
  const unknown: SandboxRoute = {
    method: 'POST',
    path: /^\/services\//,
    handle: () => webhookError('not the local incoming webhook URL', 404, 'no_service'),
  };
  return [hook, unknown];
}
