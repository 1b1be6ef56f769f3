import express, { NextFunction, Request, RequestHandler, Response } from 'express';
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

/**
 * Reads a JSON object body of at most `limitBytes`: 413 over it, 400 when it is not JSON or
 * not an object; messages never quote the body. body-parser reads an empty body as {}, so
 * its size is kept to refuse that too (an empty PUT must not erase settings).
 */
export function readJsonObject(limitBytes: number): RequestHandler {
  const parse = express.json({
    limit: limitBytes,
    type: () => true,
    verify: (_req, res, buf) => void ((res as Response).locals.bodyBytes = buf.length),
  });
  return (req, res, next) => {
    parse(req, res, ((err?: { type?: string; status?: number }) => {
      if (err?.type === 'entity.too.large') return void res.status(413).json({ error: `body exceeds ${limitBytes} bytes` });
      if (err && typeof err.status === 'number' && err.status < 500) {
        return void res.status(400).json({ error: err.type === 'entity.parse.failed' ? 'body is not JSON' : 'body cannot be read' });
      }
      if (err) return next(err);
      if (!res.locals.bodyBytes || typeof req.body !== 'object' || req.body === null || Array.isArray(req.body)) {
        return void res.status(400).json({ error: 'body must be a JSON object' });
      }
      next();
    }) as NextFunction);
  };
}
