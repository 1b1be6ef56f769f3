import { randomBytes } from 'node:crypto';
import { Message } from '@google-cloud/pubsub';
import { runCli } from '../../src/cli/main';
import { emailNotification } from './notifications';
import { eventually } from './notifier';
import type { TestPipeline } from './pipeline';
import { TEST_PROJECT } from './pubsub';

/** `notifier <args>` against the pipeline's ledger (and the stand-in tables beside it) and the emulator. */
export async function cliOn(p: TestPipeline, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const env = { GOOGLE_CLOUD_PROJECT: TEST_PROJECT, PUBSUB_EMULATOR_HOST: process.env.PUBSUB_EMULATOR_HOST };
  const code = await runCli([...args, '--mysql-url', p.db.url], {
    env,
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
  return { code, stdout, stderr };
}

/**
 * A send whose outcome is unknown, as a crash after the provider took the message leaves it:
 * the ledger row `sending` long ago; the redelivery the notifier gets then is dead-lettered
 * SEND_OUTCOME_UNKNOWN (on to the stand-in tables) and the row recorded `unknown`.
 * Resolves to the Pub/Sub message ID of that delivery, which a replay names.
 */
export async function unknownOutcome(p: TestPipeline, channel = 'EMAIL'): Promise<{ id: string; messageId: string }> {
  const n = emailNotification();
  // An hour old, by the database's clock: long past any delivery still running, so a crashed one.
  await p.db.pool.query(
    `INSERT INTO delivery_ledger (notification_id, channel, status, attempts, notification_type, first_message_id, last_message_id, updated_at)
     VALUES (?, ?, 'sending', 1, ?, 'crashed-1', 'crashed-1', NOW(6) - INTERVAL 1 HOUR)`,
    [n.notificationId, channel, n.type],
  );
  const messageId = await p.client.republish(n, channel === 'EMAIL' ? {} : { notifier_target: channel });
  await eventually('the unknown outcome', async () => (await p.db.row(n.notificationId, channel))?.status === 'unknown' || undefined, 20000);
  await eventually('its dead-letter row', async () => {
    const [rows] = await p.db.pool.query('SELECT COUNT(*) AS n FROM dead_letters WHERE notification_id = ?', [n.notificationId]);
    return Number((rows as { n: number }[])[0]!.n) > 0 || undefined;
  }, 20000);
  return { id: n.notificationId, messageId };
}

/** The ledger row's status and resolution columns, resolved_at as stored (UTC text), not as a driver converts it. */
export async function resolutionOf(p: TestPipeline, id: string, channel = 'EMAIL'): Promise<Record<string, unknown> | undefined> {
  const [rows] = await p.db.pool.query(
    `SELECT status, failure_code, replays, resolution, resolved_by, CAST(resolved_at AS CHAR) AS resolved_at, resolution_note
     FROM delivery_ledger WHERE notification_id = ? AND channel = ?`,
    [id, channel],
  );
  return (rows as Record<string, unknown>[])[0];
}

/** A topic nobody delivers from, with a pull subscription: what a resend published, left as it is. */
export async function sideTopic(p: TestPipeline, name = `resolve-side-${randomBytes(4).toString('hex')}`) {
  const [topic] = await p.pipeline.pubsub.createTopic(name);
  const [sub] = await topic.createSubscription(`${name}-reader`);
  const messages: Message[] = [];
  sub.on('message', (m: Message) => {
    messages.push(m);
    m.ack();
  });
  return { name, messages, close: () => sub.close() };
}

/** `2025-01-01T00:00:00.123Z` → `2025-01-01 00:00:00.123000`, as DATETIME(6) holds it. */
export const asStored = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 23)}000`;
