import express, { NextFunction, Request, RequestHandler, Response } from 'express';
import type { KeyObject } from 'node:crypto';
import {
  SENDGRID_PATH,
  SENDGRID_SIGNATURE_HEADER,
  SENDGRID_TIMESTAMP_HEADER,
  outcomesByMessage,
  SendGridEvent,
  sendGridOutcome,
  verifySendGridSignature,
} from '../channels/email/sendgrid-events';
import {
  isOptIn,
  isOptOut,
  statusReport,
  TWILIO_INBOUND_PATH,
  TWILIO_SIGNATURE_HEADER,
  TWILIO_STATUS_PATH,
  verifyTwilioSignature,
} from '../channels/sms/twilio-webhooks';
import { sendgridPublicKey } from '../config/callbacks';
import type { ProviderReport, ProviderReports } from '../delivery/provider-reports';
import type { SuppressionReason } from '../delivery/suppression';
import type { Logger } from '../logging';
import { apiErrors, details, logOnce } from './api';

/**
 * Provider status callbacks: Twilio's status callbacks and incoming messages, SendGrid's
 * Event Webhook. Each request is authenticated by its provider's signature (never by Google
 * OIDC: the providers cannot present one), then recorded through the provider-reports use
 * case. Once a request is verified the answer is 2xx, a report about a message the ledger
 * does not know included (counted, never an error the provider would retry forever); only a
 * MySQL outage answers 503, so the provider retries and the ledger records each event once.
 * Verification: src/channels/sms/twilio-webhooks.ts and src/channels/email/sendgrid-events.ts
 * (with the provider pages they follow).
 */

export interface CallbacksRouterDeps {
  reports: Pick<ProviderReports, 'report' | 'suppress' | 'unsuppressOptOut'>;
  /** The Twilio account's auth token (the SMS channel's); without it, or without publicUrl, Twilio callbacks are not served (404). */
  twilioAuthToken?: string;
  /** PUBLIC_URL: Twilio signs the URL it called, so signatures are checked against this plus the path, never the Host header. */
  publicUrl?: string;
  /** SENDGRID_WEBHOOK_PUBLIC_KEY (base64 DER); without it, SendGrid callbacks are not served (404). */
  sendgridPublicKey?: string;
  log: Logger;
  /** Epoch ms (tests). */
  clock?: () => number;
}

export const CALLBACK_LIMITS = {
  /** SendGrid batches events into one POST; anything larger is refused with 413. */
  maxBody: '1mb',
  /**
   * Twilio's callbacks are a few dozen form fields (under 2 KB). Their signature needs every
   * field parsed, sorted and hashed before anything is known of the sender, on a public
   * endpoint: a small bound keeps a forged request from stalling the process.
   */
  maxTwilioBody: '16kb',
  maxTwilioFields: 100,
  /** A SendGrid timestamp further than this from now is refused: a captured request replayed later. */
  maxTimestampSkewMs: 10 * 60 * 1000,
  /** Events of one SendGrid batch recorded at once (each is two short statements). */
  concurrency: 4,
} as const;

const LOG_MESSAGE = 'provider callback';
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

type Tally = { recorded: number; unknown: number; ignored: number; suppressed: number; unsuppressed: number };

/** The raw body (signatures cover the bytes as sent): at most `limit`, 413 beyond; 400 when it cannot be read. */
function rawBody(limit: string): RequestHandler {
  const parse = express.raw({ type: () => true, limit });
  return (req, res, next) => {
    parse(req, res, ((err?: unknown) => {
      const { type, status } = (err ?? {}) as { type?: string; status?: unknown };
      if (!err) {
        if (!Buffer.isBuffer(req.body)) req.body = Buffer.alloc(0);
        return next();
      }
      if (typeof status !== 'number' || status < 400 || status >= 500) return next(err);
      details(res).reason = type === 'entity.too.large' ? 'body too large' : 'unreadable body';
      if (type === 'entity.too.large') return void res.status(413).json({ error: `body exceeds ${limit}` });
      res.status(400).json({ error: 'the body cannot be read' });
    }) as NextFunction);
  };
}

