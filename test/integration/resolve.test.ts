import os from 'node:os';
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { migrate } from '../../src/mysql/migrate';
import { createPool } from '../../src/mysql/pool';
import { makeMysqlResolutions } from '../../src/mysql/resolutions';
import { MYSQL_ROOT_URL } from '../support/env';
import { emailNotification } from '../support/notifications';
import { eventually } from '../support/notifier';
import { startTestPipeline, TestPipeline } from '../support/pipeline';
import { asStored, cliOn, resolutionOf, unknownOutcome } from '../support/resolve';
import { runCli } from '../../src/cli/main';
import { LOCAL_SUPPRESSION_KEY } from '../../src/config';
import { TEST_PROJECT } from '../support/pubsub';

// resolve-resend.test.ts covers --as resend; this file the ledger side: sent, failed, refusals, races, schema.
let p: TestPipeline;

beforeAll(async () => {
  p = await startTestPipeline();
});
afterAll(() => p?.close());

describe('notifier resolve on MariaDB and the emulator', () => {
  test('when the events topic is named, then the resolution also reaches the events table as a resolved event', async () => {
    const { id } = await unknownOutcome(p);
    const env = { GOOGLE_CLOUD_PROJECT: TEST_PROJECT, PUBSUB_EMULATOR_HOST: process.env.PUBSUB_EMULATOR_HOST, EVENTS_TOPIC: p.names.eventsTopic, SUPPRESSION_KEY: LOCAL_SUPPRESSION_KEY };
    const silent = { write: () => true };
    const code = await runCli(['resolve', id, '--channel', 'EMAIL', '--as', 'failed', '--by', 'alice', '--mysql-url', p.db.url], { env, stdout: silent, stderr: silent });
    expect(code).toBe(0);
    const row = await eventually('the resolved event row', async () => {
      const [rows] = await p.db.pool.query("SELECT event, code, target FROM notification_events WHERE notification_id = ? AND event = 'resolved'", [id]);
      return (rows as Record<string, unknown>[])[0];
    }, 20000);
    expect(row).toEqual({ event: 'resolved', code: 'failed', target: 'EMAIL' });
  });

  test('when an unknown outcome is resolved as sent, then the row is sent and records who, when (UTC) and why, as the printed line says', async () => {
    const { id } = await unknownOutcome(p);
    const result = await cliOn(p, 'resolve', id, '--channel', 'EMAIL', '--as', 'sent', '--by', 'alice', '--reason', 'provider log: 250 queued as 7F3A');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const line = new RegExp(`^resolved ${id} \\(EMAIL\\) as sent by alice at (\\S+Z): unknown → sent; reason: provider log: 250 queued as 7F3A\\n$`);
    const at = line.exec(result.stdout)![1]!;
    expect(Math.abs(Date.parse(at) - Date.now())).toBeLessThan(60_000);
    expect(await resolutionOf(p, id)).toEqual({
      status: 'sent',
      failure_code: 'SEND_OUTCOME_UNKNOWN',
      replays: 0,
      resolution: 'sent',
      resolved_by: 'alice',
      resolved_at: asStored(at),
      resolution_note: 'provider log: 250 queued as 7F3A',
    });
    expect(p.smtp.mailsFor(id)).toHaveLength(0);
  });

  test('when resolved as failed without --by, then the row is failed, keeps SEND_OUTCOME_UNKNOWN, and the OS user resolved it', async () => {
    const { id } = await unknownOutcome(p);
    expect((await cliOn(p, 'resolve', id, '--channel', 'EMAIL', '--as', 'failed')).code).toBe(0);
    expect(await resolutionOf(p, id)).toMatchObject({ status: 'failed', failure_code: 'SEND_OUTCOME_UNKNOWN', resolution: 'failed', resolved_by: os.userInfo().username, resolution_note: null });
  });

  test('when a resolved row is resolved again, then it is refused naming the first resolution, and the row is unchanged', async () => {
    const { id } = await unknownOutcome(p);
    expect((await cliOn(p, 'resolve', id, '--channel', 'EMAIL', '--as', 'failed', '--by', 'alice', '--reason', 'bounced')).code).toBe(0);
    const first = await resolutionOf(p, id);
    const again = await cliOn(p, 'resolve', id, '--channel', 'EMAIL', '--as', 'sent', '--by', 'bob');
    expect(again.code).toBe(2);
    const at = new Date(`${String(first!.resolved_at).replace(' ', 'T').slice(0, 23)}Z`).toISOString();
    expect(again.stderr).toBe(
      `notifier resolve: ${id} (EMAIL) was already resolved as failed by alice at ${at} (reason: bounced); ` +
        'its status is failed, and only an unknown send outcome can be resolved\n',
    );
    expect(await resolutionOf(p, id)).toEqual(first);
  });

  test('when two resolves run at once, then exactly one wins and the other is told who did', async () => {
    const { id } = await unknownOutcome(p);
    const results = await Promise.all([
      cliOn(p, 'resolve', id, '--channel', 'EMAIL', '--as', 'sent', '--by', 'ann'),
      cliOn(p, 'resolve', id, '--channel', 'EMAIL', '--as', 'failed', '--by', 'ben'),
    ]);
    expect(results.map((r) => r.code).sort()).toEqual([0, 2]);
    const winner = results[0]!.code === 0 ? { by: 'ann', as: 'sent' } : { by: 'ben', as: 'failed' };
    expect(await resolutionOf(p, id)).toMatchObject({ status: winner.as, resolution: winner.as, resolved_by: winner.by });
    expect(results.find((r) => r.code === 2)!.stderr).toContain(`was already resolved as ${winner.as} by ${winner.by} at `);
  });

  test('when the row is not unknown, or there is none, then resolving is refused with its status, exit 2', async () => {
    const n = emailNotification();
    await p.client.republish(n, {});
    await eventually('the mail', () => p.smtp.mailsFor(n.notificationId).length === 1 || undefined, 20000);
    await eventually('the row sent', async () => (await p.db.row(n.notificationId))?.status === 'sent' || undefined);
    const sent = await cliOn(p, 'resolve', n.notificationId, '--channel', 'EMAIL', '--as', 'resend', '--by', 'bob');
    expect(sent).toMatchObject({ code: 2, stdout: '' });
    expect(sent.stderr).toBe(`notifier resolve: ${n.notificationId} (EMAIL) is sent, not unknown: only an unknown send outcome can be resolved\n`);
    expect(await resolutionOf(p, n.notificationId)).toMatchObject({ status: 'sent', resolution: null });

    const missing = await cliOn(p, 'resolve', n.notificationId, '--channel', 'SMS', '--as', 'sent', '--by', 'bob');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`no ledger row for ${n.notificationId} (SMS)`);
  });
});

