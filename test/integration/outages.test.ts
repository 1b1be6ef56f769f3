import { MYSQL_ROOT_URL } from '../support/env';
import { emailNotification, push, pushEnvelope } from '../support/notifications';
import { eventually, InProcessNotifier, notifierEnv, startInProcess } from '../support/notifier';
import { startTcpProxy, TcpProxy } from '../support/tcp-proxy';
import { RealParts, startRealParts } from '../support/real-parts';
import { startSmtpSink } from '../support/smtp-sink';

let parts: RealParts;
let proxy: TcpProxy;
let notifier: InProcessNotifier;

beforeAll(async () => {
  parts = await startRealParts();
  const target = new URL(MYSQL_ROOT_URL);
  proxy = await startTcpProxy(target.hostname, Number(target.port || 3306));
  const viaProxy = new URL(parts.db.url);
  viaProxy.host = `127.0.0.1:${proxy.port}`;
  notifier = await startInProcess(
    notifierEnv({ ...parts, db: { url: viaProxy.toString() } }, { MAX_ATTEMPTS: '5', MYSQL_TIMEOUT_MS: '2000' }),
  );
});

afterAll(async () => {
  await notifier?.stop();
  await Promise.all([parts?.close(), proxy?.close()]);
});

describe('dependencies going away and coming back', () => {
  test('when the SMTP server is down, then the delivery is nacked, and after recovery exactly one mail is sent', async () => {
    const port = parts.smtp.port;
    await parts.smtp.close();
    const n = emailNotification();
    const envelope = pushEnvelope(n, { messageId: 'smtp-down' });
    try {
      expect(await push(notifier.url, envelope)).toBe(503);
      expect(await parts.db.row(n.notificationId)).toMatchObject({ status: 'pending', failure_code: 'PROVIDER_UNAVAILABLE' });
    } finally {
      parts.smtp = await startSmtpSink(port);
    }
    expect(await push(notifier.url, envelope)).toBe(204);
    expect(parts.smtp.mailsFor(n.notificationId)).toHaveLength(1);
    expect(await parts.db.row(n.notificationId)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  test('when MySQL is unreachable, then deliveries are nacked, the process stays up, /readyz is not ready; after recovery one mail', async () => {
    const n = emailNotification();
    const envelope = pushEnvelope(n, { messageId: 'mysql-down' });
    await proxy.cut();
    try {
      expect(await push(notifier.url, envelope)).toBe(503);
      expect(await push(notifier.url, envelope)).toBe(503);
      expect((await fetch(`${notifier.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${notifier.url}/readyz`)).status).toBe(503);
      expect(parts.smtp.mailsFor(n.notificationId)).toHaveLength(0);
      const line = notifier.logs.find((l) => l.messageId === 'mysql-down');
      expect(line).toMatchObject({ message: 'delivery retry', code: 'DATABASE_UNAVAILABLE', severity: 'WARNING' });
    } finally {
      await proxy.restore();
    }
    await eventually('readiness after MySQL returns', async () => (await fetch(`${notifier.url}/readyz`)).status === 200 || undefined);
    expect(await push(notifier.url, envelope)).toBe(204);
    expect(await push(notifier.url, envelope)).toBe(204);
    expect(parts.smtp.mailsFor(n.notificationId)).toHaveLength(1);
  });

  test('when the ledger cannot record a successful send, then it is acked with an error log and never resent', async () => {
    const n = emailNotification();
    let release!: () => void;
    parts.smtp.onData = () => ({ kind: 'hold', until: new Promise<void>((r) => (release = r)) });
    const first = push(notifier.url, pushEnvelope(n, { messageId: 'unrecorded-1' }));
    await eventually('the mail to reach the SMTP server', () => parts.smtp.mailsFor(n.notificationId).length === 1 || undefined);
    await proxy.cut();
    release();
    try {
      expect(await first).toBe(204);
    } finally {
      parts.smtp.onData = () => ({ kind: 'accept' });
      await proxy.restore();
    }
    expect(notifier.logs.find((l) => l.messageId === 'unrecorded-1')).toMatchObject({
      severity: 'ERROR',
      message: 'delivery sent_unrecorded',
    });
    expect(await parts.db.row(n.notificationId)).toMatchObject({ status: 'sending' });
    // A stray redelivery must not send again: within the delivery budget it is nacked (the
    // send may still be running elsewhere); after it, the outcome was never recorded, so it
    // is dead-lettered as unknown outcome.
    expect(await push(notifier.url, pushEnvelope(n, { messageId: 'unrecorded-2' }))).toBe(409);
    await parts.db.pool.query('UPDATE delivery_ledger SET updated_at = NOW(6) - INTERVAL 1 HOUR WHERE notification_id = ?', [n.notificationId]);
    expect(await push(notifier.url, pushEnvelope(n, { messageId: 'unrecorded-2' }))).toBe(204);
    expect(parts.smtp.mailsFor(n.notificationId)).toHaveLength(1);
    expect(await parts.db.row(n.notificationId)).toMatchObject({ status: 'unknown', failure_code: 'SEND_OUTCOME_UNKNOWN' });
  });
});
