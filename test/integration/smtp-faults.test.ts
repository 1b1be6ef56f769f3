import { createServer, Server, Socket } from 'node:net';
import type { Message } from '@google-cloud/pubsub';
import { emailNotification, push, pushEnvelope } from '../support/notifications';
import { InProcessNotifier, notifierEnv, startInProcess } from '../support/notifier';
import { RealParts, startRealParts } from '../support/real-parts';

/**
 * SMTP faults on a real SMTP server: no answer after the message was handed over is an
 * unknown outcome (recorded, never resent); no answer before it is a retry; one address's
 * deferrals never stop mail to the others.
 */
const SEND_TIMEOUT_MS = 1000;
const ENV = { SEND_TIMEOUT_MS: String(SEND_TIMEOUT_MS), SMTP_POOL_SIZE: '1', MAX_ATTEMPTS: '6' };
let parts: RealParts;
let notifier: InProcessNotifier;

beforeAll(async () => {
  parts = await startRealParts();
  // The faults here would open the SMTP breaker for the next test: it has its own describe below.
  notifier = await startInProcess(notifierEnv(parts, { ...ENV, BREAKER_FAILURES: '0' }));
});

afterEach(() => {
  parts.smtp.onData = () => ({ kind: 'accept' });
  parts.smtp.rcptReplies.clear();
});

afterAll(async () => {
  await notifier?.stop();
  await parts?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const bySource = (messageId: string) => (m: Message) => m.attributes.notifier_source_message_id === messageId;

/** The SMTP server answers only when told to: a provider that accepts the mail and replies late. */
function replyLate() {
  let release!: () => void;
  const until = new Promise<void>((r) => (release = r));
  parts.smtp.onData = () => ({ kind: 'hold', until });
  return release;
}

describe('no answer after the message was handed over: unknown outcome, never resent', () => {
  test('when the SMTP server answers 250 only after the send timeout, then one mail, ledger unknown, dead-lettered, redeliveries acked', async () => {
    const n = emailNotification();
    const envelope = pushEnvelope(n, { messageId: 'late-250' });
    const release = replyLate();
    expect(await push(notifier.url, envelope)).toBe(204);
    release();
    expect(await parts.db.row(n.notificationId)).toMatchObject({ status: 'unknown', failure_code: 'SEND_OUTCOME_UNKNOWN', attempts: 1 });
    const [record] = await parts.topics.deadLetters.waitFor(1, bySource('late-250'));
    expect(record!.attributes).toMatchObject({ notifier_failure_code: 'SEND_OUTCOME_UNKNOWN', notifier_failure_class: 'unknown_outcome' });
    // Pub/Sub redelivers as often as it likes (seed 000: five times): every copy is acked, none mails.
    for (let i = 0; i < 5; i++) expect(await push(notifier.url, envelope)).toBe(204);
    expect(parts.smtp.mailsFor(n.notificationId)).toHaveLength(1);
  });

  test('when the server drops the connection after reading the message, then the outcome is unknown and nothing is resent', async () => {
    const n = emailNotification();
    const envelope = pushEnvelope(n, { messageId: 'dropped-after-data' });
    parts.smtp.onData = () => ({ kind: 'drop' });
    expect(await push(notifier.url, envelope)).toBe(204);
    parts.smtp.onData = () => ({ kind: 'accept' });
    expect(await parts.db.row(n.notificationId)).toMatchObject({ status: 'unknown', failure_code: 'SEND_OUTCOME_UNKNOWN' });
    expect(await push(notifier.url, envelope)).toBe(204);
    expect(parts.smtp.mailsFor(n.notificationId)).toHaveLength(1);
  });

  test('when sends queue behind a connection that never answers, then each ends retried or unknown, and none arrives later', async () => {
    // SMTP_POOL_SIZE=1: four sends share one connection whose replies never come in time.
    const batch = Array.from({ length: 4 }, () => emailNotification());
    const release = replyLate();
    const statuses = await Promise.all(batch.map((n) => push(notifier.url, pushEnvelope(n, { messageId: `queued-${n.notificationId}` }))));
    release();
    parts.smtp.onData = () => ({ kind: 'accept' });
    await sleep(2 * SEND_TIMEOUT_MS);
    const rows = await Promise.all(batch.map((n) => parts.db.row(n.notificationId)));
    for (const [i, n] of batch.entries()) {
      const row = rows[i] as { status: string };
      // A retried send was never handed over: nothing of it may reach the server afterwards.
      if (statuses[i] === 503) expect([row.status, parts.smtp.mailsFor(n.notificationId).length]).toEqual(['pending', 0]);
      else expect([statuses[i], row.status]).toEqual([204, 'unknown']);
    }
    expect(statuses).toContain(503);
    // The redeliveries: the retried ones are sent once, the unknown ones never again.
    for (const n of batch) expect(await push(notifier.url, pushEnvelope(n, { messageId: `queued-${n.notificationId}` }))).toBe(204);
    for (const n of batch) expect(parts.smtp.mailsFor(n.notificationId)).toHaveLength(1);
  });
});

describe('no answer before the message was handed over: transient, retried', () => {
  let silent: Server;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    // Accepts connections and never greets: a greeting timeout.
    silent = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => silent.close(r));
  });

  test('when the server never sends its greeting, then 503 PROVIDER_TIMEOUT, and the retry sends one mail', async () => {
    const port = (silent.address() as { port: number }).port;
    const mute = await startInProcess(notifierEnv({ ...parts, smtp: { url: `smtp://127.0.0.1:${port}` } }, { SEND_TIMEOUT_MS: String(SEND_TIMEOUT_MS) }));
    const n = emailNotification();
    const envelope = pushEnvelope(n, { messageId: 'no-greeting' });
    try {
      expect(await push(mute.url, envelope)).toBe(503);
    } finally {
      await mute.stop();
    }
    expect(await parts.db.row(n.notificationId)).toMatchObject({ status: 'pending', failure_code: 'PROVIDER_TIMEOUT' });
    expect(await push(notifier.url, envelope)).toBe(204);
    expect(parts.smtp.mailsFor(n.notificationId)).toHaveLength(1);
  });

  test('when the server answers 421 at connect, then 503 PROVIDER_UNAVAILABLE, and the retry sends one mail', async () => {
    const n = emailNotification();
    const envelope = pushEnvelope(n, { messageId: 'connect-421' });
    // A notifier of its own: no pooled connection is open yet.
    const fresh = await startInProcess(notifierEnv(parts, ENV));
    parts.smtp.connectReply = 421;
    try {
      expect(await push(fresh.url, envelope)).toBe(503);
    } finally {
      parts.smtp.connectReply = undefined;
      await fresh.stop();
    }
    expect(await parts.db.row(n.notificationId)).toMatchObject({ status: 'pending', failure_code: 'PROVIDER_UNAVAILABLE' });
    expect(await push(notifier.url, envelope)).toBe(204);
    expect(parts.smtp.mailsFor(n.notificationId)).toHaveLength(1);
  });
});

