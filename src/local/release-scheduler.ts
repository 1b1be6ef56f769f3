/**
 * What Cloud Scheduler does in production (terraform/scheduler.tf), for the local pipeline:
 * POST /tasks/release-held on a timer, so notifications held for quiet hours go out when
 * they end. Calls never overlap; a call that finds nothing prints nothing.
 */
export interface ReleaseScheduler {
  close(): Promise<void>;
}

interface ReleaseCounts {
  released?: number;
  expired?: number;
  failed?: number;
}

/** A release call may take this long (Cloud Scheduler's attempt deadline plays this part). */
const CALL_TIMEOUT_MS = 60_000;

export function startReleaseScheduler(opts: { endpoint: string; everyMs: number; say(line: string): void }): ReleaseScheduler {
  let running: Promise<void> | undefined;
  const call = async () => {
    try {
      const res = await fetch(opts.endpoint, { method: 'POST', signal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
      const counts = (await res.json()) as ReleaseCounts;
      if (res.status !== 200 || counts.released || counts.expired || counts.failed) {
        opts.say(`release held: ${res.status} released ${counts.released ?? 0}, expired ${counts.expired ?? 0}, failed ${counts.failed ?? 0}`);
      }
    } catch (err) {
      opts.say(`release held: ${(err as Error).message}`);
    }
  };
  const timer = setInterval(() => {
    running ??= call().finally(() => (running = undefined));
  }, opts.everyMs);
  return {
    async close() {
      clearInterval(timer);
      await running;
    },
  };
}
