import express, { Request, RequestHandler } from 'express';
import type { DeliveryStatus } from '../delivery/ports';
import { keyProblem, MAX_ID_LENGTH } from '../codec/validate';
import type { Logger } from '../logging';
import type { HistoryEntry } from '../mysql/ledger-history';
import type { Authenticator } from './auth';
import { apiErrors, authenticateWith, details, logOnce } from './api';
import { accountIdProblem } from './settings';

/** One delivery (ledger row) of a notification, as the status API shows it: identifiers and codes, no address or content. */
export interface DeliveryStatusView {
  notificationId: string;
  channel: string;
  /** One contact of a routed notification (`EMAIL:1a2b3c4d`): set when it differs from the channel. */
  target?: string;
  type: string;
  /** The ledger's status; `routed` for a routed notification's fan-out. */
  status: DeliveryStatus | 'routed';
  attempts: number;
  replays?: number;
  providerMessageId?: string;
  code?: string;
  /** The rendering sent, `id@version/locale/digest` (a templated notification only). */
  template?: string;
  releaseAt?: string;
  resolution?: string;
  createdAt: string;
  updatedAt: string;
  events: HistoryEntry[];
}

/** Where an account's page continues: the last row shown. */
export interface PageCursor {
  createdAt: string;
  notificationId: string;
  channel: string;
}

export interface AccountPageRequest {
  sinceMs: number;
  limit: number;
  after?: PageCursor;
}

export interface AccountPage {
  deliveries: DeliveryStatusView[];
  next?: PageCursor;
}

/** The storage the status API reads (makeMysqlStatusStore provides it). */
export interface StatusStore {
  notification(notificationId: string): Promise<DeliveryStatusView[]>;
  accountPage(accountId: string, request: AccountPageRequest): Promise<AccountPage>;
}

export interface StatusRouterDeps {
  store: StatusStore;
  /** Status callers only (API_AUTH, STATUS_CALLERS): checked before anything else. */
  authenticator: Authenticator;
  log: Logger;
  clock?: () => number;
  /** A contact target as callers may see it (routing.ts makePublicTarget); default: as it is. */
  publicTarget?: (target: string) => string;
}

export const NOTIFICATION_ROUTE = '/v1/notifications/{notificationId}';
export const ACCOUNT_NOTIFICATIONS_ROUTE = '/v1/accounts/{accountId}/notifications';

export const STATUS_LIMITS = {
  defaultLimit: 50,
  maxLimit: 200,
  /** Without `since`, a page reaches back this far. */
  defaultSinceDays: 30,
} as const;

const DAY_MS = 86_400_000;
const LOG_MESSAGE = 'status request';

/** The page token is the cursor as base64url JSON: opaque to callers, checked like any input. */
export const encodePageToken = (c: PageCursor) => Buffer.from(JSON.stringify([c.createdAt, c.notificationId, c.channel])).toString('base64url');

export function decodePageToken(token: string): PageCursor | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 3 || !parsed.every((p) => typeof p === 'string')) return undefined;
  const [createdAt, notificationId, channel] = parsed as string[];
  const valid = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/.test(createdAt!) && !notificationIdProblem(notificationId!) && /^[A-Z]{1,16}(:[0-9a-f]{8})?$/.test(channel!);
  return valid ? { createdAt: createdAt!, notificationId: notificationId!, channel: channel! } : undefined;
}

export function notificationIdProblem(id: string): string | undefined {
  if (id.length < 1 || id.length > MAX_ID_LENGTH) return `must be 1 to ${MAX_ID_LENGTH} characters`;
  return keyProblem(id);
}

type Query = { since?: unknown; limit?: unknown; pageToken?: unknown };

/** Whether the calendar date at the start of `iso` exists. */
function realDate(iso: string): boolean {
  const [y, m, d] = iso.slice(0, 10).split('-').map(Number);
  const date = new Date(Date.UTC(y!, m! - 1, d!));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m! - 1 && date.getUTCDate() === d;
}

