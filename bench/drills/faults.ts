import { DrillArgs } from './args';
import { Drill, freshBroadcastId, mailsReached, pushNotes, sleep } from './drill';
import { Harness } from './harness';
import { publishBroadcast } from './load';
import { settle } from './settle';

const DEFAULT_RECIPIENTS = 5000;
/** Longer than Pub/Sub's longest path to its own dead-lettering (10 deliveries ≈ 16 s). */
const STALL_MS = 60_000;

interface FaultContext {
  h: Harness;
  args: DrillArgs;
  say(line: string): void;
  /** Resolves once this fraction of the notifications has been mailed. */
  reached(fraction: number): Promise<void>;
}

/** What goes wrong mid-load, and how it is put right. Returns the figures to report. */
type Fault = (ctx: FaultContext) => Promise<Record<string, string | number>>;

/**
 * Publishes at the drill's rate while the fault happens (producers do not stop for our
 * outage), lets the fault pick its moments, then waits until every notification is
 * accounted for.
 */
function faultDrill(name: string, defaultRate: number, fault: Fault, proxy?: Drill['proxy']): Drill {
  return {
    proxy,
    async run(h, args, say) {
      const recipients = args.recipients ?? DEFAULT_RECIPIENTS;
      const rate = args.rate ?? defaultRate;
      say(`${name}: ${recipients} notifications at ${rate}/s; fault after ${Math.round(args.faultAt * 100)}% of the mails`);
      const publishing = publishBroadcast(h, { broadcastId: freshBroadcastId(name), recipients, ratePerSecond: rate, say });
      // A failed publish must end the drill rather than leave it waiting for mails.
      const never = () => new Promise<never>(() => undefined);
      const reached = (fraction: number) =>
        Promise.race([mailsReached(h, Math.floor(recipients * fraction)), publishing.then(never)]);
      const figures = await fault({ h, args, say, reached });
      const load = await publishing;
      const accounting = await settle(h, load.ids, { stallMs: STALL_MS, say });
      return { accounting, failures: [], extras: { publish_rate: `${load.publishRate}/s`, ...figures }, notes: pushNotes(h) };
    },
  };
}

/** Pushes answered while `during` ran, by status: what the bridge saw of the fault. */
async function observePushes(h: Harness, during: () => Promise<void>): Promise<string> {
  const before = new Map(h.push.byStatus);
  await during();
  const delta = [...h.push.byStatus].map(([s, n]) => [s, n - (before.get(s) ?? 0)] as const).filter(([, n]) => n > 0);
  return delta.map(([s, n]) => `${s}:${n}`).join(',');
}

/** Takes a dependency away for `--outage` seconds once `--at` of the mails went out. */
function outage(label: string, takeAway: (h: Harness, args: DrillArgs) => Promise<() => Promise<void>>): Fault {
  return async ({ h, args, say, reached }) => {
    await reached(args.faultAt);
    const mailsAtCut = h.mail.total();
    say(`${label} goes away for ${args.outageSeconds} s (${mailsAtCut} mails sent so far)`);
    const pushes = await observePushes(h, async () => {
      const restore = await takeAway(h, args);
      await sleep(args.outageSeconds * 1000);
      await restore();
    });
    say(`${label} is back; pushes during the outage: ${pushes}`);
    return { outage_s: args.outageSeconds, mails_at_fault: mailsAtCut, pushes_during_outage: pushes };
  };
}

/** The proxy refuses new connections and drops open ones; restored on the same port. */
const cutMysql = async (h: Harness) => {
  await h.mysqlProxy!.cut();
  return () => h.mysqlProxy!.restore();
};

/** refuse: like MySQL's cut. hold: the server takes each mail but does not answer until the end. */
const takeSmtpAway = async (h: Harness, args: DrillArgs) => {
  if (args.smtpMode === 'hold') {
    const release = h.mail.holdReplies();
    return async () => release();
  }
  await h.smtpProxy!.cut();
  return () => h.smtpProxy!.restore();
};

/**
 * SIGKILL — no drain, no finally blocks — then a new process on the same port, `--kills`
 * times spread over the load: each kill is a chance to hit the window between the SMTP
 * server accepting a mail and the ledger recording it.
 */
const crash: Fault = async ({ h, args, say, reached }) => {
  const inFlightAtKills: number[] = [];
  for (let k = 0; k < args.kills; k++) {
    await reached(args.faultAt + (k * (1 - args.faultAt)) / (args.kills + 1));
    inFlightAtKills.push(h.push.inFlight());
    say(`SIGKILL the notifier (${h.mail.total()} mails sent, ${h.push.inFlight()} pushes in flight)`);
    await h.notifier.kill();
    await sleep(1000);
    await h.notifier.restart();
    say('notifier restarted');
  }
  return { kills: args.kills, in_flight_at_kills: inFlightAtKills.join(',') };
};

export const dbOutageDrill = faultDrill('db-outage', 100, outage('MySQL', cutMysql), { mysql: true });
const smtpOutage: Fault = async (ctx) => ({ mode: ctx.args.smtpMode, ...(await outage('the SMTP server', takeSmtpAway)(ctx)) });

export const smtpOutageDrill = faultDrill('smtp-outage', 100, smtpOutage, { smtp: true });
/** Published faster than one notifier delivers, so every push slot is busy when it dies. */
export const crashDrill = faultDrill('crash', 400, crash);
