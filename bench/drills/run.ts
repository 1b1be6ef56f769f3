import { cpus, loadavg } from 'node:os';
import { DrillName, parseArgs } from './args';
import { broadcastDrill } from './broadcast';
import { capacityDrill } from './capacity';
import { Drill, DrillOutcome } from './drill';
import { crashDrill, dbOutageDrill, smtpOutageDrill, smtpSlowDrill } from './faults';
import { Harness, startHarness } from './harness';
import { lockLossDrill } from './lock-loss';
import { violations } from './reconcile';
import { accountingTable, summaryLine } from './report';

const DRILLS: Record<DrillName, Drill> = {
  broadcast: broadcastDrill,
  'db-outage': dbOutageDrill,
  'smtp-outage': smtpOutageDrill,
  'smtp-slow': smtpSlowDrill,
  'lock-loss': lockLossDrill,
  crash: crashDrill,
  capacity: capacityDrill,
};

const startedAt = Date.now();
const say = (line: string) => console.log(`[${((Date.now() - startedAt) / 1000).toFixed(1).padStart(6)} s] ${line}`);

function report(name: string, outcome: DrillOutcome): boolean {
  const problems = [...violations(outcome.accounting), ...outcome.failures];
  console.log(`\naccounting (${name}):\n${accountingTable(outcome.accounting)}`);
  for (const note of outcome.notes) console.log(`  ${note}`);
  for (const problem of problems) console.log(`  VIOLATION: ${problem}`);
  // Another benchmark may share this machine: the load average says how much.
  const extras = { ...outcome.extras, load1: loadavg()[0]!.toFixed(2), cores: cpus().length };
  console.log(summaryLine(name, outcome.accounting, extras, outcome.failures));
  return problems.length === 0;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const drill = DRILLS[args.name];
  say(`drill ${args.name}: starting the emulator, database, SMTP server, notifier, bridge and stand-in`);
  const harness: Harness = await startHarness({ inFlight: args.inFlight, proxy: drill.proxy, notifierEnv: drill.notifierEnv, say });
  const abort = async (why: string, code: number) => {
    say(`${why}: cleaning up`);
    await harness.close();
    process.exit(code);
  };
  process.once('SIGINT', () => void abort('SIGINT', 130));
  process.once('SIGTERM', () => void abort('SIGTERM', 143));
  // A bug in a drill must not leave the emulator and the database behind.
  process.once('uncaughtException', (err) => void abort(`uncaught ${err.stack ?? err.message}`, 2));
  try {
    return report(args.name, await drill.run(harness, args, say)) ? 0 : 1;
  } finally {
    say('cleaning up');
    await harness.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(`drill failed: ${err.stack ?? err.message}`);
    process.exit(2);
  },
);
