import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from '../logging';
import type { Authenticator } from './auth';
import { callerOf } from './caller';

/**
 * What the notifier's JSON APIs (settings, status) share: one log line per request,
 * authentication first, and how a storage failure is answered.
 */

/** What a request's log line carries besides method, route, status and duration (never a body). */
type LogDetails = Record<string, unknown>;
export const details = (res: Response): LogDetails => ((res.locals.log ??= {}) as LogDetails);

export function isUnavailable(err: unknown): boolean {
  const e = err as { kind?: string; code?: string };
  return e?.kind === 'transient' && e.code === 'DATABASE_UNAVAILABLE';
}

/** Driver messages can quote key values: those are cut out before logging. */
const safeMessage = (err: unknown) => String((err as Error)?.message ?? err).replace(/'[^']*'/g, "'…'").slice(0, 200);

/** One line per request when it has been answered: `message`, method, route, status, duration. */
export function logOnce(log: Logger, message: string, route: string): RequestHandler {
  return (req, res, next) => {
    const started = Date.now();
    res.on('finish', () => {
      const status = res.statusCode;
      const level = status === 503 || (status >= 400 && status < 500) ? 'warn' : status >= 500 ? 'error' : 'info';
      log.log(level, message, { method: req.method, route, status, durationMs: Date.now() - started, ...details(res) });
    });
    next();
  };
}

/** Authentication before anything else; the verified caller is kept in `res.locals.caller` and the log line. */
export function authenticateWith(authenticator: Authenticator): RequestHandler {
  return async (req, res, next) => {
    const auth = await authenticator.authenticate(req.get('authorization'));
    if (auth.ok) {
      const caller = callerOf(auth);
      res.locals.caller = caller;
      details(res).caller = caller;
      return next();
    }
    details(res).reason = auth.reason;
    res.status(auth.status).json({ error: auth.reason });
  };
}

/** MySQL unavailable → 503 (callers retry); a path that cannot be decoded → 400; anything else → 500. */
export function apiErrors(log: Logger, message: string, route: string, what: { path: string; storage: string }) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof URIError) {
      log.warn(message, { method: req.method, route, status: 400, reason: 'undecodable path' });
      return void res.status(400).json({ error: `${what.path} is not valid percent-encoding` });
    }
    details(res).error = safeMessage(err);
    if (isUnavailable(err)) return void res.status(503).json({ error: `${what.storage} is unavailable; retry later` });
    res.status(500).json({ error: 'internal error' });
  };
}
