import { lockName } from '../../src/mysql/ledger';
import { emailNotification, push, pushEnvelope } from '../support/notifications';
import { eventually, InProcessNotifier, notifierEnv, startInProcess } from '../support/notifier';
import { RealParts, startRealParts } from '../support/real-parts';

/**
 * MySQL faults around a send, on real MariaDB: the lock's connection dying mid-send, and
 * ledger writes that outlive the client's MYSQL_TIMEOUT_MS.
 */
const MYSQL_TIMEOUT_MS = 2000;
const RESEND_SAFE = 'digest.daily';
let parts: RealParts;
let notifier: InProcessNotifier;

beforeAll(async () => {
  parts = await startRealParts();
  notifier = await startInProcess(
    notifierEnv(parts, { MYSQL_TIMEOUT_MS: String(MYSQL_TIMEOUT_MS), RESEND_SAFE_TYPES: RESEND_SAFE, MAX_ATTEMPTS: '5' }),
  );
});

afterEach(() => {
  parts.smtp.onData = () => ({ kind: 'accept' });
  parts.smtp.rcptReply = undefined;
});

afterAll(async () => {
  await notifier?.stop();
  await parts?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The server thread holding a notification's lock, then KILLed: the lock is free for others. */
async function killLockHolder(notificationId: string): Promise<void> {
  const [rows] = await parts.db.pool.query('SELECT IS_USED_LOCK(?) AS thread', [lockName({ notificationId, channel: 'EMAIL' })]);
  const thread = (rows as { thread: number | null }[])[0]!.thread;
  if (thread === null) throw new Error('nobody holds the lock');
  await parts.db.pool.query('KILL ?', [thread]);
}

describe("the lock's MySQL connection dies while the mail is being sent", () => {
  test.each([
    ['an ordinary type', 'order.shipped'],
    ['a resend-safe type', RESEND_SAFE],
  ])('when a redelivery comes meanwhile (%s), then it is nacked 409 in_flight, and the first send is recorded sent: one mail', async (_, type) => {
    const n = emailNotification({ type });
    const envelope = pushEnvelope(n, { messageId: `lock-loss-${type}` });
    let release!: () => void;
    parts.smtp.onData = () => ({ kind: 'hold', until: new Promise<void>((r) => (release = r)) });
    const first = push(notifier.url, envelope);
    await eventually('the mail to reach the SMTP server', () => parts.smtp.mailsFor(n.notificationId).length === 1 || undefined);
    await killLockHolder(n.notificationId);

    expect(await push(notifier.url, envelope)).toBe(409);
    expect(notifier.logs.filter((l) => l.message === 'delivery in_flight' && l.notificationId === n.notificationId)).toHaveLength(1);

    release();
    expect(await first).toBe(204);
    expect(await parts.db.row(n.notificationId)).toMatchObject({ status: 'sent', attempts: 1 });
    expect(await push(notifier.url, envelope)).toBe(204);
    expect(parts.smtp.mailsFor(n.notificationId)).toHaveLength(1);
  });
});

describe('a ledger write that takes longer than MYSQL_TIMEOUT_MS', () => {
  test('when a row lock holds the claim, then the server gives up first: 503, the row stays pending, the retry mails once', async () => {
    const n = emailNotification();
    const envelope = pushEnvelope(n, { messageId: 'row-locked' });
    parts.smtp.rcptReply = 451; // a first attempt leaves the row pending
    expect(await push(notifier.url, envelope)).toBe(503);
    parts.smtp.rcptReply = undefined;

    const holder = await parts.db.pool.getConnection();
    try {
      await holder.query('START TRANSACTION');
      await holder.query('SELECT * FROM delivery_ledger WHERE notification_id = ? FOR UPDATE', [n.notificationId]);
      expect(await push(notifier.url, envelope)).toBe(503);
      const line = notifier.logs.filter((l) => l.notificationId === n.notificationId).at(-1);
      // The server's lock wait (innodb_lock_wait_timeout, set below the client's timeout) ended it, not the client.
      expect(line).toMatchObject({ message: 'delivery retry', code: 'DATABASE_UNAVAILABLE', error: 'MySQL unavailable (ER_LOCK_WAIT_TIMEOUT)' });
      await holder.query('COMMIT');
    } finally {
      holder.release();
    }
    expect(await parts.db.row(n.notificationId)).toMatchObject({ status: 'pending', attempts: 1 });
    expect(parts.smtp.mailsFor(n.notificationId)).toHaveLength(0);
    expect(await push(notifier.url, envelope)).toBe(204);
    expect(parts.smtp.mailsFor(n.notificationId)).toHaveLength(1);
  });

  test('when the server is slower than the client on the claim, then the claim is killed, never committed later, and the retry mails once', async () => {
    // A trigger makes the claim take 5 s on the server. A first claim rides in the lock's round
    // trip, which the client gives up on after MYSQL_TIMEOUT_MS plus the lock wait (3 s); it
    // would otherwise find the row `sending` (a send that never started) once the server finished.
    await parts.db.pool.query(`
      CREATE TRIGGER slow_claim BEFORE INSERT ON delivery_ledger FOR EACH ROW
      BEGIN IF NEW.notification_id LIKE 'slow-claim-%' AND NEW.status = 'sending' THEN DO SLEEP(5); END IF; END`);
    const n = emailNotification({ notificationId: `slow-claim-${Date.now()}` });
    const envelope = pushEnvelope(n, { messageId: 'slow-claim' });
    try {
      expect(await push(notifier.url, envelope)).toBe(503);
      await sleep(5000 - MYSQL_TIMEOUT_MS + 1000);
      expect(await parts.db.row(n.notificationId)).toBeUndefined();
    } finally {
      await parts.db.pool.query('DROP TRIGGER slow_claim');
    }
    expect(parts.smtp.mailsFor(n.notificationId)).toHaveLength(0);
    expect(await push(notifier.url, envelope)).toBe(204);
    expect(await parts.db.row(n.notificationId)).toMatchObject({ status: 'sent', attempts: 1 });
    expect(parts.smtp.mailsFor(n.notificationId)).toHaveLength(1);
  });
});
