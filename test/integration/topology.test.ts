import { randomBytes } from 'node:crypto';
import { PubSub } from '@google-cloud/pubsub';
import { ensureTopology, topologyNames } from '../../src/local/topology';
import { FAST_SETTINGS } from '../support/pipeline';
import { TEST_PROJECT } from '../support/pubsub';

let pubsub: PubSub;
beforeAll(() => {
  pubsub = new PubSub({ projectId: TEST_PROJECT });
});
afterAll(() => pubsub.close());

test('when the topology is ensured again with changed Terraform settings, then the existing push subscription takes them', async () => {
  const names = topologyNames(`topo-${randomBytes(4).toString('hex')}`);
  await ensureTopology(pubsub, names, FAST_SETTINGS);
  const changed = { ...FAST_SETTINGS, maxDeliveryAttempts: 7, ackDeadlineSeconds: 45, minimumBackoffSeconds: 2, maximumBackoffSeconds: 20 };
  const { push } = await ensureTopology(pubsub, names, changed);

  const [metadata] = await push.getMetadata();
  expect(metadata.ackDeadlineSeconds).toBe(45);
  expect(metadata.retryPolicy).toMatchObject({ minimumBackoff: { seconds: '2' }, maximumBackoff: { seconds: '20' } });
  expect(metadata.deadLetterPolicy).toEqual({
    deadLetterTopic: `projects/${TEST_PROJECT}/topics/${names.deadLetterTopic}`,
    maxDeliveryAttempts: 7,
  });
  const [topics] = await pubsub.getTopics();
  const created = topics.map((t) => t.name.split('/').pop());
  expect(created).toEqual(expect.arrayContaining([names.topic, names.deadLetterTopic, names.poisonTopic]));
});
