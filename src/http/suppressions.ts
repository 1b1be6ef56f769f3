import express, { Request, RequestHandler, Response } from 'express';
import { RECIPIENT_CHECKS } from '../codec/payload-checks';
import {
  AddressHasher, isSuppressible, SUPPRESSES_MANDATORY, SuppressibleChannel, SuppressionEntry, SuppressionKey, SuppressionStore,
} from '../delivery/suppression';
import { Logger, maskEmail, maskPhone } from '../logging';
import { cut } from '../text';
import type { Authenticator } from './auth';
import { apiErrors, authenticateWith, details, isUnavailable, logOnce, readJsonObject } from './api';

/**
 * The suppression list's API: look an address up, add one, remove one, list the newest entries.
 * Addresses travel in request bodies only (URLs end up in logs) and are hashed at once; an
 * address is never stored, logged or answered, only its keyed hash. `notifier suppressions`
 * (src/cli/suppressions.ts) shares the checks, the add and the audit line.
 */
export interface SuppressionsRouterDeps {
  store: SuppressionStore;
  /** SUPPRESSION_KEY's hasher (makeAddressHasher): the same hash the delivery path looks up. */
  hash: AddressHasher;
  /** Suppression callers only (API_AUTH, SUPPRESSION_CALLERS): checked before anything else. */
  authenticator: Authenticator;
  log: Logger;
}

export const SUPPRESSIONS_ROUTE = '/v1/suppressions';
export const LOOKUP_ROUTE = '/v1/suppressions:lookup';
export const REMOVE_ROUTE = '/v1/suppressions:remove';

export const SUPPRESSION_LIMITS = {
  bodyBytes: 4096,
  defaultLimit: 50,
  maxLimit: 200,
  /** The `source` column (migration 0008): who put an entry there. */
  sourceLength: 64,
} as const;

/** What a caller may put an address on the list for; bounces and complaints come from provider reports only. */
export const SETTABLE_REASONS = ['manual', 'opt_out'] as const;
export type SettableReason = (typeof SETTABLE_REASONS)[number];

/** One address named in a request, checked; `reason` only where the request takes one. */
export interface AddressRequest {
  channel: SuppressibleChannel;
  address: string;
  reason?: SettableReason;
}

/** What is wrong with a request: the field and the problem, never the value (it may be an address). */
export interface RequestProblem {
  field: string;
  problem: string;
}

const fail = (field: string, problem: string): RequestProblem => ({ field, problem });
export const describeProblem = (p: RequestProblem) => `${p.field} ${p.problem}`;

export function channelProblem(value: unknown): string | undefined {
  return typeof value === 'string' && isSuppressible(value) ? undefined : 'must be EMAIL or SMS';
}

/** The payload recipient check of the channel (codec), on the address without surrounding whitespace. */
export function addressProblem(channel: SuppressibleChannel, value: unknown): string | undefined {
  if (value === undefined || (typeof value === 'string' && value.trim() === '')) return 'is required';
  if (typeof value !== 'string') return 'must be a string';
  return RECIPIENT_CHECKS[channel](value.trim());
}

/** A request body naming one address (and, where `withReason`, a reason) → the request, or its first problem. */
export function addressRequest(body: Record<string, unknown>, opts: { withReason: boolean }): AddressRequest | RequestProblem {
  const fields = opts.withReason ? ['channel', 'address', 'reason'] : ['channel', 'address'];
  // An unknown field is refused, never named: it could be anything, an address included.
  if (Object.keys(body).some((k) => !fields.includes(k))) return fail('body', `may have only ${fields.join(', ')}`);
  const channel = channelProblem(body.channel);
  if (channel) return fail('channel', channel);
  const ch = body.channel as SuppressibleChannel;
  const address = addressProblem(ch, body.address);
  if (address) return fail('address', address);
  const request: AddressRequest = { channel: ch, address: (body.address as string).trim() };
  if (body.reason === undefined) return request;
  if (!SETTABLE_REASONS.includes(body.reason as SettableReason)) {
    return fail('reason', 'must be manual or opt_out (hard bounces and complaints come from provider reports)');
  }
  return { ...request, reason: body.reason as SettableReason };
}

