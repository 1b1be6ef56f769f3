import type { PubSub } from '@google-cloud/pubsub';
import { failureAttributes, makePubSubDeadLetterPublisher } from '../../../src/dead-letter/publisher';
import { TransientError } from '../../../src/delivery/failures';
import type { FailureRecord } from '../../../src/delivery/ports';
import { DROPPED_ATTRIBUTES, MAX_ATTRIBUTES } from '../../../src/republish/publisher';

const record = (overrides: Partial<FailureRecord> = {}): FailureRecord => ({
  data: Buffer.from('payload'),
  attributes: {
    googclient_schemaencoding: 'JSON',
    googclient_schemarevisionid: 'abc',
    GoogOther: 'x',
    origin: 'orders',
    'x-goog-like': 'kept',
  },
  code: 'INVALID_RECIPIENT',
  failureClass: 'permanent',
  attempts: 2,
  channel: 'EMAIL',
  sourceMessageId: 'm-1',
  error: 'SMTP 550 RCPT TO',
  ...overrides,
});

describe('failureAttributes', () => {
  test('when built, then goog* attributes are stripped, others kept and notifier_* added', () => {
    expect(failureAttributes(record())).toEqual({
      origin: 'orders',
      'x-goog-like': 'kept',
      notifier_failure_code: 'INVALID_RECIPIENT',
      notifier_failure_class: 'permanent',
      notifier_attempts: '2',
      notifier_channel: 'EMAIL',
      notifier_source_message_id: 'm-1',
      notifier_error: 'SMTP 550 RCPT TO',
    });
  });

  test('when the original carries stale notifier_* attributes, then they are replaced', () => {
    const attrs = failureAttributes(record({ attributes: { notifier_failure_code: 'OLD', notifier_attempts: '9' } }));
    expect(attrs).toMatchObject({ notifier_failure_code: 'INVALID_RECIPIENT', notifier_attempts: '2' });
  });

  test.each([94, 95, 100])('when the original carries %i attributes, then the record keeps Pub/Sub\'s limit of 100, its own first, and says how many it left out', (count) => {
    const attributes = Object.fromEntries(Array.from({ length: count }, (_, i) => [`a${String(i).padStart(3, '0')}`, 'v']));
    const attrs = failureAttributes(record({ attributes }));
    expect(Object.keys(attrs).length).toBeLessThanOrEqual(MAX_ATTRIBUTES);
    expect(attrs).toMatchObject({ notifier_failure_code: 'INVALID_RECIPIENT', notifier_error: 'SMTP 550 RCPT TO' });
    const kept = Object.keys(attrs).filter((k) => k.startsWith('a'));
    expect(kept).toEqual(Object.keys(attributes).slice(0, kept.length));
    expect(attrs[DROPPED_ATTRIBUTES]).toBe(count + 6 > MAX_ATTRIBUTES ? String(count - kept.length) : undefined);
  });

  test('when the error is longer than 1024 bytes, then it is truncated to 1024 bytes', () => {
    const attrs = failureAttributes(record({ error: 'e'.repeat(3000) }));
    expect(attrs.notifier_error).toBe('e'.repeat(1024));
  });

  test.each([
    ['2-byte', 'é'],
    ['3-byte', '€'],
    ['4-byte', '😀'],
  ])('when a long error is made of %s characters, then the attribute is at most 1024 bytes of whole characters', (_, ch) => {
    const attrs = failureAttributes(record({ error: ch.repeat(1000) }));
    expect(Buffer.byteLength(attrs.notifier_error!)).toBeLessThanOrEqual(1024);
    expect(attrs.notifier_error).not.toContain('\uFFFD');
  });
});

interface Published {
  topic: string;
  data: Buffer;
  attributes: Record<string, string>;
}

function fakePubSub(publishMessage: (topic: string, m: Omit<Published, 'topic'>) => Promise<string>) {
  const published: Published[] = [];
  const pubsub = {
    topic: (name: string) => ({
      name: `projects/p/topics/${name}`,
      publishMessage: async (m: Omit<Published, 'topic'>) => {
        const id = await publishMessage(name, m);
        published.push({ topic: name, ...m });
        return id;
      },
    }),
  };
  return { pubsub: pubsub as unknown as PubSub, published };
}

const options = { projectId: 'p', deadLetterTopic: 'dead', poisonTopic: 'poison', publishTimeoutMs: 1000 };

describe('makePubSubDeadLetterPublisher', () => {
  test('when dead-lettering, then the original bytes go to the dead-letter topic with failure attributes', async () => {
    const { pubsub, published } = fakePubSub(async () => '1');
    await makePubSubDeadLetterPublisher(pubsub, options).deadLetter(record());
    expect(published).toEqual([{ topic: 'dead', data: Buffer.from('payload'), attributes: failureAttributes(record()) }]);
  });

  test('when poisoning with a poison topic, then it is published there and true is returned', async () => {
    const { pubsub, published } = fakePubSub(async () => '1');
    expect(await makePubSubDeadLetterPublisher(pubsub, options).poison(record())).toBe(true);
    expect(published.map((p) => p.topic)).toEqual(['poison']);
  });

  test('when poisoning without a poison topic, then nothing is published and false is returned', async () => {
    const { pubsub, published } = fakePubSub(async () => '1');
    const publisher = makePubSubDeadLetterPublisher(pubsub, { ...options, poisonTopic: undefined });
    expect(await publisher.poison(record())).toBe(false);
    expect(published).toEqual([]);
  });

  test('when the publish fails, then it is a TransientError DEAD_LETTER_UNAVAILABLE naming the topic', async () => {
    const { pubsub } = fakePubSub(async () => {
      throw new Error('NOT_FOUND');
    });
    const publishing = makePubSubDeadLetterPublisher(pubsub, options).deadLetter(record());
    await expect(publishing).rejects.toBeInstanceOf(TransientError);
    await expect(publishing).rejects.toMatchObject({
      code: 'DEAD_LETTER_UNAVAILABLE',
      message: 'publishing to projects/p/topics/dead failed: NOT_FOUND',
    });
  });

  test('when the publish never answers, then it fails as DEAD_LETTER_UNAVAILABLE after the publish timeout', async () => {
    const { pubsub } = fakePubSub(() => new Promise<string>(() => undefined));
    const publisher = makePubSubDeadLetterPublisher(pubsub, { ...options, publishTimeoutMs: 10 });
    await expect(publisher.poison(record())).rejects.toMatchObject({
      code: 'DEAD_LETTER_UNAVAILABLE',
      message: 'publishing to projects/p/topics/poison failed: timed out after 10 ms',
    });
  });
});
