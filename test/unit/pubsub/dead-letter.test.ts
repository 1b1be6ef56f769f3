import type { PubSub } from '@google-cloud/pubsub';
import { failureAttributes, failureMessage, makePubSubDeadLetterPublisher } from '../../../src/pubsub/dead-letter';
import { TransientError } from '../../../src/delivery/failures';
import type { FailureRecord } from '../../../src/delivery/ports';
import { ATTRIBUTES_ROOM, DATA_TRUNCATED, DROPPED_ATTRIBUTES, MAX_ATTRIBUTES, MAX_MESSAGE_BYTES, messageBytes } from '../../../src/codec/attributes';

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
    // One slot stays free for the signature the notifier adds when it republishes (codec/internal-attributes.ts).
    expect(attrs[DROPPED_ATTRIBUTES]).toBe(count + 6 > MAX_ATTRIBUTES - 1 ? String(count - kept.length) : undefined);
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

describe("failureMessage: within Pub/Sub's 10 MB", () => {
  const producerAttributes = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`attr${i}`, 'v'.repeat(100)]));
  const size = (m: { data: Buffer; attributes: Record<string, string> }) => messageBytes(m.data.length, m.attributes);

  test('when the data and the producer attributes filled 10 MB, then producer attributes give way and the data stays whole', () => {
    const data = Buffer.alloc(MAX_MESSAGE_BYTES - 3000, 'a');
    const m = failureMessage(record({ data, attributes: producerAttributes }));
    expect(m.truncated).toBe(false);
    expect(m.data).toBe(data);
    expect(size(m)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(m.attributes.notifier_failure_code).toBe('INVALID_RECIPIENT');
    expect(Number(m.attributes[DROPPED_ATTRIBUTES])).toBeGreaterThan(0);
  });

  test('when only a short error fits beside the data, then the error is cut and the data stays whole', () => {
    const full = failureMessage(record({ error: 'e'.repeat(2000), attributes: {} }));
    const data = Buffer.alloc(ATTRIBUTES_ROOM - size(full) + full.data.length + 500, 'a');
    const m = failureMessage(record({ data, error: 'e'.repeat(2000), attributes: {} }));
    expect(m.truncated).toBe(false);
    expect(m.data).toBe(data); // the same buffer (a deep comparison of 10 MB would take minutes)
    expect(m.attributes.notifier_error).toBe('e'.repeat(524));
    expect(size(m)).toBe(ATTRIBUTES_ROOM);
  });

  test('when the data comes within a few kilobytes of 10 MB with a producer attribute, then no record is ever over the limit', () => {
    const biggest = Buffer.alloc(MAX_MESSAGE_BYTES, 'a');
    for (let length = MAX_MESSAGE_BYTES - 3000; length <= MAX_MESSAGE_BYTES; length += 7) {
      const m = failureMessage(record({ data: biggest.subarray(0, length), attributes: { origin: 'orders-api' } }));
      expect({ length, over: size(m) > MAX_MESSAGE_BYTES }).toEqual({ length, over: false });
    }
  });

  test('when the data alone leaves no room for the reason, then the data is cut, the reason kept and the original length recorded', () => {
    const data = Buffer.alloc(MAX_MESSAGE_BYTES, 'a');
    const m = failureMessage(record({ data }));
    expect(m.truncated).toBe(true);
    expect(m.attributes).toMatchObject({ notifier_failure_code: 'INVALID_RECIPIENT', notifier_error: 'SMTP 550 RCPT TO', [DATA_TRUNCATED]: String(MAX_MESSAGE_BYTES) });
    expect(size(m)).toBe(MAX_MESSAGE_BYTES);
    expect(m.data.equals(data.subarray(0, m.data.length))).toBe(true);
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

  test('when a dead letter had to be cut, then it goes to the schema-less poison topic, since it is no notification any more', async () => {
    const { pubsub, published } = fakePubSub(async () => '1');
    await makePubSubDeadLetterPublisher(pubsub, options).deadLetter(record({ data: Buffer.alloc(MAX_MESSAGE_BYTES) }));
    expect(published.map((p) => [p.topic, p.attributes[DATA_TRUNCATED]])).toEqual([['poison', String(MAX_MESSAGE_BYTES)]]);
  });

  test('when a dead letter had to be cut and there is no poison topic, then nothing is published', async () => {
    const { pubsub, published } = fakePubSub(async () => '1');
    const publisher = makePubSubDeadLetterPublisher(pubsub, { ...options, poisonTopic: undefined });
    await publisher.deadLetter(record({ data: Buffer.alloc(MAX_MESSAGE_BYTES) }));
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