/** A list request from the query (or the CLI's flags) → channel and limit, or the problem. */
export function listRequest(q: { channel?: unknown; limit?: unknown }): { channel?: SuppressibleChannel; limit: number } | RequestProblem {
  if (q.channel !== undefined && channelProblem(q.channel)) return fail('channel', 'must be EMAIL or SMS');
  const { defaultLimit, maxLimit } = SUPPRESSION_LIMITS;
  const limit = q.limit === undefined ? defaultLimit : typeof q.limit === 'string' && /^\d{1,3}$/.test(q.limit) ? Number(q.limit) : NaN;
  if (!(limit >= 1 && limit <= maxLimit)) return fail('limit', `must be an integer from 1 to ${maxLimit}`);
  return { ...(q.channel !== undefined && { channel: q.channel as SuppressibleChannel }), limit };
}

/** An address as it may be shown to a person: `a***@example.com`, `+81********78`. */
export const maskAddress = (channel: SuppressibleChannel, address: string) => (channel === 'EMAIL' ? maskEmail(address.trim().toLowerCase()) : maskPhone(address.trim()));

/**
 * Adds an address unless it is on the list already: then the first entry stands and is returned.
 * Read first because the MySQL store's `add` cannot tell: mysql2 connects with CLIENT_FOUND_ROWS,
 * so its no-op `ON DUPLICATE KEY UPDATE` counts one row, as an insert does. `entry` is undefined
 * only when the entry was removed between the add and the read.
 */
export async function addSuppression(
  store: SuppressionStore,
  key: SuppressionKey,
  add: { reason: SettableReason; source: string },
): Promise<{ added: boolean; entry?: SuppressionEntry }> {
  const existing = await store.get(key);
  if (existing) return { added: false, entry: existing };
  const source = cut(add.source, SUPPRESSION_LIMITS.sourceLength);
  const added = await store.add(key, { reason: add.reason, mandatoryToo: SUPPRESSES_MANDATORY[add.reason], source });
  return { added, entry: await store.get(key) };
}

/** The message of every audit line: what a log query or a log-based metric selects. */
export const SUPPRESSION_AUDIT_MESSAGE = 'suppression audit';

/** Who changed which entry, and how: known before the store is called. The hash names the entry, never the address. */
export interface SuppressionAuditSubject extends SuppressionKey {
  action: 'suppression.add' | 'suppression.remove';
  /** The API's verified caller (`unauthenticated` when API_AUTH=none), or the CLI's `--by`. */
  caller: string;
  via: 'api' | 'cli';
}

/** `added`/`already_suppressed` for an add, `removed`/`not_suppressed` for a remove; `failed` when the store failed (the change may not have happened). */
export type SuppressionResult = 'added' | 'already_suppressed' | 'removed' | 'not_suppressed' | 'failed';
export type SuppressionAuditOutcome = { result: SuppressionResult } & Record<string, string | number>;

/**
 * Runs one change and writes its one audit line (`write` gets the line's fields) as soon as the
 * store has answered, whether or not anyone is still waiting for the answer; a failure is
 * written as `failed` and rethrown.
 */
export async function auditedChange<T>(
  write: (fields: Record<string, unknown>) => void,
  subject: SuppressionAuditSubject,
  change: () => Promise<T>,
  outcome: { done: (result: T) => SuppressionAuditOutcome; failed: (err: unknown) => SuppressionAuditOutcome },
): Promise<T> {
  let result: T;
  try {
    result = await change();
  } catch (err) {
    write({ ...subject, ...outcome.failed(err) });
    throw err;
  }
  write({ ...subject, ...outcome.done(result) });
  return result;
}

const callerIn = (res: Response): string => res.locals.caller as string;
const failureStatus = (err: unknown) => (isUnavailable(err) ? 503 : 500);

const readBody = readJsonObject(SUPPRESSION_LIMITS.bodyBytes);

/** The checked request, or undefined once a 400 naming the field has been answered. */
function checked(req: Request, res: Response, withReason: boolean): AddressRequest | undefined {
  const request = addressRequest(req.body as Record<string, unknown>, { withReason });
  if ('field' in request) {
    details(res).problem = request.field;
    res.status(400).json({ error: describeProblem(request) });
    return undefined;
  }
  details(res).channel = request.channel;
  return request;
}

