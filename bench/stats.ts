/** Pure figures of the benchmark: percentiles, per-batch summaries, the summary line. */
import { addCpu, CpuUse, noCpu } from './cpu';
import { LockTimes, noLockTimes } from './mysql-counter';

/** Nearest-rank percentile (p in 0..100) of unsorted samples; NaN when there are none. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** What one measured batch (or several of the same kind, pooled) produced. */
export interface Measured {
  /** Deliveries answered 2xx within the timed window. */
  done: number;
  elapsedMs: number;
  latenciesMs: number[];
  /** MySQL commands the server under test sent during the window. */
  commands: number;
  /** Named locks the server held during the window (GET_LOCK … RELEASE_LOCK, seen at its proxy). */
  locks: LockTimes;
  cpu: CpuUse;
}

export const emptyMeasured = (): Measured => ({ done: 0, elapsedMs: 0, latenciesMs: [], commands: 0, locks: noLockTimes(), cpu: noCpu() });

/** Pools batches of one kind: throughput over the summed time, percentiles over all samples. */
export function pool(into: Measured, batch: Measured): Measured {
  return {
    done: into.done + batch.done,
    elapsedMs: into.elapsedMs + batch.elapsedMs,
    latenciesMs: into.latenciesMs.concat(batch.latenciesMs),
    commands: into.commands + batch.commands,
    locks: {
      heldMs: into.locks.heldMs + batch.locks.heldMs,
      acquireMs: into.locks.acquireMs + batch.locks.acquireMs,
      acquired: into.locks.acquired + batch.locks.acquired,
    },
    cpu: addCpu(into.cpu, batch.cpu),
  };
}

export const throughput = (m: Measured): number => (m.elapsedMs > 0 ? (m.done * 1000) / m.elapsedMs : 0);
export const perDelivery = (m: Measured): number => (m.done > 0 ? m.commands / m.done : NaN);
export const p50 = (m: Measured): number => percentile(m.latenciesMs, 50);

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The batch kinds of one round: naive, ceiling and notifier first deliveries, duplicates, first at 1M. */
export type Kind = 'naive' | 'ceiling' | 'first' | 'dup' | 'large';
export type Round = Record<Kind, Measured>;

/** The ratios of the summary line, each taken within a round. */
export const RATIOS = {
  fullVsNaive: (r: Round) => throughput(r.first) / throughput(r.naive),
  dupVsFirst: (r: Round) => throughput(r.dup) / throughput(r.first),
  p50OneMillionVsEmpty: (r: Round) => p50(r.large) / p50(r.first),
  fullVsCeiling: (r: Round) => throughput(r.first) / throughput(r.ceiling),
};

type Ratio = keyof typeof RATIOS;

/**
 * Ratios as the median over rounds of each round's own ratio: batches of one round run
 * back to back, so a burst of someone else's load on this shared machine skews one
 * round's ratio at most, and the median drops it.
 */
export function roundRatios(rounds: readonly Round[]): Record<Ratio, { median: number; each: number[] }> {
  const of = (f: (r: Round) => number) => {
    const each = rounds.map(f);
    return { median: median(each), each };
  };
  return Object.fromEntries(Object.entries(RATIOS).map(([name, f]) => [name, of(f)])) as Record<Ratio, { median: number; each: number[] }>;
}

/** All rounds of one kind together: throughput over the summed time, percentiles over all samples. */
export const pooled = (rounds: readonly Round[], kind: Kind): Measured => rounds.map((r) => r[kind]).reduce(pool, emptyMeasured());

/**
 * Where a delivery's time goes with respect to its lock, when it took one:
 * `lock held 21.3 ms each = 0.35 of latency, taking it 1.2 ms = 0.02`. Held time over
 * summed latency is also the connections held per delivery in flight (the lock is held on
 * one connection, and the average number in flight is summed latency over elapsed time).
 */
export function describeLocks(m: Measured): string {
  const { heldMs, acquireMs, acquired } = m.locks;
  if (acquired === 0) return '';
  const latency = m.latenciesMs.reduce((a, b) => a + b, 0);
  return (
    `; lock held ${(heldMs / acquired).toFixed(1)} ms each = ${(heldMs / latency).toFixed(2)} of latency,` +
    ` taking it ${(acquireMs / acquired).toFixed(1)} ms = ${(acquireMs / latency).toFixed(2)}`
  );
}

