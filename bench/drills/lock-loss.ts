import { sleep } from './drill';
import { Fault, faultDrill, observePushes } from './fault-drill';

/**
 * SMTP answers this late while connections are killed, so that at any moment several
 * deliveries are between GET_LOCK and their `sent` write (in the send, or waiting for
 * one of the SMTP_POOL_SIZE connections): those are the deliveries a kill takes the lock from.
 */
const LOCK_LOSS_REPLY_DELAY_MS = 300;
/** Mean pause between two rounds of kills; jittered so the rounds fall in every phase of a delivery. */
const KILL_EVERY_MS = 1000;

/**
 * For `--outage` seconds, about every second, KILL every MySQL connection of the notifier:
 * a lost connection takes its GET_LOCK lock with it, so another delivery of the same
 * notification can take the lock while the first one is still sending.
 */
const lockLoss: Fault = async ({ h, args, say, reached }) => {
  await reached(args.faultAt);
  const mailsAtFault = h.mail.total();
  say(
    `SMTP answers after ${LOCK_LOSS_REPLY_DELAY_MS} ms; killing the notifier's MySQL connections ` +
      `about every ${KILL_EVERY_MS / 1000} s for ${args.outageSeconds} s (${mailsAtFault} mails sent so far)`,
  );
  const until = Date.now() + args.outageSeconds * 1000;
  const killedPerRound: number[] = [];
  const inFlightAtKills: number[] = [];
  const pushes = await observePushes(h, async () => {
    const stopSlow = h.mail.slowReplies(LOCK_LOSS_REPLY_DELAY_MS);
    try {
      while (Date.now() < until) {
        await sleep(KILL_EVERY_MS * (0.5 + Math.random()));
        inFlightAtKills.push(h.push.inFlight());
        killedPerRound.push(await h.killNotifierConnections());
      }
    } finally {
      stopSlow();
    }
  });
  const killed = killedPerRound.reduce((a, b) => a + b, 0);
  say(
    `stopped killing: ${killed} connections in ${killedPerRound.length} rounds (per round ${killedPerRound.join(',')}; ` +
      `pushes in flight at each ${inFlightAtKills.join(',')}); pushes meanwhile: ${pushes}`,
  );
  return {
    reply_delay_ms: LOCK_LOSS_REPLY_DELAY_MS,
    outage_s: args.outageSeconds,
    mails_at_fault: mailsAtFault,
    kill_rounds: killedPerRound.length,
    connections_killed: killed,
    pushes_during_kills: pushes,
  };
};

/** Every notification is published twice at once: only the lock keeps the two deliveries apart. */
export const lockLossDrill = faultDrill('lock-loss', { rate: 100, copies: 2 }, lockLoss);
