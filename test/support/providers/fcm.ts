/**
 * Stand-ins for Firebase Cloud Messaging HTTP v1 and the GCE metadata server, on real
 * local HTTP servers. Each checks requests as the provider documents them and answers a
 * malformed one as the provider would, recording why in `problems` (tests expect none).
 */
import { GoogleAuth } from 'google-auth-library';
import { HttpStub, RecordedRequest, startHttpStub, StubAnswer } from '../http-stub';

export const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';

/** The HTTP status FCM answers each of its ErrorCodes with (FCM v1 ErrorCode reference). */
export const FCM_ERROR_STATUS: Record<string, number> = {
  UNSPECIFIED_ERROR: 500,
  INVALID_ARGUMENT: 400,
  UNREGISTERED: 404,
  SENDER_ID_MISMATCH: 403,
  QUOTA_EXCEEDED: 429,
  UNAVAILABLE: 503,
  INTERNAL: 500,
  THIRD_PARTY_AUTH_ERROR: 401,
};

const RPC_STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

/**
 * A google.rpc.Status error answer; with `errorCode`, an FcmError detail names it. The
 * message echoes the token, as real answers may: adapters must not pass it on.
 */
export function fcmError(status: number, errorCode?: string, headers?: Record<string, string>): StubAnswer {
  const details = errorCode ? [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode }] : [];
  const message = 'Requested entity was not found for token device-token-secret-0123456789';
  return { status, headers, body: { error: { code: status, message, status: RPC_STATUS[status] ?? 'UNKNOWN', details } } };
}

export interface FcmStandIn extends HttpStub {
  projectId: string;
  /** The bearer token requests must carry (what the metadata stand-in issued). */
  accessToken: string;
  /** Why requests were refused as malformed; empty when every request was as documented. */
  problems: string[];
  /** The `message` of each well-formed send request. */
  messages: Record<string, unknown>[];
  /** The answer to a well-formed request; undefined = accept it. */
  answer: (req: RecordedRequest) => StubAnswer | undefined | Promise<StubAnswer | undefined>;
}

const MESSAGE_FIELDS = ['token', 'notification', 'data'];

/** What is wrong with a send request, as FCM documents `projects.messages.send`. */
function sendProblem(fcm: FcmStandIn, req: RecordedRequest): { problem: string; answer: StubAnswer } | undefined {
  const reject = (problem: string, answer: StubAnswer) => ({ problem, answer });
  if (req.method !== 'POST' || req.path !== `/v1/projects/${fcm.projectId}/messages:send`) {
    return reject(`unexpected ${req.method} ${req.path}`, fcmError(404));
  }
  if (req.headers.authorization !== `Bearer ${fcm.accessToken}`) return reject('bad authorization', fcmError(401));
  if (!/^application\/json(;\s*charset=utf-8)?$/i.test(req.headers['content-type'] ?? '')) return reject('content-type', fcmError(400));
  let message: Record<string, unknown>;
  try {
    message = (JSON.parse(req.body) as { message: Record<string, unknown> }).message;
  } catch {
    return reject('body is not JSON', fcmError(400));
  }
  const extra = Object.keys(JSON.parse(req.body) as object).filter((k) => k !== 'message');
  const unknown = Object.keys(message ?? {}).filter((k) => !MESSAGE_FIELDS.includes(k));
  if (!message || typeof message.token !== 'string' || extra.length || unknown.length) {
    return reject(`message shape: ${JSON.stringify(Object.keys(message ?? {}))}`, fcmError(400, 'INVALID_ARGUMENT'));
  }
  const data = message.data as Record<string, unknown> | undefined;
  if (data && Object.values(data).some((v) => typeof v !== 'string')) return reject('data values', fcmError(400, 'INVALID_ARGUMENT'));
  const notification = (message.notification ?? {}) as Record<string, unknown>;
  if (Object.entries(notification).some(([k, v]) => !['title', 'body'].includes(k) || typeof v !== 'string')) {
    return reject('notification fields', fcmError(400, 'INVALID_ARGUMENT'));
  }
  return undefined;
}

