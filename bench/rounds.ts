import { rssMb } from './children';
import { cpuMeter } from './cpu';
import { Batch, firstDeliveries, redeliveriesOf } from './envelopes';
import { answered, redeliverUnacked, runBatch, Target } from './load';
import { CommandCounts, roundTrips } from './mysql-counter';
import type { BenchOptions } from './options';
import { describe, Kind, Measured, Round } from './stats';

/** A server under load, and the proxy counting its MySQL commands. */
export interface Server {
  target: Target;
  mysqlCommands: CommandCounts;
  pid?: number;
  /** MariaDB's pid, to see its share of the CPU (other users' queries count too). */
  databasePid?: number;
}

export interface Servers {
  naive: Server;
  /** The notifier on the (nearly) empty ledger: first deliveries and duplicates. */
  empty: Server;
  /** The same build on the 1M-row ledger: first deliveries. */
  large: Server;
}

export interface Results {
  rounds: Round[];
  /** Requests answered non-2xx (or not at all) inside timed batches. */
  nacked: number;
  /** Still not acked after redelivery: these would go to Pub/Sub's dead-letter topic. */
  unacked: number;
}

type Log = (line: string) => void;

/**
 * Measures one batch; afterwards, untimed, redelivers whatever was not acked as Pub/Sub
 * would. The MySQL commands counted in the window belong to this batch alone, because
 * each server has its own proxy and nothing else runs against it meanwhile.
 */
async function measure(server: Server, batch: Batch, opts: BenchOptions, results: Results): Promise<Measured> {
  const before = roundTrips(server.mysqlCommands);
  const cpuSince = cpuMeter(server.pid, server.databasePid);
  const run = await runBatch(server.target, batch.bodies, opts.concurrency, opts.batchSeconds * 1000);
  const cpu = cpuSince();
  const commands = roundTrips(server.mysqlCommands) - before;
  results.nacked += batch.bodies.length - answered(run);
  results.unacked += await redeliverUnacked(server.target, batch.bodies, run);
  return { done: answered(run), elapsedMs: run.elapsedMs, latenciesMs: run.latenciesMs, commands, cpu };
}

/** `count` new notifications, remembered for the mail check. */
function fresh(count: number, pushed: Set<string>): Batch {
  const batch = firstDeliveries(count);
  batch.ids.forEach((id) => pushed.add(id));
  return batch;
}

/** Unmeasured traffic first: JIT, connection pools and SMTP sessions warm on every server. */
export async function warmUp(servers: Servers, opts: BenchOptions, pushed: Set<string>, log: Log): Promise<void> {
  if (opts.warmup === 0) return;
  const scratch: Results = { rounds: [], nacked: 0, unacked: 0 };
  for (const server of [servers.naive, servers.empty, servers.large]) {
    const batch = fresh(opts.warmup, pushed);
    await measure(server, batch, opts, scratch);
    await measure(server, redeliveriesOf(batch), opts, scratch);
  }
  log(`warm-up: ${opts.warmup} first deliveries and ${opts.warmup} duplicates per server`);
}

const LABELS: Record<Kind, string> = {
  naive: 'naive first',
  first: 'notifier first',
  dup: 'notifier duplicate',
  large: 'notifier first @1M',
};

/**
 * `rounds` rounds of: naive first deliveries; notifier first deliveries, then their
 * redeliveries; notifier first deliveries on the 1M ledger. The order rotates per round
 * so that other load on the machine, or InnoDB flushing after the seed, is shared by
 * every kind instead of landing on one; each ratio is then taken within a round.
 */
export async function runRounds(servers: Servers, opts: BenchOptions, pushed: Set<string>, log: Log): Promise<Results> {
  const results: Results = { rounds: [], nacked: 0, unacked: 0 };
  for (let r = 0; r < opts.rounds; r++) {
    const round: Partial<Round> = {};
    const record = async (kind: Kind, server: Server, batch: Batch) => {
      round[kind] = await measure(server, batch, opts, results);
      log(`[round ${r + 1}/${opts.rounds}] ${describe(LABELS[kind], round[kind])}`);
    };
    const steps = [
      () => record('naive', servers.naive, fresh(opts.count, pushed)),
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
