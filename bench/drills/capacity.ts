import { Drill, freshBroadcastId, pushNotes } from './drill';
import { Harness } from './harness';
import { publishBroadcast } from './load';
import { perSecond } from './report';
import { settle } from './settle';

/**
 * The stated daily peak for one instance, notifications per second: the sustained
 * end-to-end throughput measured for one notifier here, rounded down (docs/RELIABILITY.md).
 */
export const STATED_PEAK_PER_SECOND = 150;

/** Keeping up: delivering at least this share of the publish rate, with a young oldest message. */
const KEEP_UP_RATIO = 0.95;
const KEEP_UP_OLDEST_MS = 10_000;
const STALL_MS = 60_000;

interface BacklogWatch {
  max: { size: number; oldestAgeMs: number };
  stop(): void;
}

/** Samples the backlog every second (Cloud Monitoring samples per minute; we can do better). */
function watchBacklog(h: Harness, say: (line: string) => void): BacklogWatch {
  const max = { size: 0, oldestAgeMs: 0 };
  let ticks = 0;
  const timer = setInterval(() => {
    const b = h.push.backlog(Date.now());
    max.size = Math.max(max.size, b.size);
    max.oldestAgeMs = Math.max(max.oldestAgeMs, b.oldestAgeMs);
    if (++ticks % 10 === 0) say(`backlog ${b.size}, oldest unacked ${(b.oldestAgeMs / 1000).toFixed(1)} s, mails ${h.mail.total()}`);
  }, 1000);
  return { max, stop: () => clearInterval(timer) };
}

/**
 * Seed 004: capacity planned at 2× the daily peak. Publishes at 2× the stated peak for
 * `--duration` seconds and reports whether one notifier keeps up, and if not, how far the
 * backlog grew and how long it took to drain once publishing stopped.
 */
export const capacityDrill: Drill = {
  async run(h, args, say) {
    const peak = args.peak ?? STATED_PEAK_PER_SECOND;
    const rate = 2 * peak;
    const recipients = args.recipients ?? Math.round(rate * args.durationSeconds);
    say(`capacity: stated peak ${peak}/s, publishing ${recipients} at ${rate}/s (2× peak)`);
    const watch = watchBacklog(h, say);
    const load = await publishBroadcast(h, { broadcastId: freshBroadcastId('capacity'), recipients, ratePerSecond: rate, track: true, say });
    const publishedAt = Date.now();
    const ackedWhilePublishing = h.push.acked.size;
    const atEnd = h.push.backlog(publishedAt);
    say(`publishing done: backlog ${atEnd.size}, oldest unacked ${(atEnd.oldestAgeMs / 1000).toFixed(1)} s`);
    const accounting = await settle(h, load.ids, { stallMs: STALL_MS, say });
    watch.stop();

    const deliverRate = perSecond(ackedWhilePublishing, load.elapsedMs);
    const keepsUp = deliverRate >= KEEP_UP_RATIO * load.publishRate && atEnd.oldestAgeMs < KEEP_UP_OLDEST_MS;
    const drainAfterS = Math.max(0, ((h.push.lastAckAt ?? publishedAt) - publishedAt) / 1000);
    const verdict = keepsUp
      ? `keeps up at 2× peak (${rate}/s)`
      : `falls behind at 2× peak: delivered ${deliverRate}/s of ${load.publishRate}/s published; ` +
        `backlog peaked at ${watch.max.size} (oldest ${(watch.max.oldestAgeMs / 1000).toFixed(1)} s) and drained ${drainAfterS.toFixed(1)} s after publishing stopped`;
    return {
      accounting,
      failures: [],
      extras: {
        peak: `${peak}/s`,
        publish_rate: `${load.publishRate}/s`,
        deliver_rate: `${deliverRate}/s`,
        max_backlog: watch.max.size,
        max_oldest_unacked_s: (watch.max.oldestAgeMs / 1000).toFixed(1),
        drain_after_publish_s: drainAfterS.toFixed(1),
        keeps_up: keepsUp ? 'yes' : 'no',
      },
      notes: [`capacity verdict: ${verdict}`, ...pushNotes(h)],
    };
  },
};
