import { Router } from 'express';
import type { ReleaseHeld, ReleaseResult } from '../delivery/release-held';
import { TransientError } from '../delivery/failures';
import type { Logger } from '../logging';
import type { Authenticator } from './auth';

export interface TasksRouterDeps {
  releaseHeld: ReleaseHeld;
  /** Admits the scheduler's service account (TASKS_CALLER) only. */
  authenticator: Authenticator;
  log: Logger;
}

const counts = (r: ReleaseResult) => ({ released: r.released, expired: r.expired, failed: r.failed, more: r.more });

/**
 * Task endpoints Cloud Scheduler calls. `POST /tasks/release-held` releases one batch of
 * held notifications: 200 with the counts; 503 (with the counts) when a publish or MySQL
 * failed, so the scheduler's retry and its error metrics see it; calling it again is always
 * safe (claims keep concurrent calls apart, the ledger deduplicates a second publish).
 */
export function createTasksRouter(deps: TasksRouterDeps): Router {
  const { log } = deps;
  const router = Router();

  router.post('/tasks/release-held', async (req, res) => {
    const auth = await deps.authenticator.authenticate(req.get('authorization'));
    if (!auth.ok) {
      log.warn('task request rejected', { task: 'release-held', status: auth.status, reason: auth.reason });
      res.status(auth.status).json({ error: auth.reason });
      return;
    }
    const started = Date.now();
    let result: ReleaseResult;
    try {
      result = await deps.releaseHeld();
    } catch (err) {
      const unavailable = err instanceof TransientError;
      log.log(unavailable ? 'warn' : 'error', 'release held failed', {
        task: 'release-held',
        error: (err as Error).message,
        durationMs: Date.now() - started,
      });
      res.status(unavailable ? 503 : 500).json({ error: unavailable ? 'a dependency is unavailable' : 'internal error' });
      return;
    }
    const ok = result.failed === 0;
    log.log(ok ? 'info' : 'warn', 'release held', {
      task: 'release-held',
      ...counts(result),
      ...(result.error !== undefined && { error: result.error }),
      durationMs: Date.now() - started,
    });
    res.status(ok ? 200 : 503).json(counts(result));
  });

  return router;
}
