import { createServer, Server, Socket } from 'node:net';
import { emailNotification, push, pushEnvelope } from '../support/notifications';
import { InProcessNotifier, notifierEnv, startInProcess } from '../support/notifier';
import { RealParts, startRealParts } from '../support/real-parts';

/**
 * The connection dies in the middle of the server's reply to the final dot: the server had
 * the whole message and started answering "250", but the line never ended. nodemailer
 * reports the torn line as a connection error carrying `responseCode` 250; that is no
 * answer at all, after the hand-over: an unknown outcome, never resent.
 */
let parts: RealParts;
let raw: Server;
const sockets = new Set<Socket>();
/** Mails the raw server received in full, by X-Notification-Id. */
const received = new Map<string, number>();
/** How the raw server answers the final dot: cut the 250 short (no CRLF, then close), or properly. */
let finalReply: 'partial-250-then-close' | 'ok' = 'partial-250-then-close';

/** A minimal SMTP server (no PIPELINING, no AUTH) that can cut its reply to the final dot short. */
function startRawSmtp(): Promise<Server> {
  const server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    let buffer = '';
    let inData = false;
    s.write('220 raw.test ESMTP\r\n');
    s.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('binary');
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 5);
          inData = false;
          const id = message.match(/^X-Notification-Id:\s*(.+?)\r?$/im)?.[1] ?? '?';
          received.set(id, (received.get(id) ?? 0) + 1);
          if (finalReply === 'partial-250-then-close') {
            // The whole reply line was on its way; the connection died before its CRLF.
            s.end('250 2.0.0 Ok: queued as 4F2');
            return;
          }
          s.write('250 2.0.0 Ok: queued\r\n');
          continue;
        }
        const eol = buffer.indexOf('\r\n');
        if (eol < 0) return;
        const line = buffer.slice(0, eol);
        buffer = buffer.slice(eol + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') s.write('250 raw.test\r\n');
        else if (verb === 'MAIL' || verb === 'RCPT' || verb === 'RSET' || verb === 'NOOP') s.write('250 Ok\r\n');
        else if (verb === 'DATA') {
          inData = true;
          s.write('354 End data with <CR><LF>.<CR><LF>\r\n');
        } else if (verb === 'QUIT') s.end('221 Bye\r\n');
        else s.write('502 Unknown\r\n');
      }
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

let notifier: InProcessNotifier;

beforeAll(async () => {
  parts = await startRealParts();
  raw = await startRawSmtp();
  const port = (raw.address() as { port: number }).port;
  notifier = await startInProcess(
    notifierEnv({ ...parts, smtp: { url: `smtp://127.0.0.1:${port}` } }, { SEND_TIMEOUT_MS: '2000', MAX_ATTEMPTS: '5' }),
  );
});

afterAll(async () => {
  await notifier?.stop();
  for (const s of sockets) s.destroy();
  await new Promise((r) => raw?.close(r));
  await parts?.close();
});

test('when the connection dies mid-way through the 250 to the final dot, then the mail is never sent a second time', async () => {
  const n = emailNotification();
  const envelope = pushEnvelope(n, { messageId: 'partial-250' });

  expect(await push(notifier.url, envelope)).toBe(204);
  expect(await parts.db.row(n.notificationId)).toMatchObject({ status: 'unknown', failure_code: 'SEND_OUTCOME_UNKNOWN' });

  // Pub/Sub redelivers as it likes; the server now answers normally.
  finalReply = 'ok';
  expect(await push(notifier.url, envelope)).toBe(204);
  expect(received.get(n.notificationId)).toBe(1);
});
