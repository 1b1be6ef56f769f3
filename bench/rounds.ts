import { rssMb } from './children';
import { cpuMeter } from './cpu';
import { Batch, firstDeliveries, redeliveriesOf } from './envelopes';
import { answered, redeliverUnacked, runBatch, Target } from './load';
import { CommandCounts, LockTimes, roundTrips } from './mysql-counter';
import type { BenchOptions } from './options';
import { describe, Kind, Measured, Round } from './stats';

/** A server under load, and the proxy counting its MySQL commands. */
export interface Server {
  target: Target;
  mysqlCommands: CommandCounts;
  /** The same proxy's lock clock (running totals). */
  locks: LockTimes;
  pid?: number;
  /** MariaDB's pid, to see its share of the CPU (other users' queries count too). */
  databasePid?: number;
}

export interface Servers {
  naive: Server;
  /** HTTP, decode and SMTP without MySQL: no ledger, so first deliveries only. */
  ceiling: Server;
  /** The notifier on the (nearly) empty ledger: first deliveries and duplicates. */
  empty: Server;
  /** The same build on the 1M-row ledger: first deliveries. */
  large: Server;
}

/**
 * When a measured batch ran, in µs of CLOCK_MONOTONIC — the clock of V8's `--cpu-prof`
 * timestamps — so that a child's profile can be cut to its batches (profile-summary.ts).
 */
export interface BatchWindow {
  pid?: number;
  kind: Kind;
  round: number;
  fromUs: number;
  toUs: number;
  done: number;
}

export interface Results {
  rounds: Round[];
  /** Requests answered non-2xx (or not at all) inside timed batches. */
  nacked: number;
  /** Still not acked after redelivery: these would go to Pub/Sub's dead-letter topic. */
  unacked: number;
  /** Every measured batch's window, for `--profile` (written to DIR/batches.json). */
  windows: BatchWindow[];
}

type Log = (line: string) => void;

const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

/**
 * Measures one batch; afterwards, untimed, redelivers whatever was not acked as Pub/Sub
 * would. The MySQL commands counted in the window belong to this batch alone, because
 * each server has its own proxy and nothing else runs against it meanwhile.
 */
async function measure(server: Server, batch: Batch, opts: BenchOptions, results: Results) {
  const before = roundTrips(server.mysqlCommands);
  const locksBefore = { ...server.locks };
  const cpuSince = cpuMeter(server.pid, server.databasePid);
  const fromUs = monotonicUs();
  const run = await runBatch(server.target, batch.bodies, opts.concurrency, opts.batchSeconds * 1000);
  const toUs = monotonicUs();
  const cpu = cpuSince();
  const commands = roundTrips(server.mysqlCommands) - before;
  const locks: LockTimes = {
    heldMs: server.locks.heldMs - locksBefore.heldMs,
    acquireMs: server.locks.acquireMs - locksBefore.acquireMs,
    acquired: server.locks.acquired - locksBefore.acquired,
  };
  results.nacked += batch.bodies.length - answered(run);
  results.unacked += await redeliverUnacked(server.target, batch.bodies, run);
  const measured: Measured = { done: answered(run), elapsedMs: run.elapsedMs, latenciesMs: run.latenciesMs, commands, locks, cpu };
  return { measured, window: { pid: server.pid, fromUs, toUs, done: measured.done } };
}

/** `count` new notifications, remembered for the mail check. */
function fresh(count: number, pushed: Set<string>): Batch {
  const batch = firstDeliveries(count);
  batch.ids.forEach((id) => pushed.add(id));
  return batch;
}

/**
 * Unmeasured traffic first: JIT, connection pools and SMTP sessions warm on every server.
 * The ceiling gets no duplicates: without a ledger it would send them again.
 */
export async function warmUp(servers: Servers, opts: BenchOptions, pushed: Set<string>, log: Log): Promise<void> {
  if (opts.warmup === 0) return;
  const scratch: Results = { rounds: [], nacked: 0, unacked: 0, windows: [] };
  for (const server of [servers.naive, servers.ceiling, servers.empty, servers.large]) {
    const batch = fresh(opts.warmup, pushed);
    await measure(server, batch, opts, scratch);
    if (server !== servers.ceiling) await measure(server, redeliveriesOf(batch), opts, scratch);
  }
  log(`warm-up: ${opts.warmup} first deliveries per server, ${opts.warmup} duplicates per server with a ledger`);
}

const LABELS: Record<Kind, string> = {
  naive: 'naive first',
  ceiling: 'ceiling first',
  first: 'notifier first',
  dup: 'notifier duplicate',
  large: 'notifier first @1M',
};

/**
 * `rounds` rounds of: naive first deliveries; ceiling first deliveries; notifier first
 * deliveries, then their redeliveries; notifier first deliveries on the 1M ledger. The
 * order rotates per round so that other load on the machine, or InnoDB flushing after the
 * seed, is shared by every kind instead of landing on one; each ratio is then taken
 * within a round.
 */
export async function runRounds(servers: Servers, opts: BenchOptions, pushed: Set<string>, log: Log): Promise<Results> {
  const results: Results = { rounds: [], nacked: 0, unacked: 0, windows: [] };
  for (let r = 0; r < opts.rounds; r++) {
    const round: Partial<Round> = {};
    const record = async (kind: Kind, server: Server, batch: Batch) => {
      const { measured, window } = await measure(server, batch, opts, results);
      round[kind] = measured;
      results.windows.push({ ...window, kind, round: r + 1 });
      log(`[round ${r + 1}/${opts.rounds}] ${describe(LABELS[kind], measured)}`);
    };
    const steps = [
      () => record('naive', servers.naive, fresh(opts.count, pushed)),
      () => record('ceiling', servers.ceiling, fresh(opts.count, pushed)),
      async () => {
        const batch = fresh(opts.count, pushed);
        await record('first', servers.empty, batch);
        await record('dup', servers.empty, redeliveriesOf(batch));
      },
      () => record('large', servers.large, fresh(opts.count, pushed)),
    ];
    for (let k = 0; k < steps.length; k++) await steps[(k + r) % steps.length]!();
    results.rounds.push(round as Round);
    const rss = [servers.empty, servers.large].map((s) => `${s.target.name} ${s.pid ? rssMb(s.pid).toFixed(0) : '?'} MB`);
    log(`[round ${r + 1}/${opts.rounds}] RSS now: ${rss.join(', ')}`);
  }
  return results;
}
