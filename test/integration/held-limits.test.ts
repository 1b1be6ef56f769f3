import { emailNotification, push, pushEnvelope } from '../support/notifications';
import { InProcessNotifier, notifierEnv, startInProcess } from '../support/notifier';
import { RealParts, startRealParts } from '../support/real-parts';

/** What Pub/Sub allows a message to carry, a held message keeps: on real MariaDB. */
let parts: RealParts;
let notifier: InProcessNotifier;

beforeAll(async () => {
  parts = await startRealParts();
  notifier = await startInProcess(notifierEnv(parts));
  // Quiet hours around now in UTC: every notification of this account is held.
  const minute = new Date().getUTCHours() * 60 + new Date().getUTCMinutes();
  await parts.db.pool.query('INSERT INTO account_settings (account_id, time_zone, quiet_start, quiet_end) VALUES (?, ?, ?, ?)', [
    'acct-quiet', 'UTC', (minute + 1380) % 1440, (minute + 60) % 1440,
  ]);
});

afterAll(async () => {
  await notifier?.stop();
  await parts?.close();
});

test("when a held message carries Pub/Sub's most attributes (100 of 1024 bytes, control characters escaped sixfold in JSON), then it is held whole on the first delivery", async () => {
  // 100 attributes of 256-byte keys and 1024-byte values: about 640 KB once JSON escapes them.
  const attributes = Object.fromEntries(Array.from({ length: 99 }, (_, i) => [`k${String(i).padStart(2, '0')}${'k'.repeat(253)}`, '\u0001'.repeat(1024)]));
  const n = emailNotification({ accountId: 'acct-quiet' });
  expect(await push(notifier.url, pushEnvelope(n, { messageId: 'big-attrs', attributes }))).toBe(204);
  expect(await parts.db.row(n.notificationId)).toMatchObject({ status: 'held' });
  const [rows] = await parts.db.pool.query('SELECT attributes FROM held_notifications WHERE notification_id = ?', [n.notificationId]);
  expect(JSON.parse((rows as { attributes: string }[])[0]!.attributes)).toMatchObject(attributes);
});
