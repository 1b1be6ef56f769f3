import nodemailer from 'nodemailer';
import { MailCounter, startMailCounter } from '../../../../bench/drills/mail-counter';

/** A client that gives up on the server's answer after `socketTimeout` ms and hangs up, as the notifier does. */
function send(counter: MailCounter, notificationId: string, socketTimeout = 10000): Promise<unknown> {
  const port = Number(new URL(counter.url).port);
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, socketTimeout });
  return transport
    .sendMail({ from: 'a@example.com', to: 'b@example.com', subject: 's', text: 't', headers: { 'X-Notification-Id': notificationId } })
    .finally(() => transport.close());
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('startMailCounter', () => {
  let counter: MailCounter;
  beforeEach(async () => {
    counter = await startMailCounter();
  });
  afterEach(() => counter.close());

  test('when replies are slow and the client hangs up before the 250, then the mail still counts', async () => {
    counter.slowReplies(1500);
    await expect(send(counter, 'n-slow', 300)).rejects.toThrow();
    expect(counter.counts.get('n-slow')).toBe(1);
    expect(counter.total()).toBe(1);
  });

  test('when replies are slow and the client waits, then it gets its 250 after the delay and the mail counts once', async () => {
    const stop = counter.slowReplies(300);
    const started = Date.now();
    await send(counter, 'n-wait');
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    stop();
    await send(counter, 'n-after');
    expect([...counter.counts]).toEqual([['n-wait', 1], ['n-after', 1]]);
  });

  test('when replies are held and the client hangs up before the answer, then the mail does not count', async () => {
    const release = counter.holdReplies();
    await expect(send(counter, 'n-held', 300)).rejects.toThrow();
    await sleep(200); // the server learns of the hang-up a moment after the client gave up
    release();
    await sleep(100);
    expect(counter.counts.has('n-held')).toBe(false);
  });
});