describe('one deferring mailbox never stops the others', () => {
  let guarded: InProcessNotifier;
  beforeAll(async () => {
    guarded = await startInProcess(notifierEnv(parts, { ...ENV, BREAKER_FAILURES: '3' }));
  });
  afterAll(() => guarded?.stop());

  test('when one address answers 451 on every attempt, then mail to others flows and it is dead-lettered ATTEMPTS_EXHAUSTED at MAX_ATTEMPTS', async () => {
    parts.smtp.rcptReplies.set('greylisted@example.com', 451);
    const bad = emailNotification({ email: { to: 'greylisted@example.com', subject: 's', text: 't', html: '' } });
    const envelope = pushEnvelope(bad, { messageId: 'greylisted' });
    // More attempts than BREAKER_FAILURES (3), each followed by a mail to someone else.
    for (let attempt = 1; attempt < 6; attempt++) {
      expect(await push(guarded.url, envelope)).toBe(503);
      expect(await parts.db.row(bad.notificationId)).toMatchObject({ status: 'pending', attempts: attempt, failure_code: 'RECIPIENT_DEFERRED' });
      const good = emailNotification();
      expect(await push(guarded.url, pushEnvelope(good))).toBe(204);
      expect(parts.smtp.mailsFor(good.notificationId)).toHaveLength(1);
    }
    expect(await push(guarded.url, envelope)).toBe(204);
    const [record] = await parts.topics.deadLetters.waitFor(1, bySource('greylisted'));
    expect(record!.attributes).toMatchObject({ notifier_failure_code: 'ATTEMPTS_EXHAUSTED', notifier_attempts: '6' });
    expect(guarded.logs.some((l) => l.message === 'circuit breaker open')).toBe(false);
  });

  test('when the server itself fails (421) BREAKER_FAILURES times, then the breaker opens and refuses without calling it', async () => {
    parts.smtp.connectReply = 421;
    try {
      for (let i = 0; i < 3; i++) expect(await push(guarded.url, pushEnvelope(emailNotification()))).toBe(503);
      const connections = parts.smtp.connections;
      expect(await push(guarded.url, pushEnvelope(emailNotification(), { messageId: 'refused-by-breaker' }))).toBe(503);
      expect(parts.smtp.connections).toBe(connections);
      expect(guarded.logs.find((l) => l.messageId === 'refused-by-breaker')).toMatchObject({ message: 'delivery circuit_open' });
    } finally {
      parts.smtp.connectReply = undefined;
    }
  });
});
