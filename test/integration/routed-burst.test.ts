import { randomBytes } from 'node:crypto';
import { PubSub } from '@google-cloud/pubsub';
import { CHANNELS } from '../../src/codec/notification';
import { emailNotification, push, pushEnvelope } from '../support/notifications';
import { InProcessNotifier, notifierEnv, startInProcess } from '../support/notifier';
import { TEST_PROJECT } from '../support/pubsub';
import { RealParts, startRealParts } from '../support/real-parts';

/**
 * A routed notification reads its account's contacts, and each delivery holds its lock's
 * connection while it works: with fewer pooled connections than concurrent deliveries, a
 * delivery that asked the pool for a second connection while holding the first deadlocked
 * with the others, and the instance answered nothing more, /readyz included.
 */
const POOL_SIZE = 3;
const BURST = 12;
let parts: RealParts;
let pubsub: PubSub;
let notifier: InProcessNotifier;

beforeAll(async () => {
  parts = await startRealParts();
  pubsub = new PubSub({ projectId: TEST_PROJECT, apiEndpoint: process.env.PUBSUB_EMULATOR_HOST, emulatorMode: true });
  const [topic] = await pubsub.createTopic(`notifications-burst-${randomBytes(3).toString('hex')}`);
  notifier = await startInProcess(notifierEnv(parts, { MYSQL_POOL_SIZE: String(POOL_SIZE), NOTIFIER_TOPIC: topic.name.split('/').pop()! }));
  await parts.db.pool.query('INSERT INTO account_contacts (account_id, channel, position, address) VALUES (?, ?, 0, ?)', ['acct-burst', 'EMAIL', 'burst@example.com']);
});

afterAll(async () => {
  await notifier?.stop();
  await pubsub?.close();
  await parts?.close();
});

test(`when ${BURST} routed notifications arrive at once with MYSQL_POOL_SIZE=${POOL_SIZE}, then each is routed, and an ordinary push and /readyz answer after`, async () => {
  const routed = Array.from({ length: BURST }, () =>
    emailNotification({ accountId: 'acct-burst', channel: CHANNELS.CHANNEL_UNSPECIFIED, email: undefined, content: { title: 'Shipped', body: 'On its way', url: '', data: {} } }),
  );
  const statuses = await Promise.all(routed.map((n) => push(notifier.url, pushEnvelope(n))));
  expect(statuses).toEqual(routed.map(() => 204));
  for (const n of routed) expect(await parts.db.row(n.notificationId, 'ROUTED')).toMatchObject({ status: 'sent', provider_message_id: '1 messages' });

  const ordinary = emailNotification();
  expect(await push(notifier.url, pushEnvelope(ordinary))).toBe(204);
  expect(parts.smtp.mailsFor(ordinary.notificationId)).toHaveLength(1);
  expect((await fetch(`${notifier.url}/readyz`)).status).toBe(200);
  expect((await fetch(`${notifier.url}/healthz`)).status).toBe(200);
});
