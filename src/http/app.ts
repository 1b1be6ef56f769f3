import express, { ErrorRequestHandler, NextFunction, Request, RequestHandler } from 'express';
import { trustedAttributes } from '../codec/internal-attributes';
import type { Deliver } from '../delivery/deliver';
import { OUTCOMES } from '../delivery/outcomes';
import { Logger, traceField } from '../logging';
import type { Authenticator } from './auth';
import { EnvelopeError, parseEnvelope } from './envelope';

export interface AppDeps {
  deliver: Deliver;
  authenticator: Authenticator;
  log: Logger;
  projectId: string;
  /** INTERNAL_SIGNING_KEYS: notifier_* attributes are obeyed only when signed with one of them; none: never. */
  signingKeys?: readonly string[];
  /** INTERNAL_UNSIGNED_UNTIL: messages published before it may carry unsigned notifier_* attributes (an upgrade's backlog). */
  unsignedUntilMs?: number;
  /** Readiness: false while draining or when MySQL does not answer. */
  isReady(): Promise<boolean>;
  /** Liveness: false when deliveries cannot make progress (the platform should replace the instance); absent = always live. */
  isLive?(): Promise<boolean>;
  /** The task endpoints (POST /tasks/release-held), with their own authentication. */
  tasks?: express.Router;
  /** The settings API (/v1/accounts/{accountId}/settings), with its own authentication; absent: not served. */
  settings?: express.Router;
  /** The status API (/v1/notifications/{id}, /v1/accounts/{accountId}/notifications), with its own authentication; absent: not served. */
  status?: express.Router;
  /** The suppression API (/v1/suppressions…), with its own authentication and audit; absent: not served. */
  suppressions?: express.Router;
  /** Provider status callbacks (/v1/callbacks/…), verified by the providers' signatures; absent: not served. */
  callbacks?: express.Router;
}

/**
 * Pub/Sub messages are at most 10 MB; base64 in a JSON envelope makes that ~13.4 MB.
 * Refusing a real push would nack it forever, so the limit admits every real one.
 */
export const MAX_BODY = '14mb';

/** The HTTP entry point: thin — authenticate, parse, deliver, map outcome to status. */
export function createApp(deps: AppDeps): express.Express {
  const { log } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.get('/healthz', async (_req, res) => {
    const live = deps.isLive ? await deps.isLive().catch(() => false) : true;
    res.status(live ? 200 : 503).json({ status: live ? 'ok' : 'stuck' });
  });

  app.get('/readyz', async (_req, res) => {
    const ready = await deps.isReady().catch(() => false);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready' });
  });

  const trace = (req: Request) =>
    traceField(deps.projectId, { cloudTrace: req.get('x-cloud-trace-context'), traceparent: req.get('traceparent') });

  const authenticate: RequestHandler = async (req, res, next) => {
    const auth = await deps.authenticator.authenticate(req.get('authorization'));
    if (auth.ok) return next();
    log.warn('push request rejected', { status: auth.status, reason: auth.reason, ...trace(req) });
    res.status(auth.status).json({ error: auth.reason });
  };

  const parseJson = express.json({ limit: MAX_BODY, type: () => true });

  /**
   * Reads the body as JSON. A body that cannot be read — not JSON, an unsupported charset
   * or content encoding, corrupt compression — is not a push envelope: 400 (413 over the
   * limit), never a 500. body-parser marks all of these with a 4xx status.
   */
  const readJson: RequestHandler = (req, res, next) => {
    parseJson(req, res, ((err?: unknown) => {
      const { type, status } = (err ?? {}) as { type?: string; status?: unknown };
      if (!err || typeof status !== 'number' || status < 400 || status >= 500) return next(err);
      if (type === 'entity.too.large') {
        log.error('push body over the size limit', { limit: MAX_BODY, ...trace(req) });
        res.status(413).json({ error: `body exceeds ${MAX_BODY}` });
        return;
      }
      const error = type === 'entity.parse.failed' ? 'body is not JSON' : (err as Error).message;
      log.warn('not a push envelope', { error, ...trace(req) });
      res.status(400).json({ error });
    }) as NextFunction);
  };

  app.post('/pubsub/push', authenticate, readJson, async (req, res) => {
    const started = Date.now();
    let envelope;
    try {
      envelope = parseEnvelope(req.body);
    } catch (err) {
      if (!(err instanceof EnvelopeError)) throw err;
      log.warn('not a push envelope', { error: err.message, ...trace(req) });
      res.status(400).json({ error: err.message });
      return;
    }
    // Published by a release that did not sign yet: its notifier_* attributes are its own.
    const beforeSigning = envelope.publishTimeMs !== undefined && envelope.publishTimeMs < (deps.unsignedUntilMs ?? -Infinity);
    const { attributes, ignored } = beforeSigning
      ? { attributes: envelope.message.attributes, ignored: [] }
      : trustedAttributes(envelope.message.data, envelope.message.attributes, deps.signingKeys ?? []);
    if (ignored.length > 0) {
      log.warn('unsigned notifier_* attributes ignored', { messageId: envelope.message.messageId, ignored, subscription: envelope.subscription, ...trace(req) });
    }
    const result = await deps.deliver({ ...envelope.message, attributes });
    const { status, level } = OUTCOMES[result.outcome];
    log.log(result.code === 'INTERNAL' ? 'error' : level, `delivery ${result.outcome}`, {
      ...result,
      deliveryAttempt: envelope.deliveryAttempt,
      subscription: envelope.subscription,
      durationMs: Date.now() - started,
      ...trace(req),
    });
    res.status(status).end();
  });

  if (deps.tasks) app.use(deps.tasks);
  if (deps.settings) app.use(deps.settings);
  if (deps.status) app.use(deps.status);
  if (deps.suppressions) app.use(deps.suppressions);
  if (deps.callbacks) app.use(deps.callbacks);

  const onError: ErrorRequestHandler = (err, req, res, _next) => {
    log.error('unhandled error', { error: (err as Error).message, ...trace(req) });
    res.status(500).json({ error: 'internal error' });
  };
  app.use(onError);
  return app;
}
