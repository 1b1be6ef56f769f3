import { broadcast, BroadcastIo, BroadcastOptions, broadcastNotificationId } from '../../src/client/broadcast';
import { Harness } from './harness';
import { perSecond } from './report';

export interface LoadOptions {
  broadcastId: string;
  recipients: number;
  /** Publishes per second; unlimited when absent. */
  ratePerSecond?: number;
  /**
   * Register every Pub/Sub message ID with the push tracker (backlog, oldest unacked age).
   * Publishes through the same client calls (validate, then publish with the broadcast
   * attributes) via the broadcast loop, because client.broadcast does not return IDs.
   */
  track?: boolean;
  say(line: string): void;
}

export interface Load {
  /** Notification IDs, all accepted by Pub/Sub. */
  ids: string[];
  startedAt: number;
  elapsedMs: number;
  publishRate: number;
}

const recipientAt = (i: number) => `user${i}@drill.example.com`;

function* recipients(count: number): Generator<string> {
  for (let i = 0; i < count; i++) yield recipientAt(i);
}

/** What the producer client needs for the tracked variant: validate and publish one notification. */
function trackedIo(h: Harness, broadcastId: string): BroadcastIo {
  return {
    prepare: (input) => h.client.validate(input),
    async send(n) {
      const messageId = await h.client.republish(n, { broadcast_id: broadcastId });
      h.push.published(messageId, Date.now());
      return messageId;
    },
  };
}

/** Publishes one email per recipient as a broadcast; resolves once Pub/Sub accepted all. */
export async function publishBroadcast(h: Harness, opts: LoadOptions): Promise<Load> {
  const startedAt = Date.now();
  const options: BroadcastOptions<string> = {
    broadcastId: opts.broadcastId,
    recipients: recipients(opts.recipients),
    ratePerSecond: opts.ratePerSecond,
    build: (to, i) => ({
      type: 'drill.broadcast',
      channel: 'EMAIL',
      accountId: `acct-${i}`,
      email: { to, subject: `Drill ${opts.broadcastId}`, text: `Hello recipient ${i}.` },
    }),
    progressIntervalMs: 10000,
    onProgress: (p) => !p.done && opts.say(`publishing: ${p.published}/${opts.recipients}`),
  };
  const result = opts.track ? await broadcast(options, trackedIo(h, opts.broadcastId)) : await h.client.broadcast(options);
  if (result.published !== opts.recipients) {
    throw new Error(`broadcast published ${result.published} of ${opts.recipients} (rejected ${result.rejected})`);
  }
  const elapsedMs = Date.now() - startedAt;
  const ids = Array.from({ length: opts.recipients }, (_, i) => broadcastNotificationId(opts.broadcastId, recipientAt(i)));
  return { ids, startedAt, elapsedMs, publishRate: perSecond(opts.recipients, elapsedMs) };
}
