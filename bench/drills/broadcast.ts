import { Drill, freshBroadcastId, pushNotes } from './drill';
import { publishBroadcast } from './load';
import { perSecond } from './report';
import { settle } from './settle';

const DEFAULT_RECIPIENTS = 100_000;
/**
 * Publishes per second. Unthrottled (3,000+/s), the emulator stopped answering publishes
 * after ~50,000 queued messages (DEADLINE_EXCEEDED after 60 s); at 1,000/s it keeps up.
 * The producer client's own rate cap is the tool a real broadcast job would use too.
 */
const DEFAULT_PUBLISH_RATE = 1000;
const STALL_MS = 60_000;

/**
 * Seed 000: a broadcast to everyone, then the same broadcast again (a retried job, a
 * caller that timed out). The first run must deliver each mail once; the rerun publishes
 * the same notification IDs and must send nothing.
 */
export const broadcastDrill: Drill = {
  async run(h, args, say) {
    const recipients = args.recipients ?? DEFAULT_RECIPIENTS;
    const broadcastId = freshBroadcastId('broadcast');
    say(`broadcast ${broadcastId} to ${recipients} recipients`);
    const ratePerSecond = args.rate ?? DEFAULT_PUBLISH_RATE;
    const first = await publishBroadcast(h, { broadcastId, recipients, ratePerSecond, say });
    say(`published ${recipients} in ${(first.elapsedMs / 1000).toFixed(1)} s (${first.publishRate}/s); draining`);
    const accounting = await settle(h, first.ids, { stallMs: STALL_MS, say });
    const drainedAt = h.push.lastAckAt ?? Date.now();
    const deliverMs = drainedAt - (h.push.firstAckAt ?? first.startedAt);

    const mailsBefore = h.mail.total();
    const ackedBefore = h.push.acked.size;
    say(`running the same broadcast ${broadcastId} again`);
    const again = await publishBroadcast(h, { broadcastId, recipients, ratePerSecond, say });
    const rerun = await settle(h, again.ids, { stallMs: STALL_MS, ackedBefore, requireAcks: true, say });
    const rerunMs = (h.push.lastAckAt ?? Date.now()) - again.startedAt;
    const newMails = h.mail.total() - mailsBefore;

    const failures = newMails > 0 ? [`the rerun sent ${newMails} new mail(s)`] : [];
    if (h.push.acked.size - ackedBefore < recipients) failures.push('the rerun was not fully acknowledged');
    return {
      accounting,
      failures,
      extras: {
        publish_rate: `${first.publishRate}/s`,
        drain_rate: `${perSecond(recipients, deliverMs)}/s`,
        end_to_end_s: ((drainedAt - first.startedAt) / 1000).toFixed(1),
        rerun_new_mails: newMails,
        rerun_rate: `${perSecond(recipients, rerunMs)}/s`,
      },
      notes: [
        `first run: published in ${(first.elapsedMs / 1000).toFixed(1)} s, last ack ${((drainedAt - first.startedAt) / 1000).toFixed(1)} s after the first publish`,
        `rerun: ${recipients} duplicates acked in ${(rerunMs / 1000).toFixed(1)} s, new mails ${newMails}, rerun accounting lost=${rerun.counts.lost} duplicates=${rerun.counts.duplicate}`,
        ...pushNotes(h),
      ],
    };
  },
};
