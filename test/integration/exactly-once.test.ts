import { emailNotification, push, pushEnvelope } from '../support/notifications';
import { InProcessNotifier, notifierEnv, startInProcess } from '../support/notifier';
import { RealParts, startRealParts } from '../support/real-parts';

let parts: RealParts;
let notifier: InProcessNotifier;

beforeAll(async () => {
  parts = await startRealParts();
  notifier = await startInProcess(notifierEnv(parts, { MYSQL_POOL_SIZE: '30' }));
});

afterAll(async () => {
  await notifier?.stop();
  await parts?.close();
});

describe('exactly-once email delivery on MariaDB, SMTP and the emulator', () => {
  test('when one notification is pushed, then one mail is sent and the ledger says sent', async () => {
    const n = emailNotification();
    expect(await push(notifier.url, pushEnvelope(n))).toBe(204);
    expect(parts.smtp.mailsFor(n.notificationId)).toHaveLength(1);
    expect(parts.smtp.mailsFor(n.notificationId)[0]!.to).toEqual(['alice@example.com']);
    expect(await parts.db.row(n.notificationId)).toMatchObject({ status: 'sent', attempts: 1, notification_type: 'order.shipped' });
  });

  test('when the same push message arrives 20 times concurrently, then exactly one mail is sent', async () => {
    const n = emailNotification();
    const envelope = pushEnvelope(n, { messageId: '777' });
    const statuses = await Promise.all(Array.from({ length: 20 }, () => push(notifier.url, envelope)));
    // Every copy ends acked (204) or nacked because the winner held the lock (409); none fails.
    expect(statuses.every((s) => s === 204 || s === 409)).toBe(true);
    expect(parts.smtp.mailsFor(n.notificationId)).toHaveLength(1);
    // A 409'd copy is redelivered by Pub/Sub: it now takes the fast path.
    expect(await push(notifier.url, envelope)).toBe(204);
    expect(parts.smtp.mailsFor(n.notificationId)).toHaveLength(1);
  });

  test('when the same notification_id arrives in a new message, then no second mail is sent', async () => {
    const n = emailNotification();
    expect(await push(notifier.url, pushEnvelope(n, { messageId: '1001' }))).toBe(204);
    expect(await push(notifier.url, pushEnvelope(n, { messageId: '1002' }))).toBe(204);
    expect(parts.smtp.mailsFor(n.notificationId)).toHaveLength(1);
    const line = notifier.logs.find((l) => l.messageId === '1002');
    expect(line).toMatchObject({ message: 'delivery duplicate', notificationId: n.notificationId });
  });

  test('when 100 notifications are each pushed 3 times concurrently, then exactly 100 mails are sent', async () => {
    const batch = Array.from({ length: 100 }, () => emailNotification());
    const statuses = await Promise.all(
      batch.flatMap((n) => [1, 2, 3].map((copy) => push(notifier.url, pushEnvelope(n, { messageId: `${n.notificationId}-${copy}` })))),
    );
    expect(statuses.every((s) => s === 204 || s === 409)).toBe(true);
    for (const n of batch) expect(parts.smtp.mailsFor(n.notificationId)).toHaveLength(1);
    const [rows] = await parts.db.pool.query(
      `SELECT COUNT(*) AS sent FROM delivery_ledger WHERE status = 'sent' AND notification_id IN (?)`,
      [batch.map((n) => n.notificationId)],
    );
    expect((rows as { sent: number }[])[0]!.sent).toBe(100);
  });

  test('when the payload is BINARY-encoded, then it is decoded and sent', async () => {
    const n = emailNotification();
    expect(await push(notifier.url, pushEnvelope(n, { encoding: 'BINARY' }))).toBe(204);
    expect(parts.smtp.mailsFor(n.notificationId)).toHaveLength(1);
  });

  test('when a delivery is logged, then the line has the outcome fields, the trace and a masked address', async () => {
    const n = emailNotification();
    const trace = '0123456789abcdef0123456789abcdef';
    await push(notifier.url, pushEnvelope(n, { messageId: 'log-1' }), { 'x-cloud-trace-context': `${trace}/1;o=1` });
    const line = notifier.logs.find((l) => l.messageId === 'log-1');
    expect(line).toMatchObject({
      severity: 'INFO',
      message: 'delivery sent',
      notificationId: n.notificationId,
      channel: 'EMAIL',
      attempt: 1,
      recipient: 'a***@example.com',
      'logging.googleapis.com/trace': `projects/notifier-test/traces/${trace}`,
    });
    expect(typeof line!.durationMs).toBe('number');
    expect(JSON.stringify(notifier.logs)).not.toContain('alice@example.com');
  });
});

describe('keys are exact', () => {
  test('when an ID differs from a sent one only by a trailing space, then it is refused INVALID_PAYLOAD with a reason, not taken for a duplicate', async () => {
    const n = emailNotification({ notificationId: `order-${Date.now()}` });
    expect(await push(notifier.url, pushEnvelope(n, { messageId: 'exact-1' }))).toBe(204);
    const padded = { ...n, notificationId: `${n.notificationId} ` };
    expect(await push(notifier.url, pushEnvelope(padded, { messageId: 'exact-2' }))).toBe(204);
    const [record] = await parts.topics.deadLetters.waitFor(1, (m) => m.attributes.notifier_source_message_id === 'exact-2');
    expect(record!.attributes).toMatchObject({ notifier_failure_code: 'INVALID_PAYLOAD', notifier_error: 'notification_id begins or ends with whitespace' });
    expect(notifier.logs.find((l) => l.messageId === 'exact-2')).toMatchObject({ message: 'delivery dead_lettered' });
    expect(parts.smtp.mailsFor(n.notificationId)).toHaveLength(1);
  });

  test('when IDs differ only in case, accents or Unicode normalisation, then each is its own notification', async () => {
    const ids = ['Order-é', 'order-é', 'order-e\u0301'].map((id) => `${id}-${Date.now()}`);
    const before = parts.smtp.mails.length;
    for (const id of ids) expect(await push(notifier.url, pushEnvelope(emailNotification({ notificationId: id })))).toBe(204);
    for (const id of ids) expect(await parts.db.row(id)).toMatchObject({ notification_id: id, status: 'sent' });
    // Non-ASCII IDs travel MIME-encoded in the mail header: count the mails instead.
    expect(parts.smtp.mails.length - before).toBe(3);
  });
});

describe('the SMTP connection pool', () => {
  test('when 30 notifications are sent one after another, then they reuse pooled connections', async () => {
    const before = parts.smtp.connections;
    for (let i = 0; i < 30; i++) expect(await push(notifier.url, pushEnvelope(emailNotification()))).toBe(204);
    // SMTP_POOL_SIZE defaults to 5; without pooling this would be 30 new sessions.
    expect(parts.smtp.connections - before).toBeLessThanOrEqual(5);
  });
});
