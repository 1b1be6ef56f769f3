import { randomBytes } from 'node:crypto';
import { Message, PubSub, Subscription } from '@google-cloud/pubsub';

export const TEST_PROJECT = 'notifier-test';

/** Messages arriving on a pull subscription, acked and kept in order of arrival. */
export interface Collector {
  messages: Message[];
  /** Resolves once `count` messages matching `filter` have arrived; fails loudly after `timeoutMs`. */
  waitFor(count: number, filter?: (m: Message) => boolean, timeoutMs?: number): Promise<Message[]>;
}

export interface TestTopics {
  pubsub: PubSub;
  deadLetterTopic: string;
  poisonTopic: string;
  /** Lifecycle events (EVENTS_TOPIC). */
  eventsTopic: string;
  deadLetters: Collector;
  poison: Collector;
  events: Collector;
  close(): Promise<void>;
}

function collect(subscription: Subscription): Collector {
  const messages: Message[] = [];
  subscription.on('message', (m: Message) => {
    messages.push(m);
    m.ack();
  });
  subscription.on('error', (err) => {
    throw err;
  });
  return {
    messages,
    async waitFor(count, filter = () => true, timeoutMs = 15000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const matching = messages.filter(filter);
        if (matching.length >= count) return matching;
        if (Date.now() > deadline) {
          throw new Error(`expected ${count} messages on ${subscription.name}, got ${matching.length}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

/** Fresh dead-letter, poison and events topics on the emulator, each with a pull subscription collecting. */
export async function createTestTopics(): Promise<TestTopics> {
  const pubsub = new PubSub({ projectId: TEST_PROJECT });
  const suffix = randomBytes(4).toString('hex');
  const deadLetterTopic = `dead-letter-${suffix}`;
  const poisonTopic = `poison-${suffix}`;
  const eventsTopic = `events-${suffix}`;
  const subscriptions: Subscription[] = [];
  const collectors: Collector[] = [];
  for (const name of [deadLetterTopic, poisonTopic, eventsTopic]) {
    const [topic] = await pubsub.createTopic(name);
    const [sub] = await topic.createSubscription(`${name}-reader`);
    subscriptions.push(sub);
    collectors.push(collect(sub));
  }
  return {
    pubsub,
    deadLetterTopic,
    poisonTopic,
    eventsTopic,
    deadLetters: collectors[0]!,
    poison: collectors[1]!,
    events: collectors[2]!,
    async close() {
      await Promise.all(subscriptions.map((s) => s.close()));
      await pubsub.close();
    },
  };
}
