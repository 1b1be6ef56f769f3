import { topologyNames } from '../../../src/local/topology';

test('when names derive from the topic, then they match the Terraform resources they stand for', () => {
  expect(topologyNames()).toEqual({
    topic: 'notifications',
    deadLetterTopic: 'notifications-dead-letter',
    poisonTopic: 'notifications-poison',
    pushSubscription: 'notifications-push',
    deadLetterTableSubscription: 'notifications-dead-letter-bigquery',
    poisonTableSubscription: 'notifications-poison-bigquery',
    eventsTopic: 'notifications-events',
    eventsTableSubscription: 'notifications-events-bigquery',
  });
});
