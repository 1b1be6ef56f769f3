import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Message } from '@google-cloud/pubsub';
import { CHANNELS } from '../../src/codec/notification';
import { startHttpStub } from '../support/http-stub';
import { emailNotification, push, pushEnvelope } from '../support/notifications';
import { ChildNotifier, eventually, notifierEnv, spawnNotifier } from '../support/notifier';
import { RealParts, startRealParts } from '../support/real-parts';

let parts: RealParts;
const children: ChildNotifier[] = [];

async function spawnOne(overrides: Record<string, string> = {}): Promise<ChildNotifier> {
  const child = await spawnNotifier(notifierEnv(parts, overrides));
  children.push(child);
  return child;
}

beforeAll(async () => {
  parts = await startRealParts();
});

afterEach(() => {
  parts.smtp.onData = () => ({ kind: 'accept' });
  for (const c of children.splice(0)) if (c.child.exitCode === null) c.child.kill('SIGKILL');
});

afterAll(async () => {
  await parts?.close();
});

function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, args, { env: { PATH: process.env.PATH ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    p.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    p.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const DIST = path.resolve(__dirname, '../../dist');

describe('the notifier as a process (node dist/main.js)', () => {
  test('when killed after the SMTP server accepted a mail but before the ledger recorded it, then the redelivery sends nothing and is dead-lettered as unknown outcome', async () => {
    const first = await spawnOne();
    const n = emailNotification();
    const envelope = pushEnvelope(n, { messageId: 'crash-1' });
    parts.smtp.onData = () => {
      first.child.kill('SIGKILL');
      return { kind: 'accept' };
    };
    await expect(push(first.url, envelope)).rejects.toThrow();
    expect((await first.exited).signal).toBe('SIGKILL');
    expect(parts.smtp.mailsFor(n.notificationId)).toHaveLength(1);
    expect(await parts.db.row(n.notificationId)).toMatchObject({ status: 'sending', attempts: 1 });

    parts.smtp.onData = () => ({ kind: 'accept' });
    const second = await spawnOne();
    // Within the delivery budget the row may be a send still running elsewhere: nacked, not judged.
    expect(await push(second.url, envelope)).toBe(409);
    expect(second.logs.find((l) => l.messageId === 'crash-1')).toMatchObject({ message: 'delivery in_flight' });
    // Once the budget has passed (the row made older, as time would), it is the crash window.
    await parts.db.pool.query('UPDATE delivery_ledger SET updated_at = NOW(6) - INTERVAL 1 HOUR WHERE notification_id = ?', [n.notificationId]);
    expect(await push(second.url, envelope)).toBe(204);
    expect(parts.smtp.mailsFor(n.notificationId)).toHaveLength(1);
    const [record] = await parts.topics.deadLetters.waitFor(
      1,
      (m: Message) => m.attributes.notifier_source_message_id === 'crash-1',
    );
    expect(record!.attributes).toMatchObject({
      notifier_failure_code: 'SEND_OUTCOME_UNKNOWN',
      notifier_failure_class: 'unknown_outcome',
      notifier_attempts: '1',
    });
    expect(await parts.db.row(n.notificationId)).toMatchObject({ status: 'unknown' });
  });

  test('when SIGTERM arrives with a delivery in flight, then it completes with 2xx and the process exits 0', async () => {
    const notifier = await spawnOne();
    const n = emailNotification();
    let release!: () => void;
    parts.smtp.onData = () => ({ kind: 'hold', until: new Promise<void>((r) => (release = r)) });
    const inFlight = push(notifier.url, pushEnvelope(n, { messageId: 'sigterm-1' }));
    await eventually('the mail to reach the SMTP server', () => parts.smtp.mailsFor(n.notificationId).length === 1 || undefined);
    notifier.child.kill('SIGTERM');
    await eventually('shutdown to begin', () => notifier.logs.find((l) => l.message === 'shutting down'));
    // No new work is accepted while draining.
    await expect(push(notifier.url, pushEnvelope(emailNotification()))).rejects.toThrow();
    release();
    expect(await inFlight).toBe(204);
    expect(await notifier.exited).toEqual({ code: 0, signal: null });
    expect(await parts.db.row(n.notificationId)).toMatchObject({ status: 'sent' });
  });

  test('when a webhook notification ID is not ASCII (注文-42), then it is delivered, percent-encoded in the header, and the process stays up', async () => {
    const receiver = await startHttpStub(() => ({ status: 204 }));
    try {
      const notifier = await spawnOne({ WEBHOOK_SIGNING_SECRET: 'whsec-process-0123456789abcdef0123456789', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', SEND_TIMEOUT_MS: '1000' });
      const n = emailNotification({ notificationId: '注文-42', channel: CHANNELS.WEBHOOK, email: undefined, webhook: { url: `${receiver.url}/hook`, payloadJson: '{}' } });
      expect(await push(notifier.url, pushEnvelope(n))).toBe(204);
      expect(receiver.requests.map((r) => r.headers['x-notifier-notification-id'])).toEqual(['%E6%B3%A8%E6%96%87-42']);
      // Longer than the send timeout: nothing started for that request may fire later.
      await new Promise((r) => setTimeout(r, 1500));
      expect(notifier.child.exitCode).toBeNull();
      expect(await push(notifier.url, pushEnvelope(emailNotification()))).toBe(204);
    } finally {
      await receiver.close();
    }
  });

  test('when PUSH_AUTH=none with NODE_ENV=production, then start-up is refused naming PUSH_AUTH', async () => {
    const env = notifierEnv(parts, { NODE_ENV: 'production', PUSH_AUTH: 'none' });
    const result = await run([path.join(DIST, 'main.js')], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('PUSH_AUTH');
  });

  test('when a variable is malformed, then start-up is refused naming it', async () => {
    const result = await run([path.join(DIST, 'main.js')], notifierEnv(parts, { SEND_TIMEOUT_MS: 'ten' }));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('SEND_TIMEOUT_MS: must be an integer');
  });

  test('when npm run migrate runs twice on a new database, then it creates the schema and then reports it up to date', async () => {
    const url = parts.db.url.replace(parts.db.name, `${parts.db.name}_m`);
    try {
      const first = await run([path.join(DIST, 'mysql/migrate-cli.js')], { MYSQL_URL: url });
      expect(first).toMatchObject({ code: 0, stdout: 'applied: 0001_delivery_ledger, 0002_ledger_replays, 0003_account_settings, 0004_ledger_send_claim, 0005_ledger_resolutions, 0006_held_attributes_size, 0007_ledger_history, 0008_suppressions, 0009_ledger_template\n' });
      const second = await run([path.join(DIST, 'mysql/migrate-cli.js')], { MYSQL_URL: url });
      expect(second).toMatchObject({ code: 0, stdout: 'schema is up to date\n' });
    } finally {
      await parts.db.pool.query(`DROP DATABASE IF EXISTS \`${parts.db.name}_m\``);
    }
  });
});
