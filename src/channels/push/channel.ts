import { GoogleAuth } from 'google-auth-library';
import type { Notification, PushPayload } from '../../codec/notification';
import { PermanentError, TransientError } from '../../delivery/failures';
import type { Channel } from '../../delivery/ports';
import { maskId } from '../../logging';
import { withTimeout } from '../../timeout';
import { fcmErrorCode, FCM_OUTCOMES } from './outcomes';
import { callProvider, HttpResponse, providerAgent } from '../http';
import { classifyResponse } from '../http-outcomes';

export interface FcmChannelOptions {
  /** `https://fcm.googleapis.com` (FCM_BASE_URL), without a trailing slash. */
  baseUrl: string;
  /** The Firebase project the app's registration tokens belong to. */
  projectId: string;
  /** Bounds the whole send: obtaining the access token and the request. */
  timeoutMs: number;
  /** An OAuth 2.0 access token for the firebase.messaging scope; defaults to the service's own credentials. */
  accessToken?: () => Promise<string | null | undefined>;
}

const PROVIDER = 'fcm';
export const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';

/**
 * Application default credentials: on Cloud Run the service account's token from the
 * metadata server, cached and refreshed by the library. Naming the project spares the
 * library its own project lookup (it runs `gcloud` when it finds none), which would
 * otherwise be spent inside the first send's time budget.
 */
function defaultAccessToken(projectId: string): () => Promise<string | null | undefined> {
  const auth = new GoogleAuth({ scopes: [FCM_SCOPE], projectId });
  return () => auth.getAccessToken();
}

/** The v1 `Message` for one device: empty title, body or data are left out. */
export function fcmMessage(push: PushPayload): Record<string, unknown> {
  const notification = { ...(push.title && { title: push.title }), ...(push.body && { body: push.body }) };
  return {
    token: push.deviceToken,
    ...(Object.keys(notification).length > 0 && { notification }),
    ...(Object.keys(push.data).length > 0 && { data: push.data }),
  };
}

/** The `name` of a send answer (`projects/…/messages/…`), if it has one. */
function messageName(body: string): string | undefined {
  try {
    const name = (JSON.parse(body) as { name?: unknown }).name;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}

/** Nothing has been sent while the token is fetched: any failure here is safe to retry. */
async function obtainToken(source: () => Promise<string | null | undefined>, timeoutMs: number): Promise<string> {
  const unobtainable = (why: string) => new TransientError('PROVIDER_UNAVAILABLE', `${PROVIDER}: the access token could not be obtained (${why})`);
  let token: string | null | undefined;
  try {
    token = await withTimeout(source(), timeoutMs, () => unobtainable('timed out'));
  } catch (err) {
    if (err instanceof TransientError) throw err;
    // The library's message may carry credential details: it is not passed on.
    throw unobtainable('credentials error');
  }
  if (!token) throw unobtainable('no token');
  return token;
}

/** PUSH through Firebase Cloud Messaging HTTP v1 (`projects.messages.send`). */
export function makeFcmChannel(opts: FcmChannelOptions): Channel {
  const url = new URL(`${opts.baseUrl}/v1/projects/${encodeURIComponent(opts.projectId)}/messages:send`);
  const agent = providerAgent(url);
  const accessToken = opts.accessToken ?? defaultAccessToken(opts.projectId);

  /** One send request within what is left of the time budget. */
  function request(token: string, push: PushPayload, timeoutMs: number): Promise<HttpResponse> {
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' };
    const body = JSON.stringify({ message: fcmMessage(push) });
    return callProvider(PROVIDER, { url, headers, body, timeoutMs, agent }, { retriesDeduplicated: false });
  }

  return {
    name: 'PUSH',
    describeRecipient: (n) => maskId(n.push?.deviceToken ?? ''),
    provider: () => PROVIDER,
    async send(n: Notification) {
      const push = n.push;
      if (!push) throw new PermanentError('INVALID_PAYLOAD', 'push payload missing');
      const deadline = Date.now() + opts.timeoutMs;
      const token = await obtainToken(accessToken, opts.timeoutMs);
      const remainingMs = deadline - Date.now();
      if (remainingMs <= 0) throw new TransientError('PROVIDER_TIMEOUT', `${PROVIDER}: no time left to send after obtaining the access token`);
      const res = await request(token, push, remainingMs);
      if (res.status >= 200 && res.status < 300) return { providerMessageId: messageName(res.body) };
      throw classifyResponse(PROVIDER, res, FCM_OUTCOMES, fcmErrorCode(res.body));
    },
    async close() {
      agent.destroy();
    },
  };
}
