import { createTestDatabase, TestDatabase } from '../support/db';
import { MYSQL_ROOT_URL } from '../support/env';
import { emailNotification, push, pushEnvelope } from '../support/notifications';
import { eventually, InProcessNotifier, notifierEnv, startInProcess } from '../support/notifier';
import { createTestTopics, TestTopics } from '../support/pubsub';
import { SmtpSink, startSmtpSink } from '../../src/local/smtp-sink';
import { startTcpProxy, TcpProxy } from '../support/tcp-proxy';

let db: TestDatabase;
let smtp: SmtpSink;
let topics: TestTopics;
let proxy: TcpProxy;
let notifier: InProcessNotifier;

beforeAll(async () => {
  [db, smtp, topics] = await Promise.all([createTestDatabase(), startSmtpSink(), createTestTopics()]);
  const target = new URL(MYSQL_ROOT_URL);
  proxy = await startTcpProxy(target.hostname, Number(target.port || 3306));
  const viaProxy = new URL(db.url);
  viaProxy.host = `127.0.0.1:${proxy.port}`;
  notifier = await startInProcess(
    notifierEnv({ db: { url: viaProxy.toString() }, smtp, topics }, { MAX_ATTEMPTS: '5', MYSQL_TIMEOUT_MS: '1000' }),
  );
});

afterAll(async () => {
  await notifier?.stop();
  await Promise.all([smtp?.close(), topics?.close(), proxy?.close()]);
  await db?.drop();
});

describe('dependencies going away and coming back', () => {
  test('when the SMTP server is down, then the delivery is nacked, and after recovery exactly one mail is sent', async () => {
    const port = smtp.port;
    await smtp.close();
    const n = emailNotification();
    const envelope = pushEnvelope(n, { messageId: 'smtp-down' });
    try {
      expect(await push(notifier.url, envelope)).toBe(503);
      expect(await db.row(n.notificationId)).toMatchObject({ status: 'pending', failure_code: 'PROVIDER_UNAVAILABLE' });
    } finally {
      smtp = await startSmtpSink(port);
    }
    expect(await push(notifier.url, envelope)).toBe(204);
    expect(smtp.mailsFor(n.notificationId)).toHaveLength(1);
    expect(await db.row(n.notificationId)).toMatchObject({ status: 'sent', attempts: 2 });
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
      expect(smtp.mailsFor(n.notificationId)).toHaveLength(0);
      const line = notifier.logs.find((l) => l.messageId === 'mysql-down');
      expect(line).toMatchObject({ message: 'delivery retry', code: 'DATABASE_UNAVAILABLE', severity: 'WARNING' });
    } finally {
      await proxy.restore();
    }
    await eventually('readiness after MySQL returns', async () => (await fetch(`${notifier.url}/readyz`)).status === 200 || undefined);
    expect(await push(notifier.url, envelope)).toBe(204);
    expect(await push(notifier.url, envelope)).toBe(204);
    expect(smtp.mailsFor(n.notificationId)).toHaveLength(1);
  });

  test('when the ledger cannot record a successful send, then it is acked with an error log and never resent', async () => {
    const n = emailNotification();
    let release!: () => void;
    smtp.onData = () => ({ kind: 'hold', until: new Promise<void>((r) => (release = r)) });
    const first = push(notifier.url, pushEnvelope(n, { messageId: 'unrecorded-1' }));
    await eventually('the mail to reach the SMTP server', () => smtp.mailsFor(n.notificationId).length === 1 || undefined);
    await proxy.cut();
    release();
    try {
      expect(await first).toBe(204);
    } finally {
      smtp.onData = () => ({ kind: 'accept' });
      await proxy.restore();
    }
    expect(notifier.logs.find((l) => l.messageId === 'unrecorded-1')).toMatchObject({
      severity: 'ERROR',
      message: 'delivery sent_unrecorded',
    });
    expect(await db.row(n.notificationId)).toMatchObject({ status: 'sending' });
    // A stray redelivery must not send again: the outcome was never recorded, so it is
    // dead-lettered as unknown outcome instead.
    expect(await push(notifier.url, pushEnvelope(n, { messageId: 'unrecorded-2' }))).toBe(204);
    expect(smtp.mailsFor(n.notificationId)).toHaveLength(1);
    expect(await db.row(n.notificationId)).toMatchObject({ status: 'unknown', failure_code: 'SEND_OUTCOME_UNKNOWN' });
  });
});
