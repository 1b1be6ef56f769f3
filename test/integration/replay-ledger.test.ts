import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import type { Notification } from '../../src/codec/notification';
import { loadMigrations, migrate } from '../../src/mysql/migrate';
import { MYSQL_ROOT_URL } from '../support/env';
import { emailNotification, push, pushEnvelope } from '../support/notifications';
import { InProcessNotifier, notifierEnv, startInProcess } from '../support/notifier';
import { RealParts, startRealParts } from '../support/real-parts';
import { REPLAY_OF_ATTRIBUTE } from '../../src/codec/attributes';

let parts: RealParts;
let notifier: InProcessNotifier;

beforeAll(async () => {
  parts = await startRealParts();
  notifier = await startInProcess(notifierEnv(parts, { MAX_ATTEMPTS: '3', MAX_REPLAYS: '1' }));
});

afterEach(() => {
  parts.smtp.onData = () => ({ kind: 'accept' });
  parts.smtp.rcptReply = undefined;
});

afterAll(async () => {
  await notifier?.stop();
  await parts?.close();
});

const original = (n: Notification, messageId: string) => pushEnvelope(n, { messageId });
const replay = (n: Notification, messageId: string, replayOf: string) =>
  pushEnvelope(n, { messageId, attributes: { [REPLAY_OF_ATTRIBUTE]: replayOf }, signed: true });
const logFor = (messageId: string) => notifier.logs.filter((l) => l.messageId === messageId).at(-1);

describe('replays of failed notifications on MariaDB, SMTP and the emulator', () => {
  test('when a failed notification is replayed once SMTP is fixed, then exactly one mail is sent and further replays send nothing', async () => {
    const n = emailNotification();
    parts.smtp.rcptReply = 550;
    expect(await push(notifier.url, original(n, 'fail-1'))).toBe(204);
    expect(await parts.db.row(n.notificationId)).toMatchObject({ status: 'failed', replays: 0, last_replay_message_id: null });
    parts.smtp.rcptReply = undefined;

    const firstReplay = replay(n, 'replay-1a', 'fail-1');
    expect(await push(notifier.url, firstReplay)).toBe(204);
    expect(parts.smtp.mailsFor(n.notificationId)).toHaveLength(1);
    expect(await parts.db.row(n.notificationId)).toMatchObject({
      status: 'sent', attempts: 1, replays: 1, last_replay_message_id: 'replay-1a',
    });
    expect(logFor('replay-1a')).toMatchObject({ message: 'delivery sent', replay: 1 });

    expect(await push(notifier.url, firstReplay)).toBe(204);
    expect(await push(notifier.url, replay(n, 'replay-1b', 'fail-1'))).toBe(204);
    expect(parts.smtp.mailsFor(n.notificationId)).toHaveLength(1);
    expect(logFor('replay-1b')).toMatchObject({ message: 'delivery duplicate' });
    expect(await parts.db.row(n.notificationId)).toMatchObject({ status: 'sent', replays: 1 });
  });

  test('when MAX_REPLAYS replays have failed too, then the next replay is acked 204 as replay_refused and sends nothing', async () => {
    const n = emailNotification();
    parts.smtp.rcptReply = 550;
    expect(await push(notifier.url, original(n, 'fail-2'))).toBe(204);
    expect(await push(notifier.url, replay(n, 'replay-2a', 'fail-2'))).toBe(204);
    const [record] = await parts.topics.deadLetters.waitFor(
      1, (m) => m.attributes.notifier_source_message_id === 'replay-2a',
    );
    expect(record!.attributes).toMatchObject({ [REPLAY_OF_ATTRIBUTE]: 'fail-2', notifier_attempts: '1' });
    expect(await parts.db.row(n.notificationId)).toMatchObject({ status: 'failed', replays: 1, last_replay_message_id: 'replay-2a' });
    parts.smtp.rcptReply = undefined;

    // Pub/Sub redelivering the used replay does not spend (or exceed) anything: a duplicate.
    expect(await push(notifier.url, replay(n, 'replay-2a', 'fail-2'))).toBe(204);
    expect(logFor('replay-2a')).toMatchObject({ message: 'delivery duplicate' });

    expect(await push(notifier.url, replay(n, 'replay-2b', 'fail-2'))).toBe(204);
    expect(parts.smtp.mailsFor(n.notificationId)).toHaveLength(0);
    expect(logFor('replay-2b')).toMatchObject({ message: 'delivery replay_refused', severity: 'WARNING' });
    expect(logFor('replay-2b')!.error).toContain('MAX_REPLAYS');
    expect(await parts.db.row(n.notificationId)).toMatchObject({ status: 'failed', replays: 1, last_replay_message_id: 'replay-2a' });
  });

  test('when a replay fails transiently, then its redelivery retries it without spending another replay', async () => {
    const n = emailNotification();
    parts.smtp.rcptReply = 550;
    expect(await push(notifier.url, original(n, 'fail-3'))).toBe(204);
    parts.smtp.rcptReply = undefined;
    parts.smtp.onData = () => ({ kind: 'reply', code: 451, message: 'try later' });

    const envelope = replay(n, 'replay-3a', 'fail-3');
    expect(await push(notifier.url, envelope)).toBe(503);
    expect(await parts.db.row(n.notificationId)).toMatchObject({ status: 'pending', attempts: 1, replays: 1 });
    parts.smtp.onData = () => ({ kind: 'accept' });

    expect(await push(notifier.url, envelope)).toBe(204);
    expect(parts.smtp.mailsFor(n.notificationId)).toHaveLength(1);
    expect(await parts.db.row(n.notificationId)).toMatchObject({ status: 'sent', attempts: 2, replays: 1 });
  });
});