/** The query of an account page → the request, or the problem with it (400). */
export function pageRequest(q: Query, nowMs: number): AccountPageRequest | { problem: string } {
  const repeated = (['since', 'limit', 'pageToken'] as const).find((name) => Array.isArray(q[name]));
  if (repeated) return { problem: `${repeated} must be given once` };
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const since = text(q.since);
  const sinceMs = since === undefined ? nowMs - STATUS_LIMITS.defaultSinceDays * DAY_MS : Date.parse(since);
  // A date that does not exist (2026-02-30) parses into the next month: refused, not rolled over.
  const real = since === undefined || (!Number.isNaN(sinceMs) && realDate(since));
  if (!real || Number.isNaN(sinceMs) || (since !== undefined && !/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/.test(since))) {
    return { problem: 'since must be an ISO 8601 date or time, e.g. 2026-12-01 or 2026-12-01T09:00:00Z' };
  }
  const limitText = text(q.limit);
  const limit = limitText === undefined ? STATUS_LIMITS.defaultLimit : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > STATUS_LIMITS.maxLimit || (limitText !== undefined && !/^\d+$/.test(limitText))) {
    return { problem: `limit must be an integer from 1 to ${STATUS_LIMITS.maxLimit}` };
  }
  const token = text(q.pageToken);
  if (token === undefined) return { sinceMs, limit };
  const after = decodePageToken(token);
  return after ? { sinceMs, limit, after } : { problem: 'pageToken is not one this API returned' };
}

type Publish = (d: DeliveryStatusView) => DeliveryStatusView;

/** GET /v1/notifications/{id}'s body: the deliveries without the ID each would repeat. */
export const notificationBody = (notificationId: string, deliveries: readonly DeliveryStatusView[]) => ({
  notificationId,
  deliveries: deliveries.map(({ notificationId: _id, ...d }) => d),
});

const getNotification = (store: StatusStore, publish: Publish): RequestHandler => async (req, res) => {
  const id = String(req.params.notificationId);
  const problem = notificationIdProblem(id);
  if (problem) return void res.status(400).json({ error: `notificationId ${problem}` });
  const deliveries = await store.notification(id);
  details(res).deliveries = deliveries.length;
  if (deliveries.length === 0) return void res.status(404).json({ error: `no delivery of notification ${id} is recorded` });
  res.status(200).json(notificationBody(id, deliveries.map(publish)));
};

const getAccountPage = (store: StatusStore, clock: () => number, publish: Publish): RequestHandler => async (req: Request, res) => {
  const accountId = String(req.params.accountId);
  const problem = accountIdProblem(accountId);
  if (problem) return void res.status(400).json({ error: `accountId ${problem}` });
  const request = pageRequest(req.query as Query, clock());
  if ('problem' in request) return void res.status(400).json({ error: request.problem });
  const page = await store.accountPage(accountId, request);
  details(res).deliveries = page.deliveries.length;
  res.status(200).json({
    accountId,
    deliveries: page.deliveries.map(publish),
    ...(page.next && { nextPageToken: encodePageToken(page.next) }),
  });
};

const notAllowed: RequestHandler = (_req, res) => {
  res.set('allow', 'GET').status(405).json({ error: 'method not allowed' });
};

/**
 * GET /v1/notifications/{notificationId} and GET /v1/accounts/{accountId}/notifications:
 * what happened to a notification, from the delivery ledger (each row's status and history).
 * Authentication first; each request is logged once (never the IDs' deliveries' content).
 */
export function createStatusRouter(deps: StatusRouterDeps): express.Router {
  const { store, log } = deps;
  const clock = deps.clock ?? Date.now;
  const { publicTarget } = deps;
  const publish: Publish = (d) => (publicTarget && d.target ? { ...d, target: publicTarget(d.target) } : d);
  const router = express.Router();
  const routes: [string, RequestHandler][] = [
    [NOTIFICATION_ROUTE, getNotification(store, publish)],
    [ACCOUNT_NOTIFICATIONS_ROUTE, getAccountPage(store, clock, publish)],
  ];
  for (const [route, handler] of routes) {
    router
      .route(route.replace(/\{(\w+)\}/g, ':$1'))
      .all(logOnce(log, LOG_MESSAGE, route), authenticateWith(deps.authenticator))
      .get(handler)
      .all(notAllowed);
  }
  for (const [route] of routes) {
    router.use(route.slice(0, route.indexOf('{') - 1), apiErrors(log, LOG_MESSAGE, route, { path: 'the path', storage: 'the delivery ledger' }));
  }
  return router;
}