describe('the resolutions data access on MariaDB', () => {
  test('when several resolutions of one row are written at once, then exactly one statement matches it', async () => {
    const { id } = await unknownOutcome(p);
    const pool = createPool({ url: p.db.url, size: 5, timeoutMs: 5000 });
    try {
      const ledger = makeMysqlResolutions(pool, { timeoutMs: 5000 });
      const key = { notificationId: id, channel: 'EMAIL' };
      const names = ['ann', 'ben', 'cat', 'dan', 'eve'];
      const won = await Promise.all(names.map((by) => ledger.resolve(key, { resolution: 'failed', by, atMs: Date.now() })));
      expect(won.filter(Boolean)).toHaveLength(1);
      expect(await ledger.find(key)).toMatchObject({ status: 'failed', resolved: { resolution: 'failed', by: names[won.indexOf(true)] } });
    } finally {
      await pool.end();
    }
  });
});

describe('migration 0005_ledger_resolutions', () => {
  test('when it runs again after a crash before its record, then it is harmless and the columns exist once', async () => {
    const name = `notifier_t_${randomBytes(4).toString('hex')}`;
    const u = new URL(MYSQL_ROOT_URL);
    u.pathname = `/${name}`;
    try {
      await migrate(u.toString());
      await p.db.pool.query(`DELETE FROM ${mysql.escapeId(name)}.schema_migrations WHERE version = 5`);
      expect(await migrate(u.toString())).toEqual(['0005_ledger_resolutions']);
      const [rows] = await p.db.pool.query(
        `SELECT COLUMN_NAME AS name, COLUMN_TYPE AS type, IS_NULLABLE AS nullable FROM information_schema.COLUMNS
         WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'delivery_ledger' AND COLUMN_NAME IN ('resolution', 'resolved_by', 'resolved_at', 'resolution_note')
         ORDER BY COLUMN_NAME`,
        [name],
      );
      expect(rows).toEqual([
        { name: 'resolution', type: 'varchar(8)', nullable: 'YES' },
        { name: 'resolution_note', type: 'varchar(255)', nullable: 'YES' },
        { name: 'resolved_at', type: 'datetime(6)', nullable: 'YES' },
        { name: 'resolved_by', type: 'varchar(128)', nullable: 'YES' },
      ]);
    } finally {
      await p.db.pool.query(`DROP DATABASE IF EXISTS ${mysql.escapeId(name)}`);
    }
  });
});