const lookup = ({ store, hash }: SuppressionsRouterDeps): RequestHandler => async (req, res) => {
  const request = checked(req, res, false);
  if (!request) return;
  const entry = await store.get(hash(request.channel, request.address));
  details(res).found = entry !== undefined;
  if (!entry) return void res.status(404).json({ error: `the ${request.channel} address is not on the suppression list` });
  res.status(200).json(entry);
};

const add = ({ store, hash, log }: SuppressionsRouterDeps): RequestHandler => async (req, res) => {
  const request = checked(req, res, true);
  if (!request) return;
  const key = hash(request.channel, request.address);
  const reason = request.reason ?? 'manual';
  const statusOf = (o: { added: boolean; entry?: SuppressionEntry }) => (!o.entry ? 409 : o.added ? 201 : 200);
  const outcome = await auditedChange(auditLine(log), { action: 'suppression.add', caller: callerIn(res), via: 'api', ...key }, () => addSuppression(store, key, { reason, source: callerIn(res) }), {
    done: (o) => ({ reason, result: o.added ? 'added' : 'already_suppressed', status: statusOf(o) }),
    failed: (err) => ({ reason, result: 'failed', status: failureStatus(err) }),
  });
  details(res).result = outcome.added ? 'added' : 'already_suppressed';
  if (!outcome.entry) return void res.status(409).json({ error: 'the entry was removed while it was being added; retry' });
  res.status(statusOf(outcome)).json(outcome.entry);
};

const remove = ({ store, hash, log }: SuppressionsRouterDeps): RequestHandler => async (req, res) => {
  const request = checked(req, res, false);
  if (!request) return;
  const key = hash(request.channel, request.address);
  const removed = await auditedChange(auditLine(log), { action: 'suppression.remove', caller: callerIn(res), via: 'api', ...key }, () => store.remove(key), {
    done: (r) => ({ result: r ? 'removed' : 'not_suppressed', status: 200 }),
    failed: (err) => ({ result: 'failed', status: failureStatus(err) }),
  });
  details(res).result = removed ? 'removed' : 'not_suppressed';
  res.status(200).json({ removed });
};

const list = ({ store }: SuppressionsRouterDeps): RequestHandler => async (req, res) => {
  const request = listRequest(req.query as { channel?: unknown; limit?: unknown });
  if ('field' in request) {
    details(res).problem = request.field;
    return void res.status(400).json({ error: describeProblem(request) });
  }
  const entries = await store.list(request);
  details(res).entries = entries.length;
  res.status(200).json({ suppressions: entries });
};

const auditLine = (log: Logger) => (fields: Record<string, unknown>) => log.info(SUPPRESSION_AUDIT_MESSAGE, fields);

const notAllowed = (allow: string): RequestHandler => (_req, res) => {
  res.set('allow', allow).status(405).json({ error: 'method not allowed' });
};

/**
 * POST /v1/suppressions:lookup, POST /v1/suppressions (add), POST /v1/suppressions:remove,
 * GET /v1/suppressions (newest first). Authentication before anything else, then the body.
 * Every request is logged once when answered; every change handed to the store gets one audit line.
 */
export function createSuppressionsRouter(deps: SuppressionsRouterDeps): express.Router {
  const { log } = deps;
  const router = express.Router();
  const start = (route: string) => [logOnce(log, 'suppression request', route), authenticateWith(deps.authenticator)];
  // `:` is literal in these paths, not a parameter.
  const path = (route: string) => route.replace(':', '\\:');
  router.route(SUPPRESSIONS_ROUTE).all(start(SUPPRESSIONS_ROUTE)).get(list(deps)).post(readBody, add(deps)).all(notAllowed('GET, POST'));
  router.route(path(LOOKUP_ROUTE)).all(start(LOOKUP_ROUTE)).post(readBody, lookup(deps)).all(notAllowed('POST'));
  router.route(path(REMOVE_ROUTE)).all(start(REMOVE_ROUTE)).post(readBody, remove(deps)).all(notAllowed('POST'));
  // Only this router's routes reach it: errors elsewhere in the app never enter a router.
  router.use(apiErrors(log, 'suppression request', SUPPRESSIONS_ROUTE, { path: 'the path', storage: 'the suppression list' }));
  return router;
}
