import type { BroadcastProgress } from '../client';
import type { Writer } from './command';
import { formatClock } from './duration';

/** Counts at one moment of a broadcast, with the expected number of records if known. */
export interface ProgressSnapshot {
  published: number;
  rejected: number;
  elapsedMs: number;
  /** Records expected in all; unknown when reading standard input. */
  total?: number;
}

/** Events per second, rounded; 0 before any time has passed. */
export function perSecond(count: number, elapsedMs: number): number {
  return elapsedMs > 0 ? Math.round((count * 1000) / elapsedMs) : 0;
}

interface Estimate {
  percent: string;
  eta: string;
}

/** Share done and time left. Rejected records are done too: they will not be published. */
function estimate(p: ProgressSnapshot & { total: number }): Estimate {
  const done = p.published + p.rejected;
  const fraction = p.total > 0 ? Math.min(1, done / p.total) : 1;
  const remainingMs = done > 0 ? (p.elapsedMs * Math.max(0, p.total - done)) / done : NaN;
  return {
    percent: `${(fraction * 100).toFixed(1)}%`,
    eta: Number.isFinite(remainingMs) ? formatClock(remainingMs) : '?',
  };
}

const BAR_WIDTH = 20;

/** The terminal line, short enough for 80 columns: `[#####-----] 41.2%  412/1000  81/s  0:05  ETA 0:07`. */
export function formatProgressBar(p: ProgressSnapshot): string {
  const rate = `${perSecond(p.published, p.elapsedMs)}/s`;
  const rejected = p.rejected ? `  ${p.rejected} rejected` : '';
  if (p.total === undefined) {
    return `published ${p.published}  ${rate}  ${formatClock(p.elapsedMs)}${rejected}`;
  }
  const { percent, eta } = estimate({ ...p, total: p.total });
  const filled = Math.round((parseFloat(percent) / 100) * BAR_WIDTH);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`;
  return `${bar} ${percent.padStart(6)}  ${p.published}/${p.total}  ${rate}  ${formatClock(p.elapsedMs)}  ETA ${eta}${rejected}`;
}

/** The line printed every few seconds when stderr is a file or a pipe (CI logs). */
export function formatProgressLine(broadcastId: string, p: ProgressSnapshot): string {
  let counts = `published ${p.published}`;
  let eta = '';
  if (p.total !== undefined) {
    const e = estimate({ ...p, total: p.total });
    counts += `/${p.total} (${e.percent})`;
    eta = `, ETA ${e.eta}`;
  }
  return (
    `broadcast ${broadcastId}: ${counts}, rejected ${p.rejected}, ` +
    `${perSecond(p.published, p.elapsedMs)}/s, elapsed ${formatClock(p.elapsedMs)}${eta}`
  );
}

/** Shows a broadcast's progress and lets other lines be printed without garbling it. */
export interface ProgressReporter {
  update(progress: BroadcastProgress): void;
  /** Prints a whole line (a rejected recipient) above the progress bar. */
  log(line: string): void;
  /** Ends the bar's line, so what follows starts on a fresh one. Idempotent. */
  finish(): void;
}

/** At most one plain progress line per this interval, so CI logs stay readable. */
export const PLAIN_PROGRESS_INTERVAL_MS = 5000;

/**
 * On a terminal, one line redrawn in place on every update; otherwise a plain line at
 * most every PLAIN_PROGRESS_INTERVAL_MS (the summary that follows covers the end).
 */
export function makeProgressReporter(
  out: Writer,
  options: { broadcastId: string; total?: number; now: () => number },
): ProgressReporter {
  let last: ProgressSnapshot | undefined;
  let barShown = false;
  let lastPlain = options.now();
  const draw = () => {
    out.write(`\r${formatProgressBar(last!)}\x1b[K`);
    barShown = true;
  };
  const finish = () => {
    if (barShown) out.write('\n');
    barShown = false;
  };
  return {
    update(progress) {
      last = { ...progress, total: options.total };
      if (out.isTTY) {
        draw();
        if (progress.done) finish();
      } else if (!progress.done && options.now() - lastPlain >= PLAIN_PROGRESS_INTERVAL_MS) {
        lastPlain = options.now();
        out.write(`${formatProgressLine(options.broadcastId, last)}\n`);
      }
    },
    log(line) {
      if (!barShown) return void out.write(`${line}\n`);
      out.write(`\r\x1b[K${line}\n`);
      draw();
    },
    finish,
  };
}