/** FCM HTTP v1 on a local port: `projects.messages.send` for one project. */
export async function startFcmStandIn(opts: { projectId: string; accessToken: string }): Promise<FcmStandIn> {
  let sent = 0;
  const stub = (await startHttpStub()) as FcmStandIn;
  Object.assign(stub, { ...opts, problems: [], messages: [], answer: () => undefined });
  stub.respond = async (req) => {
    const bad = sendProblem(stub, req);
    if (bad) {
      stub.problems.push(bad.problem);
      return bad.answer;
    }
    stub.messages.push((JSON.parse(req.body) as { message: Record<string, unknown> }).message);
    const answer = await stub.answer(req);
    return answer ?? { status: 200, body: { name: `projects/${stub.projectId}/messages/0:17000000000${++sent}%abc` } };
  };
  return stub;
}

export interface MetadataStandIn extends HttpStub {
  /** `127.0.0.1:PORT`, for GCE_METADATA_HOST. */
  host: string;
  accessToken: string;
  problems: string[];
  /** Replaces the token answer (e.g. a 500) while set. */
  failWith?: StubAnswer;
}

const TOKEN_PATH = `/computeMetadata/v1/instance/service-accounts/default/token?scopes=${encodeURIComponent(FCM_SCOPE)}`;

/**
 * The GCE metadata server's token endpoint, as google-auth-library's Compute client calls
 * it: `GET …/service-accounts/default/token?scopes=…` with `Metadata-Flavor: Google`; the
 * answer must carry that header too or the library refuses it.
 */
export async function startMetadataStandIn(accessToken: string): Promise<MetadataStandIn> {
  const stub = (await startHttpStub()) as MetadataStandIn;
  Object.assign(stub, { host: `127.0.0.1:${stub.port}`, accessToken, problems: [] });
  const flavor = { 'metadata-flavor': 'Google' };
  stub.respond = (req) => {
    if (req.headers['metadata-flavor'] !== 'Google') {
      stub.problems.push('missing Metadata-Flavor');
      return { status: 403, headers: flavor, body: 'Missing Metadata-Flavor:Google header.' };
    }
    if (req.method !== 'GET' || req.path !== TOKEN_PATH) {
      stub.problems.push(`unexpected ${req.method} ${req.path}`);
      return { status: 404, headers: flavor, body: 'Not Found' };
    }
    if (stub.failWith) return stub.failWith;
    return { status: 200, headers: flavor, body: { access_token: stub.accessToken, expires_in: 3599, token_type: 'Bearer' } };
  };
  return stub;
}

/**
 * Points google-auth-library at the stand-in (gcp-metadata reads GCE_METADATA_HOST per
 * request; METADATA_SERVER_DETECTION=assume-present skips its probe). Returns a restore.
 */
export function useMetadataServer(metadata: MetadataStandIn): () => void {
  const saved = { host: process.env.GCE_METADATA_HOST, detection: process.env.METADATA_SERVER_DETECTION };
  process.env.GCE_METADATA_HOST = metadata.host;
  process.env.METADATA_SERVER_DETECTION = 'assume-present';
  return () => {
    for (const [name, value] of [['GCE_METADATA_HOST', saved.host], ['METADATA_SERVER_DETECTION', saved.detection]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

/**
 * google-auth-library fetches through a dynamic `import()`, which jest's VM allows only
 * under `node --experimental-vm-modules` (as `npm test` runs jest). Fails loudly, naming
 * that, instead of letting every token fetch fail later.
 */
export async function checkGoogleAuthCanFetch(): Promise<void> {
  try {
    await new GoogleAuth({ scopes: [FCM_SCOPE], projectId: 'notifier-check' }).getAccessToken();
  } catch (err) {
    for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
      if ((e as { code?: unknown }).code === 'ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING_FLAG') {
        throw new Error('google-auth-library cannot fetch inside jest without --experimental-vm-modules: run `npm test -- <files>`');
      }
    }
    throw err;
  }
}
