import { randomBytes } from 'node:crypto';
import { Message, PubSub, Subscription } from '@google-cloud/pubsub';
import { createNotifierClient } from '../../src/client';
import { decodeNotification, Encoding } from '../../src/codec/codec';
import { CHANNELS } from '../../src/codec/notification';
import { eventually } from '../support/notifier';
import { TEST_PROJECT } from '../support/pubsub';

let pubsub: PubSub;
let topic: string;
let subscription: Subscription;
const received: Message[] = [];

beforeAll(async () => {
  pubsub = new PubSub({ projectId: TEST_PROJECT });
  topic = `client-${randomBytes(4).toString('hex')}`;
  const [t] = await pubsub.createTopic(topic);
  [subscription] = await t.createSubscription(`${topic}-reader`);
  subscription.on('message', (m: Message) => {
    received.push(m);
    m.ack();
  });
});
afterAll(async () => {
  await subscription?.close();
  await pubsub?.close();
});

describe.each(['JSON', 'BINARY'] as Encoding[])('the producer client publishing %s', (encoding) => {
  test('when a notification is published, then the bytes decode in that encoding to what was given, with created_at filled', async () => {
    const client = createNotifierClient({ pubsub, topic, encoding, source: 'billing' });
    const before = BigInt(Date.now()) * 1000n;
    const id = `enc-${encoding}`;
    const expiresAt = new Date('2030-01-02T03:04:05.678Z');
    await client.publish({
      notificationId: id,
      type: 'invoice.ready',
      channel: 'EMAIL',
      accountId: 'acct-7',
      expiresAt,
      email: { to: 'eve@example.com', subject: 'Invoice', html: '<p>Ready</p>' },
    });
    await client.close();
    const message = await eventually('the message', () => received.find((m) => m.attributes.type === 'invoice.ready' && m.data.includes(Buffer.from(id))));
    const n = decodeNotification(message.data, encoding);
    expect(n).toMatchObject({
      notificationId: id,
      accountId: 'acct-7',
      type: 'invoice.ready',
      channel: CHANNELS.EMAIL,
      source: 'billing',
      expiresAtMicros: BigInt(expiresAt.getTime()) * 1000n,
      email: { to: 'eve@example.com', subject: 'Invoice', text: '', html: '<p>Ready</p>' },
    });
    expect(n.createdAtMicros).toBeGreaterThanOrEqual(before);
    expect(message.attributes).toEqual({ type: 'invoice.ready', channel: 'EMAIL', source: 'billing' });
  });
});
