import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { makeEmailChannel } from '../../src/channels/email/channel';
import { PermanentError } from '../../src/delivery/failures';
import { emailNotification } from '../support/notifications';

/** A real SMTP server that requires AUTH PLAIN/LOGIN with one account. */
async function startAuthServer(): Promise<{ port: number; received: string[]; close(): Promise<void> }> {
  const received: string[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === 'relay@example.com' && auth.password === 'p:ss w0rd') return callback(null, { user: auth.username });
      callback(Object.assign(new Error('invalid credentials'), { responseCode: 535 }));
    },
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push(Buffer.concat(chunks).toString('utf8'));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.server.address() as AddressInfo).port,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('SMTP authentication through the email channel', () => {
  let server: Awaited<ReturnType<typeof startAuthServer>>;
  beforeAll(async () => {
    server = await startAuthServer();
  });
  afterAll(() => server.close());

  test('when SMTP_URL carries the right credentials (URL-encoded), then the channel logs in and the mail arrives', async () => {
    const channel = makeEmailChannel({ url: `smtp://relay%40example.com:p%3Ass%20w0rd@127.0.0.1:${server.port}`, from: 'n@example.com', poolSize: 1, sendTimeoutMs: 3000 });
    try {
      const n = emailNotification();
      const receipt = await channel.send(n);
      expect(receipt.providerMessageId).toMatch(/^<.+@.+>$/);
      expect(server.received.filter((m) => m.toLowerCase().includes(`x-notification-id: ${n.notificationId}`))).toHaveLength(1);
    } finally {
      await channel.close();
    }
  });

  test('when the credentials are wrong, then the send fails permanently with BAD_CREDENTIALS', async () => {
    const channel = makeEmailChannel({ url: `smtp://relay%40example.com:wrong@127.0.0.1:${server.port}`, from: 'n@example.com', poolSize: 1, sendTimeoutMs: 3000 });
    try {
      const sending = channel.send(emailNotification());
      await expect(sending).rejects.toBeInstanceOf(PermanentError);
      await expect(sending).rejects.toMatchObject({ code: 'BAD_CREDENTIALS' });
    } finally {
      await channel.close();
    }
  });
});