/**
 * `notifier first: 1500 in 3.21 s = 467.3/s p50 61.2 ms p99 120.4 ms, 6.00 MySQL commands;
 * CPU ms each: server 1.10, db 0.90, bench 0.60; machine 97% busy; lock held …` (describeLocks)
 */
export function describe(label: string, m: Measured): string {
  const ms = (v: number) => `${v.toFixed(1)} ms`;
  const each = (v: number) => (m.done > 0 ? (v / m.done).toFixed(2) : 'nan');
  const busy = m.cpu.machineTotal > 0 ? Math.round((100 * m.cpu.machineBusy) / m.cpu.machineTotal) : NaN;
  return (
    `${label}: ${m.done} in ${(m.elapsedMs / 1000).toFixed(2)} s = ${throughput(m).toFixed(1)}/s` +
    ` p50 ${ms(percentile(m.latenciesMs, 50))} p99 ${ms(percentile(m.latenciesMs, 99))},` +
    ` ${perDelivery(m).toFixed(2)} MySQL commands;` +
    ` CPU ms each: server ${each(m.cpu.server)}, db ${each(m.cpu.database)}, bench ${each(m.cpu.bench)};` +
    ` machine ${busy}% busy${describeLocks(m)}`
  );
}

export interface Summary {
  fullVsNaive: number;
  dupVsFirst: number;
  p50OneMillionVsEmpty: number;
  rttFirst: number;
  rttDup: number;
  rssMb: number;
  duplicates: number;
  lost: number;
  fullVsCeiling: number;
}

const ratio = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : 'nan');
/** Round trips are averages over whole batches: two decimals show a stray extra query. */
const count = (x: number) => (Number.isFinite(x) ? String(Math.round(x * 100) / 100) : 'nan');

/** The one line compared across commits; its shape is fixed by the issue. */
export function summaryLine(s: Summary): string {
  return (
    `bench: full_vs_naive=${ratio(s.fullVsNaive)} dup_vs_first=${ratio(s.dupVsFirst)}` +
    ` p50_1m_vs_empty=${ratio(s.p50OneMillionVsEmpty)} rtt_first=${count(s.rttFirst)}` +
    ` rtt_dup=${count(s.rttDup)} rss_mb=${Math.round(s.rssMb)}` +
    ` duplicates=${s.duplicates} lost=${s.lost} full_vs_ceiling=${ratio(s.fullVsCeiling)}`
  );
}

/** The targets; `met` is false when a figure is missing (NaN) too. */
export function targets(s: Summary): { name: string; goal: string; value: string; met: boolean }[] {
  return [
    { name: 'full_vs_naive', goal: '≥ 1.30', value: ratio(s.fullVsNaive), met: s.fullVsNaive >= 1.3 },
    { name: 'full_vs_ceiling', goal: '≥ 0.60', value: ratio(s.fullVsCeiling), met: s.fullVsCeiling >= 0.6 },
    { name: 'rtt_first', goal: '≤ 3', value: count(s.rttFirst), met: s.rttFirst <= 3 },
    { name: 'rtt_dup', goal: '= 1', value: count(s.rttDup), met: s.rttDup === 1 },
    { name: 'dup_vs_first', goal: '≥ 3.00', value: ratio(s.dupVsFirst), met: s.dupVsFirst >= 3 },
    { name: 'p50_1m_vs_empty', goal: '≤ 1.20', value: ratio(s.p50OneMillionVsEmpty), met: s.p50OneMillionVsEmpty <= 1.2 },
    { name: 'rss_mb', goal: '≤ 256', value: String(Math.round(s.rssMb)), met: s.rssMb <= 256 },
    { name: 'duplicates', goal: '= 0', value: String(s.duplicates), met: s.duplicates === 0 },
    { name: 'lost', goal: '= 0', value: String(s.lost), met: s.lost === 0 },
  ];
}
