import { DrillArgs } from './args';
import { Drill, freshBroadcastId, mailsReached, pushNotes, sleep } from './drill';
import { Harness } from './harness';
import { publishBroadcast } from './load';
import { settle } from './settle';

/** The shared shape of the fault drills: a load, a fault mid-way, the accounting. */

const DEFAULT_RECIPIENTS = 5000;
/** Longer than Pub/Sub's longest path to its own dead-lettering (10 deliveries ≈ 16 s). */
const STALL_MS = 60_000;

export interface FaultContext {
  h: Harness;
  args: DrillArgs;
  say(line: string): void;
  /** Resolves once this fraction of the notifications has been mailed. */
  reached(fraction: number): Promise<void>;
}

/** What goes wrong mid-load, and how it is put right. Returns the figures to report. */
export type Fault = (ctx: FaultContext) => Promise<Record<string, string | number>>;

export interface FaultDrillOptions {
  /** Publishes per second unless `--rate` says otherwise. */
  rate: number;
  proxy?: Drill['proxy'];
  notifierEnv?: Drill['notifierEnv'];
  /**
   * Pub/Sub messages per notification (default 1). Pub/Sub delivers at least once, so the
   * same notification can arrive twice at the same time; 2 publishes each one twice at
   * once, which is what makes the per-notification lock matter.
   */
  copies?: number;
}

/**
 * Publishes at the drill's rate while the fault happens (producers do not stop for our
 * outage), lets the fault pick its moments, then waits until every notification is
 * accounted for.
 */
export function faultDrill(name: string, opts: FaultDrillOptions, fault: Fault): Drill {
  const copies = opts.copies ?? 1;
  return {
    proxy: opts.proxy,
    notifierEnv: opts.notifierEnv,
    async run(h, args, say) {
      const recipients = args.recipients ?? DEFAULT_RECIPIENTS;
      const rate = args.rate ?? opts.rate;
      const each = copies > 1 ? `, each published ${copies} times` : '';
      say(`${name}: ${recipients} notifications at ${rate}/s${each}; fault after ${Math.round(args.faultAt * 100)}% of the mails`);
      const broadcastId = freshBroadcastId(name);
      // Copies of the same broadcast carry the same notification IDs; the first one reports progress.
      const quiet = () => undefined;
      const publishCopy = (i: number) => publishBroadcast(h, { broadcastId, recipients, ratePerSecond: rate, say: i ? quiet : say });
      const publishing = Promise.all(Array.from({ length: copies }, (_, i) => publishCopy(i))).then((loads) => loads[0]!);
      // A failed publish must end the drill rather than leave it waiting for mails.
      const never = () => new Promise<never>(() => undefined);
      const reached = (fraction: number) =>
        Promise.race([mailsReached(h, Math.floor(recipients * fraction)), publishing.then(never)]);
      const figures = await fault({ h, args, say, reached });
      const load = await publishing;
      // Every copy must be answered too: a late one could still send a second mail.
      const accounting = await settle(h, load.ids, {
        stallMs: STALL_MS,
        say,
        ...(copies > 1 && { requireAcks: true, expectedAcks: copies * load.ids.length }),
      });
      const extras = { publish_rate: `${load.publishRate}/s`, ...(copies > 1 && { copies }), ...figures };
      return { accounting, failures: [], extras, notes: pushNotes(h) };
    },
  };
}

/** Pushes answered while `during` ran, by status: what the bridge saw of the fault. */
export async function observePushes(h: Harness, during: () => Promise<void>): Promise<string> {
  const before = new Map(h.push.byStatus);
  await during();
  const delta = [...h.push.byStatus].map(([s, n]) => [s, n - (before.get(s) ?? 0)] as const).filter(([, n]) => n > 0);
  return delta.map(([s, n]) => `${s}:${n}`).join(',');
}

/** How a fault is announced: `starts` for N s …, `ends`; pushes during the outage: … */
export interface OutageWords {
  starts: string;
  ends: string;
}

/** Takes a dependency away for `--outage` seconds once `--at` of the mails went out. */
export function outage(words: OutageWords, takeAway: (h: Harness, args: DrillArgs) => Promise<() => Promise<void>>): Fault {
  return async ({ h, args, say, reached }) => {
    await reached(args.faultAt);
    const mailsAtCut = h.mail.total();
    say(`${words.starts} for ${args.outageSeconds} s (${mailsAtCut} mails sent so far)`);
    const pushes = await observePushes(h, async () => {
      const restore = await takeAway(h, args);
      await sleep(args.outageSeconds * 1000);
      await restore();
    });
    say(`${words.ends}; pushes during the outage: ${pushes}`);
    return { outage_s: args.outageSeconds, mails_at_fault: mailsAtCut, pushes_during_outage: pushes };
  };
}
