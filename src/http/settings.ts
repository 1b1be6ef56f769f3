import express, { Request, RequestHandler, Response } from 'express';
import { keyProblem } from '../codec/validate';
import type { Logger } from '../logging';
import type { Authenticator } from './auth';
import { AuditAction, audited, AuditSubject, documentCounts } from './settings-audit';
import { apiErrors, authenticateWith, details, isUnavailable, logOnce, readJsonObject } from './api';
import { SETTINGS_LIMITS, SettingsDocument, validateSettings } from '../settings/document';

/** The storage the settings API needs (makeMysqlSettingsStore provides it). */
export interface SettingsStore {
  get(accountId: string): Promise<{ document: SettingsDocument; updatedAt: Date } | undefined>;
  replace(accountId: string, document: SettingsDocument): Promise<{ document: SettingsDocument; updatedAt: Date }>;
  erase(accountId: string): Promise<{ erased: boolean; heldRemoved: number }>;
}

export interface SettingsRouterDeps {
  store: SettingsStore;
  /** Settings callers only (API_AUTH, SETTINGS_CALLERS): checked before anything else. */
  authenticator: Authenticator;
  log: Logger;
}

/** The one resource, as the OpenAPI description writes it. */
export const SETTINGS_ROUTE = '/v1/accounts/{accountId}/settings';
const EXPRESS_ROUTE = SETTINGS_ROUTE.replace('{accountId}', ':accountId');

/** Why a path's account ID cannot be one, or undefined. Lengths count characters, as the columns do. */
export function accountIdProblem(id: string): string | undefined {
  const length = [...id].length;
  if (length < 1 || length > SETTINGS_LIMITS.accountIdLength) return `must be 1 to ${SETTINGS_LIMITS.accountIdLength} characters`;
  if (/[\u0080-\u009f]/.test(id)) return 'must not contain control characters';
  const problem = keyProblem(id);
  return problem === 'contains control characters' ? 'must not contain control characters' : problem;
}

/** A store failure's status: MySQL unavailable → 503 (callers retry), anything else → 500. */
const failureStatus = (err: unknown) => (isUnavailable(err) ? 503 : 500);

const view = (accountId: string, s: { document: SettingsDocument; updatedAt: Date }) => ({
  accountId,
  ...s.document,
  updatedAt: s.updatedAt.toISOString(),
});

const accountOf = (req: Request) => String(req.params.accountId);

/** Set once authentication has passed: who is asking. */
const callerIn = (res: Response): string => res.locals.caller as string;
const auditSubject = (action: AuditAction, req: Request, res: Response): AuditSubject => ({ action, caller: callerIn(res), accountId: accountOf(req) });

const checkAccount: RequestHandler = (req, res, next) => {
  const problem = accountIdProblem(accountOf(req));
  if (!problem) return next();
  details(res).reason = `accountId ${problem}`;
  res.status(400).json({ error: `accountId ${problem}` });
};

const readBody = readJsonObject(SETTINGS_LIMITS.bodyBytes);

const getSettings = (store: SettingsStore): RequestHandler => async (req, res) => {
  const stored = await store.get(accountOf(req));
  if (!stored) return void res.status(404).json({ error: `no settings for account ${accountOf(req)}` });
  res.status(200).json(view(accountOf(req), stored));
};

// Only a change handed to the store is audited; a request refused before that changed nothing.
const putSettings = (store: SettingsStore, log: Logger): RequestHandler => async (req, res) => {
  const result = validateSettings(req.body, { accountId: accountOf(req) });
  if (!result.ok) {
    details(res).problems = result.problems.map((p) => p.field);
    return void res.status(422).json({ error: 'invalid settings', problems: result.problems });
  }
  const stored = await audited(log, auditSubject('settings.replace', req, res), () => store.replace(accountOf(req), result.document), {
    done: (s) => ({ status: 200, ...documentCounts(s.document) }),
    failureStatus,
  });
  res.status(200).json(view(accountOf(req), stored));
};

const deleteSettings = (store: SettingsStore, log: Logger): RequestHandler => async (req, res) => {
  const erasure = await audited(log, auditSubject('settings.erase', req, res), () => store.erase(accountOf(req)), {
    done: (e) => ({ status: 204, ...e }),
    failureStatus,
  });
  Object.assign(details(res), erasure);
  res.status(204).end();
};

const notAllowed: RequestHandler = (_req, res) => {
  res.set('allow', 'GET, PUT, DELETE').status(405).json({ error: 'method not allowed' });
};

/**
 * GET / PUT / DELETE /v1/accounts/{accountId}/settings: authentication before anything else,
 * then the account ID, then the body. Every request is logged once when it has been answered,
 * with the caller once authenticated; every change handed to the store gets one audit line.
 */
export function createSettingsRouter(deps: SettingsRouterDeps): express.Router {
  const { store, log } = deps;
  const router = express.Router();
  router
    .route(EXPRESS_ROUTE)
    .all(logOnce(log, 'settings request', SETTINGS_ROUTE), authenticateWith(deps.authenticator), checkAccount)
    .get(getSettings(store))
    .put(readBody, putSettings(store, log))
    .delete(deleteSettings(store, log))
    .all(notAllowed);
  // On the static prefix: a path that cannot be decoded fails to match EXPRESS_ROUTE too.
  router.use('/v1/accounts', apiErrors(log, 'settings request', SETTINGS_ROUTE, { path: 'accountId', storage: 'settings storage' }));
  return router;
}
