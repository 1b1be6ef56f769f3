/**
 * `npm run bench`: the built notifier (`node dist/main.js`) against real MariaDB, a local
 * SMTP sink and the Pub/Sub emulator, driven over loopback by a fixed number of
 * keep-alive connections, next to a naive skeleton of the seed design and a ceiling (the
 * same HTTP, decode and SMTP send without MySQL), measured the same way in the same run.
 * Every figure is a ratio against that run's own baselines because this machine is shared.
 * Ends with one `bench: …` line; exits 1 on any duplicate or lost mail, or when the run
 * itself failed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Child, peakRssMb } from './children';
import { Cleanup } from './cleanup';
import { checkMails } from './mail-check';
import { parseOptions, USAGE } from './options';
import { BATCHES_FILE } from './profile-summary';
import { Results, runRounds, warmUp } from './rounds';
import { setUp, Setup } from './setup';
import { describe, perDelivery, pooled, roundRatios, Summary, summaryLine, targets } from './stats';

const log = (line: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);

/** The SMTP sink has every mail once each sender saw its 250; wait out stragglers anyway. */
async function settledMailIds(setup: Setup): Promise<(string | undefined)[]> {
  let seen = -1;
  while (seen !== setup.sink.mails.length) {
    seen = setup.sink.mails.length;
    await new Promise((r) => setTimeout(r, 500));
  }
  return setup.sink.mails.map((m) => m.notificationId);
}

function reportRounds(results: Results): void {
  for (const kind of ['naive', 'ceiling', 'first', 'dup', 'large'] as const) log(describe(`all rounds, ${kind}`, pooled(results.rounds, kind)));
  const ratios = roundRatios(results.rounds);
  for (const [name, r] of Object.entries(ratios)) log(`${name} per round: ${r.each.map((x) => x.toFixed(2)).join(' ')} → median ${r.median.toFixed(2)}`);
}

async function summarise(setup: Setup, results: Results, pushed: Set<string>): Promise<Summary> {
  const { naive, ceiling, empty, large } = setup.children;
  const peak = (c: Child) => peakRssMb(c.process.pid!);
  const rss = { naive: peak(naive), ceiling: peak(ceiling), empty: peak(empty), large: peak(large) };
  log(`peak RSS (VmHWM): notifier ${rss.empty.toFixed(0)} MB, notifier@1M ${rss.large.toFixed(0)} MB, ` +
    `naive ${rss.naive.toFixed(0)} MB, ceiling ${rss.ceiling.toFixed(0)} MB`);
  const mails = checkMails(pushed, await settledMailIds(setup));
  log(`mails: ${mails.mails} for ${pushed.size} notifications; duplicates ${mails.duplicates}, lost ${mails.lost}` +
    (mails.examples.length ? ` (${mails.examples.join('; ')})` : ''));
  log(`not acked in the timed window: ${results.nacked}; still not acked after redelivery: ${results.unacked}`);
  log(`dead letters: ${setup.topics.deadLetters.messages.length}, poison: ${setup.topics.poison.messages.length}, lifecycle events: ${setup.topics.events.messages.length}`);
  for (const c of [empty, large, naive, ceiling]) {
    if (c.problems.count) log(`${c.name} logged ${c.problems.count} warnings/errors, last: ${c.problems.last.join('\n  ')}`);
  }
  const ratios = roundRatios(results.rounds);
  return {
    fullVsNaive: ratios.fullVsNaive.median,
    dupVsFirst: ratios.dupVsFirst.median,
    p50OneMillionVsEmpty: ratios.p50OneMillionVsEmpty.median,
    rttFirst: perDelivery(pooled(results.rounds, 'first')),
    rttDup: perDelivery(pooled(results.rounds, 'dup')),
    rssMb: Math.max(rss.empty, rss.large),
    duplicates: mails.duplicates,
    lost: mails.lost,
    fullVsCeiling: ratios.fullVsCeiling.median,
  };
}

async function bench(cleanup: Cleanup): Promise<number> {
  const opts = parseOptions(process.argv.slice(2), process.env);
  log(`bench: ${JSON.stringify(opts)}`);
  const setup = await setUp(opts, cleanup, log);
  const pushed = new Set<string>();
  await warmUp(setup.servers, opts, pushed, log);
  const results = await runRounds(setup.servers, opts, pushed, log);
  if (opts.profileDir) {
    mkdirSync(opts.profileDir, { recursive: true });
    writeFileSync(path.join(opts.profileDir, BATCHES_FILE), JSON.stringify(results.windows));
  }
  reportRounds(results);
  const summary = await summarise(setup, results, pushed);
  for (const t of targets(summary)) log(`target ${t.name} ${t.goal}: ${t.value} ${t.met ? 'met' : 'MISSED'}`);
  process.stdout.write(`${summaryLine(summary)}\n`);
  return summary.duplicates > 0 || summary.lost > 0 ? 1 : 0;
}

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const cleanup = new Cleanup();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: cleaning up`);
      void cleanup.run(log).then(() => process.exit(130));
    });
  }
  let code = 1;
  try {
    code = await bench(cleanup);
  } catch (err) {
    log(`bench failed: ${(err as Error).stack ?? String(err)}`);
  } finally {
    await cleanup.run(log);
  }
  process.exit(code);
}

void main();