/** 401, with the reason in the request's log line (never the body). */
function refuse(res: Response, reason: string): void {
  details(res).reason = reason;
  res.status(401).json({ error: 'the request is not signed by the provider' });
}

const notServed: RequestHandler = (_req, res) => {
  details(res).reason = 'not configured';
  res.status(404).json({ error: 'this callback is not configured' });
};

const notAllowed: RequestHandler = (_req, res) => {
  res.set('allow', 'POST').status(405).json({ error: 'method not allowed' });
};

/** Runs `fn` over `items`, at most `limit` at a time; the first failure is thrown once the running ones are done. */
async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const failures: unknown[] = [];
  const worker = async () => {
    while (next < items.length && failures.length === 0) {
      const item = items[next++]!;
      await fn(item).catch((err: unknown) => void failures.push(err));
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failures.length > 0) throw failures[0];
}

/** Counts what each request did, for its log line, and the unknown reports since the process started. */
function makeRecorder(reports: CallbacksRouterDeps['reports']) {
  let unknownTotal = 0;
  return {
    start(res: Response, provider: string): Tally {
      const tally: Tally = { recorded: 0, unknown: 0, ignored: 0, suppressed: 0, unsuppressed: 0 };
      Object.assign(details(res), { provider }, tally);
      return tally;
    },
    settle(res: Response, tally: Tally): void {
      Object.assign(details(res), tally, { unknownTotal });
    },
    async report(report: ProviderReport, tally: Tally): Promise<void> {
      const result = await reports.report(report);
      tally[result]++;
      if (report.suppress) tally.suppressed++;
      if (result === 'unknown') unknownTotal++;
    },
    /** A suppression the provider asked for about no message we can name (counted as unknown). */
    async suppressOnly(channel: 'SMS' | 'EMAIL', address: string, reason: SuppressionReason, source: string, tally: Tally): Promise<void> {
      await reports.suppress(channel, address, reason, source);
      tally.suppressed++;
      tally.unknown++;
      unknownTotal++;
    },
  };
}
type Recorder = ReturnType<typeof makeRecorder>;

/** Twilio's status callbacks and incoming messages, verified against PUBLIC_URL + the path and query called. */
function twilioHandlers(recorder: Recorder, reports: CallbacksRouterDeps['reports'], token: string, base: string) {
  const verify: RequestHandler = (req, res, next) => {
    const signature = req.get(TWILIO_SIGNATURE_HEADER);
    if (!signature) return refuse(res, 'signature missing');
    const body = (req.body as Buffer).toString('utf8');
    if (body.split('&').length > CALLBACK_LIMITS.maxTwilioFields) return refuse(res, 'too many fields');
    const params = new URLSearchParams(body);
    if (!verifyTwilioSignature(token, `${base}${req.originalUrl}`, params, signature)) return refuse(res, 'signature invalid');
    res.locals.params = params;
    next();
  };

  const status: RequestHandler = async (_req, res) => {
    const tally = recorder.start(res, 'twilio');
    const report = statusReport(res.locals.params as URLSearchParams);
    if (report) await recorder.report(report, tally);
    else tally.ignored++;
    recorder.settle(res, tally);
    res.status(204).end();
  };

  const inbound: RequestHandler = async (_req, res) => {
    const tally = recorder.start(res, 'twilio');
    const params = res.locals.params as URLSearchParams;
    const from = params.get('From');
    if (from && isOptOut(params)) {
      await reports.suppress('SMS', from, 'opt_out', 'twilio');
      tally.suppressed++;
    } else if (from && isOptIn(params) && (await reports.unsuppressOptOut('SMS', from, 'twilio'))) {
      tally.unsuppressed++;
    } else {
      tally.ignored++;
    }
    recorder.settle(res, tally);
    res.status(200).type('text/xml').send(EMPTY_TWIML);
  };

  return { status: [rawBody(CALLBACK_LIMITS.maxTwilioBody), verify, status], inbound: [rawBody(CALLBACK_LIMITS.maxTwilioBody), verify, inbound] };
}