describe('migration 0002_ledger_replays', () => {
  async function withScratchDatabase(fn: (url: string, name: string) => Promise<void>): Promise<void> {
    const name = `notifier_t_${randomBytes(4).toString('hex')}`;
    const u = new URL(MYSQL_ROOT_URL);
    u.pathname = `/${name}`;
    try {
      await fn(u.toString(), name);
    } finally {
      await parts.db.pool.query(`DROP DATABASE IF EXISTS ${mysql.escapeId(name)}`);
    }
  }

  async function replayColumns(name: string) {
    const [rows] = await parts.db.pool.query(
      `SELECT COLUMN_NAME AS name, COLUMN_TYPE AS type, IS_NULLABLE AS nullable, COLUMN_DEFAULT AS dflt
       FROM information_schema.COLUMNS
       WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'delivery_ledger' AND COLUMN_NAME IN ('replays', 'last_replay_message_id')
       ORDER BY COLUMN_NAME`,
      [name],
    );
    return rows as { name: string; type: string; nullable: string; dflt: string | null }[];
  }

  test('when migrations run on a fresh database, then all apply and the replay columns exist', async () => {
    await withScratchDatabase(async (url, name) => {
      expect(await migrate(url)).toEqual(['0001_delivery_ledger', '0002_ledger_replays', '0003_account_settings', '0004_ledger_send_claim', '0005_ledger_resolutions', '0006_held_attributes_size', '0007_ledger_history', '0008_suppressions', '0009_ledger_template']);
      const [lastReplay, replays] = await replayColumns(name);
      expect(replays).toMatchObject({ name: 'replays', nullable: 'NO' });
      expect(replays!.type).toMatch(/^int(\(\d+\))? unsigned$/);
      expect(String(replays!.dflt)).toBe('0');
      expect(lastReplay).toMatchObject({ name: 'last_replay_message_id', type: 'varchar(64)', nullable: 'YES' });
    });
  });

  test('when 0001 is already applied with rows, then 0002 alone applies, rows get replays 0, and a rerun is harmless', async () => {
    await withScratchDatabase(async (url, name) => {
      const migrations = (await loadMigrations()).filter((m) => m.version <= 2);
      const first = migrations.filter((m) => m.version === 1);
      expect(await migrate(url, first)).toEqual(['0001_delivery_ledger']);
      const db = mysql.escapeId(name);
      await parts.db.pool.query(
        `INSERT INTO ${db}.delivery_ledger (notification_id, channel, status, attempts, notification_type, first_message_id, last_message_id)
         VALUES ('old-1', 'EMAIL', 'failed', 3, 'order.shipped', 'm-1', 'm-1')`,
      );

      expect(await migrate(url, migrations)).toEqual(['0002_ledger_replays']);
      const [rows] = await parts.db.pool.query(`SELECT status, replays, last_replay_message_id FROM ${db}.delivery_ledger`);
      expect(rows).toEqual([{ status: 'failed', replays: 0, last_replay_message_id: null }]);

      // A crash between the DDL and its schema_migrations record: the file runs again cleanly.
      await parts.db.pool.query(`DELETE FROM ${db}.schema_migrations WHERE version = 2`);
      expect(await migrate(url, migrations)).toEqual(['0002_ledger_replays']);
      expect(await replayColumns(name)).toHaveLength(2);
      expect(await migrate(url, migrations)).toEqual([]);
    });
  });
});
