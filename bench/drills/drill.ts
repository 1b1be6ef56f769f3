import { randomBytes } from 'node:crypto';
import { DrillArgs } from './args';
import { Harness } from './harness';
import { Accounting } from './reconcile';
import { Extras } from './report';

/** What a drill hands back to the runner: the accounting, its own figures, extra failures. */
export interface DrillOutcome {
  accounting: Accounting;
  extras: Extras;
  /** Drill-specific reasons to fail besides the accounting's violations (e.g. a rerun sent mail). */
  failures: string[];
  /** Lines printed after the accounting table. */
  notes: string[];
}

export interface Drill {
  /** Which connections the drill needs a cuttable proxy on. */
  proxy?: { mysql?: boolean; smtp?: boolean };
  /** Settings the drill changes in the notifier's environment (e.g. a short SEND_TIMEOUT_MS). */
  notifierEnv?: Record<string, string>;
  run(h: Harness, args: DrillArgs, say: (line: string) => void): Promise<DrillOutcome>;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A broadcast ID no earlier run used (databases are fresh, but say so in the ID too). */
export const freshBroadcastId = (drill: string) => `drill-${drill}-${randomBytes(4).toString('hex')}`;

/** Resolves once the SMTP server has accepted `count` mails (the fault drills' "mid-load"). */
export async function mailsReached(h: Harness, count: number): Promise<void> {
  while (h.mail.total() < count) await sleep(100);
}

/** Push results the notifier's log and the bridge saw, as notes for the report. */
export function pushNotes(h: Harness): string[] {
  const statuses = [...h.push.byStatus].map(([s, n]) => `${s}:${n}`).join(' ');
  const logs = [...h.notifier.logCounts].map(([m, n]) => `"${m}":${n}`).join(' ');
  return [
    `push results by status: ${statuses}`,
    `notifier warn/error log lines: ${logs || 'none'}`,
    ...h.notifier.errors.map((line) => `notifier error line: ${line}`),
  ];
}