/** SendGrid's Event Webhook: the signature covers the timestamp and the raw body; a timestamp outside ±10 minutes is a replay. */
function sendgridHandlers(recorder: Recorder, key: KeyObject, clock: () => number): RequestHandler[] {
  const verify: RequestHandler = (req, res, next) => {
    const signature = req.get(SENDGRID_SIGNATURE_HEADER);
    const timestamp = req.get(SENDGRID_TIMESTAMP_HEADER);
    if (!signature || !timestamp) return refuse(res, 'signature missing');
    if (!/^\d{1,12}$/.test(timestamp)) return refuse(res, 'timestamp malformed');
    if (!verifySendGridSignature(key, signature, timestamp, req.body as Buffer)) return refuse(res, 'signature invalid');
    if (Math.abs(clock() - Number(timestamp) * 1000) > CALLBACK_LIMITS.maxTimestampSkewMs) return refuse(res, 'timestamp outside the 10-minute window');
    next();
  };

  const events: RequestHandler = async (req: Request, res) => {
    const batch = jsonArray(req.body as Buffer);
    if (!batch) {
      details(res).reason = 'not an array of events';
      return void res.status(400).json({ error: 'the body is not a JSON array of events' });
    }
    const tally = recorder.start(res, 'sendgrid');
    const outcomes = batch.map((e) => (e && typeof e === 'object' ? sendGridOutcome(e as SendGridEvent) : ({ kind: 'ignored' } as const)));
    tally.ignored = outcomes.filter((o) => o.kind === 'ignored').length;
    try {
      await eachLimited(outcomesByMessage(outcomes), CALLBACK_LIMITS.concurrency, async (group) => {
        for (const o of group) {
          if (o.kind === 'report') await recorder.report(o.report, tally);
          // A hard bounce or complaint without a Message-ID: the address is still not to be sent to.
          else if (o.kind === 'suppress') await recorder.suppressOnly('EMAIL', o.address, o.reason, 'sendgrid', tally);
        }
      });
    } finally {
      recorder.settle(res, tally);
    }
    res.status(200).end();
  };

  return [rawBody(CALLBACK_LIMITS.maxBody), verify, events];
}

function jsonArray(body: Buffer): unknown[] | undefined {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    return Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * POST /v1/callbacks/twilio/status, /v1/callbacks/twilio/inbound and /v1/callbacks/sendgrid.
 * A callback whose secret or key is not configured is not served (404). Each request is
 * logged once with its counts (recorded, unknown, ignored, suppressed) and never an address.
 */
export function createCallbacksRouter(deps: CallbacksRouterDeps): express.Router {
  const recorder = makeRecorder(deps.reports);
  const twilio = deps.twilioAuthToken && deps.publicUrl ? twilioHandlers(recorder, deps.reports, deps.twilioAuthToken, deps.publicUrl) : undefined;
  const sendgrid = deps.sendgridPublicKey ? sendgridHandlers(recorder, sendgridPublicKey(deps.sendgridPublicKey), deps.clock ?? Date.now) : undefined;
  const routes: [string, RequestHandler[] | undefined][] = [
    [TWILIO_STATUS_PATH, twilio?.status],
    [TWILIO_INBOUND_PATH, twilio?.inbound],
    [SENDGRID_PATH, sendgrid],
  ];
  const router = express.Router();
  for (const [path, handlers] of routes) {
    router
      .route(path)
      .all(logOnce(deps.log, LOG_MESSAGE, path))
      .post(...(handlers ?? [notServed]))
      .all(notAllowed);
    router.use(path, apiErrors(deps.log, LOG_MESSAGE, path, { path: 'the path', storage: 'the delivery ledger' }));
  }
  return router;
}
