import { makeEmailChannel } from '../../src/channels/email/channel';
import { CHANNELS } from '../../src/codec/notification';
import { freePort } from '../support/ports';
import { startSmtpSink } from '../support/smtp-sink';

const notification = (id: string) => ({
  notificationId: id,
  accountId: '',
  type: 'order.shipped',
  channel: CHANNELS.EMAIL,
  source: '',
  createdAtMicros: 0n,
  expiresAtMicros: 0n,
  email: { to: 'alice@example.com', subject: 'S', text: 'T', html: '' },
});

test('when the SMTP server refuses more connections than the pool holds and comes back, then the channel sends again', async () => {
  const port = await freePort();
  const channel = makeEmailChannel({ url: `smtp://127.0.0.1:${port}`, from: 'n@example.com', poolSize: 2, sendTimeoutMs: 3000 });
  try {
    // Nothing listens: every send fails as a transient connection error, more times than the pool has slots.
    for (let i = 0; i < 5; i++) {
      await expect(channel.send(notification(`down-${i}`))).rejects.toMatchObject({ kind: 'transient' });
    }
    const sink = await startSmtpSink(port);
    try {
      await channel.send(notification('back-1'));
      await channel.send(notification('back-2'));
      expect(sink.mails.map((m) => m.notificationId)).toEqual(['back-1', 'back-2']);
    } finally {
      await sink.close();
    }
  } finally {
    await channel.close();
  }
});
