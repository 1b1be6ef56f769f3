import { DrillArgs } from './args';
import { sleep } from './drill';
import { Fault, faultDrill, outage } from './fault-drill';
import { Harness } from './harness';

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

const mysqlGone = outage({ starts: 'MySQL goes away', ends: 'MySQL is back' }, cutMysql);
export const dbOutageDrill = faultDrill('db-outage', { rate: 100, proxy: { mysql: true } }, mysqlGone);

const smtpGone = outage({ starts: 'the SMTP server goes away', ends: 'the SMTP server is back' }, takeSmtpAway);
const smtpOutage: Fault = async (ctx) => ({ mode: ctx.args.smtpMode, ...(await smtpGone(ctx)) });
export const smtpOutageDrill = faultDrill('smtp-outage', { rate: 100, proxy: { smtp: true } }, smtpOutage);

/** Published faster than one notifier delivers, so every push slot is busy when it dies. */
export const crashDrill = faultDrill('crash', { rate: 400 }, crash);

/**
 * smtp-slow: the notifier's send timeout, short so the drill is quick, and the SMTP
 * server's answer clearly after it — the incident where a provider that accepted the mail
 * but answered after our timeout got the same mail 5 times.
 */
const SLOW_SEND_TIMEOUT_MS = 2000;
const SLOW_REPLY_DELAY_MS = SLOW_SEND_TIMEOUT_MS + 1500;

const answerLate = async (h: Harness) => {
  const stop = h.mail.slowReplies(SLOW_REPLY_DELAY_MS);
  return async () => stop();
};
const smtpLate = outage(
  {
    starts: `the SMTP server answers 250 only after ${SLOW_REPLY_DELAY_MS} ms (SEND_TIMEOUT_MS=${SLOW_SEND_TIMEOUT_MS})`,
    ends: 'the SMTP server answers at once again',
  },
  answerLate,
);
const smtpSlow: Fault = async (ctx) => ({
  send_timeout_ms: SLOW_SEND_TIMEOUT_MS,
  reply_delay_ms: SLOW_REPLY_DELAY_MS,
  ...(await smtpLate(ctx)),
});
export const smtpSlowDrill = faultDrill(
  'smtp-slow',
  { rate: 100, notifierEnv: { SEND_TIMEOUT_MS: String(SLOW_SEND_TIMEOUT_MS) } },
  smtpSlow,
);
