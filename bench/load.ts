import http from 'node:http';

/** A push endpoint under load: its own keep-alive connections, reused across batches. */
export interface Target {
  name: string;
  port: number;
  agent: http.Agent;
}

export function makeTarget(name: string, port: number, concurrency: number): Target {
  // Like Pub/Sub's push client: a fixed set of persistent connections.
  return { name, port, agent: new http.Agent({ keepAlive: true, maxSockets: concurrency }) };
}

/** Status 0 means the request failed before any answer (e.g. a reset connection). */
export function post(target: Target, body: Buffer): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: target.port,
        path: '/pubsub/push',
        method: 'POST',
        agent: target.agent,
        headers: { 'content-type': 'application/json', 'content-length': body.length },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

export interface BatchRun {
  /** Status per envelope; undefined when the time bound stopped the batch before it. */
  statuses: (number | undefined)[];
  /** Latency of every answered request, ms. */
  latenciesMs: number[];
  elapsedMs: number;
}

const ok = (status: number | undefined) => status !== undefined && status >= 200 && status < 300;

/**
 * Pushes `bodies` with `concurrency` requests in flight until all are answered or
 * `maxMs` passed (no new request starts after that). Bodies are serialised beforehand
 * so the generator's own work stays out of the timed window.
 */
export async function runBatch(target: Target, bodies: readonly Buffer[], concurrency: number, maxMs: number): Promise<BatchRun> {
  const statuses: (number | undefined)[] = new Array(bodies.length);
  const latenciesMs: number[] = [];
  const started = performance.now();
  const deadline = started + maxMs;
  let next = 0;
  const worker = async () => {
    while (next < bodies.length && performance.now() < deadline) {
      const i = next++;
      const t0 = performance.now();
      statuses[i] = await post(target, bodies[i]!);
      latenciesMs.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, bodies.length) }, worker));
  return { statuses, latenciesMs, elapsedMs: performance.now() - started };
}

export const answered = (run: BatchRun) => run.statuses.filter(ok).length;

/**
 * Pub/Sub redelivers whatever was not acked: do the same, untimed, so that the mail
 * check judges the notifier's exactly-once and not the generator's patience.
 * Returns how many were still not acked after `attempts` rounds.
 */
export async function redeliverUnacked(target: Target, bodies: readonly Buffer[], run: BatchRun, attempts = 5): Promise<number> {
  let pending = bodies.map((_, i) => i).filter((i) => !ok(run.statuses[i]));
  for (let attempt = 1; attempt <= attempts && pending.length > 0; attempt++) {
    await new Promise((r) => setTimeout(r, 200 * attempt));
    const statuses = await Promise.all(pending.map((i) => post(target, bodies[i]!)));
    pending = pending.filter((_, k) => !ok(statuses[k]));
  }
  return pending.length;
}
