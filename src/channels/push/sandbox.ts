/**
 * The sandbox's Firebase Cloud Messaging HTTP v1 (`POST /v1/projects/{project}/messages:send`)
 * and the GCE metadata server's token endpoint, which google-auth-library's application
 * default credentials call when GCE_METADATA_HOST points here.
 */
import { randomBytes } from 'node:crypto';
import { header, isText, jsonObject, mediaType, refuse, SandboxAnswer, SandboxRoute } from '../sandbox-http';

const SEND_PATH = /^\/v1\/projects\/([^/]+)\/messages:send$/;
const RPC_STATUS: Record<number, string> = { 400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED' };

/** A google.rpc.Status answer; a 400 names the FcmError INVALID_ARGUMENT as FCM does. */
function fcmError(problem: string, status: number, message: string): SandboxAnswer {
  const details = status === 400 ? [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: 'INVALID_ARGUMENT' }] : [];
  return refuse(problem, status, { error: { code: status, message, status: RPC_STATUS[status], details } });
}

/** What is wrong with a send body `{ message: { token, notification?, data? } }`. */
function messageProblem(body: Record<string, unknown> | undefined): string | undefined {
  const message = body?.message as Record<string, unknown> | undefined;
  if (!message || typeof message !== 'object') return 'the body is not { message: {…} }';
  if (!isText(message.token)) return 'message.token is missing';
  const data = message.data;
  if (data !== undefined && (typeof data !== 'object' || Object.values(data as object).some((v) => typeof v !== 'string'))) {
    return 'message.data values must be strings';
  }
  return undefined;
}

/** Accepts sends to the local project with the token the metadata route issues. */
export function fcmRoute(projectId: string, accessToken: string): SandboxRoute {
  return {
    method: 'POST',
    path: SEND_PATH,
    handle(req): SandboxAnswer {
      const authorization = header(req, 'authorization');
      if (!authorization) return fcmError('no authorization', 401, 'Request is missing required authentication credential.');
      if (authorization !== `Bearer ${accessToken}`) {
        // The library prefers GOOGLE_APPLICATION_CREDENTIALS and gcloud's application default
        // credentials to the metadata server: their token ends up here.
        const problem = 'the bearer token is not the one the local metadata server issues (GOOGLE_APPLICATION_CREDENTIALS or gcloud application-default credentials take precedence)';
        return fcmError(problem, 401, 'Request had invalid authentication credentials.');
      }
      const project = SEND_PATH.exec(req.path)![1]!;
      if (project !== projectId) return fcmError(`project ${project} is not ${projectId}`, 403, `Permission denied on project ${project}.`);
      if (mediaType(req) !== 'application/json') return fcmError('content-type is not application/json', 400, 'Invalid JSON payload received.');
      const body = jsonObject(req);
      const problem = messageProblem(body);
      if (problem) return fcmError(problem, 400, 'Request contains an invalid argument.');
      const message = body!.message as { token: string; notification?: { title?: string; body?: string }; data?: Record<string, string> };
      const name = `projects/${projectId}/messages/0:${Date.now()}%${randomBytes(8).toString('hex')}`;
      return {
        status: 200,
        body: { name },
        message: {
          channel: 'PUSH',
          recipient: message.token,
          title: message.notification?.title,
          text: message.notification?.body,
          data: message.data,
          providerMessageId: name,
        },
      };
    },
  };
}

const FLAVOR = { 'metadata-flavor': 'Google' };

/**
 * `GET /computeMetadata/v1/instance/service-accounts/default/token` (any `scopes`): the
 * request must carry `Metadata-Flavor: Google`, and so does the answer, or the library
 * refuses it.
 */
export function metadataTokenRoute(accessToken: string): SandboxRoute {
  return {
    method: 'GET',
    path: '/computeMetadata/v1/instance/service-accounts/default/token',
    handle(req): SandboxAnswer {
      if (header(req, 'metadata-flavor') !== 'Google') {
        return refuse('no Metadata-Flavor: Google', 403, 'Missing Metadata-Flavor:Google header.', FLAVOR);
      }
      return { status: 200, headers: FLAVOR, body: { access_token: accessToken, expires_in: 3599, token_type: 'Bearer' } };
    },
  };
}
