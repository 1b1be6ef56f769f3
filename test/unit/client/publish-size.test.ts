import type { PubSub } from '@google-cloud/pubsub';
import { createNotifierClient, InvalidNotificationError } from '../../../src/client';
import { LIMITS } from '../../../src/codec/payload-checks';
import { EMAIL_LIMITS } from '../../../src/channels/email/message';

function fakePubSub() {
  const published: Buffer[] = [];
  const pubsub = {
    topic: () => ({
      publishMessage: async (m: { data: Buffer }) => {
        published.push(m.data);
        return '1';
      },
    }),
  };
  return { pubsub: pubsub as unknown as PubSub, published };
}

// Every body within its own limit, but JSON writes each control character as six bytes.
const email = (text: string) => ({ to: 'alice@example.com', subject: 'Hi', text, html: `<p>${text.slice(7)}</p>` });

test('when a notification within every field limit encodes larger than the notifier accepts, then publish throws naming the size and publishes nothing', () => {
  const { pubsub, published } = fakePubSub();
  const client = createNotifierClient({ pubsub, topic: 'notifications' });
  const huge = '\u0001'.repeat(EMAIL_LIMITS.bodyBytes);

  let thrown: unknown;
  try {
    void client.publish({ notificationId: 'n-1', type: 't', channel: 'EMAIL', email: email(huge) });
  } catch (err) {
    thrown = err;
  }

  expect(thrown).toBeInstanceOf(InvalidNotificationError);
  expect((thrown as InvalidNotificationError).problems).toEqual([
    expect.objectContaining({ field: 'notification', code: 'INVALID_PAYLOAD', problem: expect.stringContaining(`more than ${LIMITS.notificationBytes}`) }),
  ]);
  expect(published).toEqual([]);
});

test('when a notification encodes within the limit, then it is published', async () => {
  const { pubsub, published } = fakePubSub();
  const client = createNotifierClient({ pubsub, topic: 'notifications' });
  await client.publish({ notificationId: 'n-2', type: 't', channel: 'EMAIL', email: email('x'.repeat(EMAIL_LIMITS.bodyBytes)) });
  expect(published).toHaveLength(1);
});

test('when one recipient of a broadcast encodes over the limit, then it is rejected with the size problem and the others are published', async () => {
  const { pubsub, published } = fakePubSub();
  const client = createNotifierClient({ pubsub, topic: 'notifications' });
  const rejected: string[] = [];
  const result = await client.broadcast({
    broadcastId: 'b-size',
    recipients: ['small', 'huge', 'also-small'],
    build: (r) => ({ type: 't', channel: 'EMAIL', email: email(r === 'huge' ? '\u0001'.repeat(EMAIL_LIMITS.bodyBytes) : r) }),
    onRejected: (r) => rejected.push(`${r.key}: ${r.problems.map((p) => p.field).join()}`),
  });
  expect(result).toMatchObject({ published: 2, rejected: 1 });
  expect(rejected).toEqual(['huge: notification']);
  expect(published).toHaveLength(2);
});
