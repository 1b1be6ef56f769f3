import { emailNotification, push, pushEnvelope } from '../support/notifications';
import { InProcessNotifier, notifierEnv, startInProcess } from '../support/notifier';
import { RealParts, startRealParts } from '../support/real-parts';

/**
 * An SMTP send whose outcome is unknown (the server had the whole message and dropped the
 * connection without a reply) meets a dead-letter topic that cannot be published to: the
 * row stays `sending` (never `pending`, which would send it again) and the message is nacked;
 * the redelivery is in flight while the budget lasts, then dead-letters it as unknown.
 */
let parts: RealParts;
let deadLetterDown: InProcessNotifier;
let healthy: InProcessNotifier;

beforeAll(async () => {
  parts = await startRealParts();
  const env = { SEND_TIMEOUT_MS: '1000', PUBLISH_TIMEOUT_MS: '1000', MAX_ATTEMPTS: '5' };
  // The same service, once while its dead-letter topic cannot be published to (here: missing).
  deadLetterDown = await startInProcess(
    notifierEnv({ ...parts, topics: { ...parts.topics, deadLetterTopic: `missing-dead-letter-${Date.now()}` } }, env),
  );
  healthy = await startInProcess(notifierEnv(parts, env));
});

afterAll(async () => {
  await deadLetterDown?.stop();
  await healthy?.stop();
  await parts?.close();
});

test('when the outcome is unknown and the dead letter cannot be published, then redeliveries never send the mail again', async () => {
  const n = emailNotification();
  const envelope = pushEnvelope(n, { messageId: 'unknown-dl-down' });
  parts.smtp.onData = () => ({ kind: 'drop' }); // keeps the mail, drops the connection, no reply
  const first = await push(deadLetterDown.url, envelope);
  parts.smtp.onData = () => ({ kind: 'accept' });
  const afterFirst = await parts.db.row(n.notificationId);
  expect(parts.smtp.mailsFor(n.notificationId)).toHaveLength(1);

  // Pub/Sub redelivers the nacked message (the dead-letter topic is back by then).
  expect(await push(healthy.url, envelope)).toBe(409);
  // Once older than the delivery budget, the interrupted send is settled as unknown.
  await parts.db.pool.query('UPDATE delivery_ledger SET updated_at = NOW(6) - INTERVAL 1 HOUR WHERE notification_id = ?', [n.notificationId]);
  expect(await push(healthy.url, envelope)).toBe(204);
  const final = await parts.db.row(n.notificationId);
  const firstLine = deadLetterDown.logs.filter((l) => l.messageId === 'unknown-dl-down').at(-1);
  expect({ first, firstCode: firstLine?.code, afterFirst: afterFirst?.status, final: final?.status, failure_code: final?.failure_code }).toEqual({
    first: 503,
    firstCode: 'DEAD_LETTER_UNAVAILABLE',
    afterFirst: 'sending',
    final: 'unknown',
    failure_code: 'SEND_OUTCOME_UNKNOWN',
  });
  expect(parts.smtp.mailsFor(n.notificationId)).toHaveLength(1);
});
