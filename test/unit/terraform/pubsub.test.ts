import { existsSync } from 'node:fs';
import path from 'node:path';
import { EVENT_PROTO_FILE, PROTO_FILE, TERRAFORM_DIR } from '../../../src/paths';
import { loadTerraform, resource, resourcesOfType, single, Terraform } from './hcl';

let tf: Terraform;

beforeAll(async () => {
  tf = await loadTerraform();
});

const topic = (name: string) => resource(tf, 'google_pubsub_topic', name);
const subscription = (name: string) => resource(tf, 'google_pubsub_subscription', name);

describe('terraform/pubsub.tf: schema and topics', () => {
  test('when the schema is declared, then it is the protobuf Notification the notifier loads', () => {
    const schema = resource(tf, 'google_pubsub_schema', 'notification');
    expect(schema).toMatchObject({ name: 'notifier-notification', type: 'PROTOCOL_BUFFER' });
    expect(schema.definition).toBe('${file("${path.module}/../proto/notifier/v1/notification.proto")}');
    expect(path.resolve(TERRAFORM_DIR, '../proto/notifier/v1/notification.proto')).toBe(PROTO_FILE);
    expect(existsSync(PROTO_FILE)).toBe(true);
  });

  test.each([
    ['notifications', 'notifications'],
    ['dead_letter', 'notifications-dead-letter'],
  ])('when topic %s is declared, then it is %s with the schema and var.schema_encoding', (key, name) => {
    const t = topic(key);
    expect(t.name).toBe(name);
    expect(single(t, 'schema_settings')).toEqual({
      schema: '${google_pubsub_schema.notification.id}',
      encoding: '${var.schema_encoding}',
    });
    expect(t.depends_on).toContain('${google_pubsub_schema.notification}');
  });

  test('when the events schema is declared, then it is the protobuf NotificationEvent the notifier encodes', () => {
    const schema = resource(tf, 'google_pubsub_schema', 'notification_event');
    expect(schema).toMatchObject({ name: 'notifier-notification-event', type: 'PROTOCOL_BUFFER' });
    expect(schema.definition).toBe('${file("${path.module}/../proto/notifier/v1/notification_event.proto")}');
    expect(path.resolve(TERRAFORM_DIR, '../proto/notifier/v1/notification_event.proto')).toBe(EVENT_PROTO_FILE);
    expect(existsSync(EVENT_PROTO_FILE)).toBe(true);
  });

  test('when the events topic is declared, then it is notification-events with the events schema in JSON, the encoding the notifier publishes', () => {
    const t = topic('events');
    expect(t.name).toBe('notification-events');
    expect(single(t, 'schema_settings')).toEqual({ schema: '${google_pubsub_schema.notification_event.id}', encoding: 'JSON' });
    expect(t.depends_on).toEqual(['${google_pubsub_schema.notification_event}']);
  });

  test('when the poison topic is declared, then it has no schema (undecodable payloads must fit)', () => {
    expect(topic('poison').name).toBe('notifications-poison');
    expect(topic('poison').schema_settings).toBeUndefined();
  });

  test('when counting topics, then there are exactly the four the notifier uses', () => {
    expect(resourcesOfType(tf, 'google_pubsub_topic').map((r) => r.body.name).sort()).toEqual([
      'notification-events',
      'notifications',
      'notifications-dead-letter',
      'notifications-poison',
    ]);
  });
});

describe('terraform/pubsub.tf: the push subscription', () => {
  test('when Pub/Sub pushes, then it posts to the Cloud Run service at /pubsub/push with an OIDC token of the push service account', () => {
    const push = subscription('push');
    expect(push).toMatchObject({ name: 'notifications-push', topic: '${google_pubsub_topic.notifications.id}' });
    const config = single(push, 'push_config');
    expect(config.push_endpoint).toBe('${google_cloud_run_v2_service.notifier.uri}/pubsub/push');
    expect(single(config, 'oidc_token')).toEqual({
      service_account_email: '${google_service_account.push.email}',
      audience: '${var.push_audience}',
    });
  });

  test('when a push is nacked, then the retry policy uses the backoff variables as durations', () => {
    expect(single(subscription('push'), 'retry_policy')).toEqual({
      minimum_backoff: '${var.minimum_backoff_seconds}s',
      maximum_backoff: '${var.maximum_backoff_seconds}s',
    });
  });

  test('when a message keeps failing, then Pub/Sub forwards it to the dead-letter topic after var.max_delivery_attempts', () => {
    expect(single(subscription('push'), 'dead_letter_policy')).toEqual({
      dead_letter_topic: '${google_pubsub_topic.dead_letter.id}',
      max_delivery_attempts: '${var.max_delivery_attempts}',
    });
  });

  test('when a push is in flight, then the ack deadline and retention come from the variables and the subscription never expires', () => {
    const push = subscription('push');
    expect(push.ack_deadline_seconds).toBe('${var.ack_deadline_seconds}');
    expect(push.message_retention_duration).toBe('${var.message_retention_seconds}s');
    expect(single(push, 'expiration_policy')).toEqual({ ttl: '' });
  });

  test('when the push subscription is created, then the failure stores, the service agent grants and the invoker binding exist first', () => {
    expect(subscription('push').depends_on).toEqual(
      expect.arrayContaining([
        '${google_pubsub_subscription.dead_letters_bigquery}',
        '${google_pubsub_subscription.poison_bigquery}',
        '${google_pubsub_topic_iam_member.service_agent_publishes_dead_letters}',
        '${google_service_account_iam_member.service_agent_mints_push_tokens}',
        '${google_cloud_run_v2_service_iam_member.public_invoker}',
      ]),
    );
  });
});

describe('terraform/pubsub.tf: BigQuery subscriptions (a topic with no subscription drops messages)', () => {
  test('when a failure record is published, then the dead-letter BigQuery subscription writes it to dead_letters with the topic schema and metadata', () => {
    const sub = subscription('dead_letters_bigquery');
    expect(sub.topic).toBe('${google_pubsub_topic.dead_letter.id}');
    expect(single(sub, 'bigquery_config')).toEqual({
      table: '${google_bigquery_table.dead_letters.project}.${google_bigquery_table.dead_letters.dataset_id}.${google_bigquery_table.dead_letters.table_id}',
      use_topic_schema: true,
      write_metadata: true,
      drop_unknown_fields: false,
    });
    expect(single(sub, 'expiration_policy')).toEqual({ ttl: '' });
  });

  test('when a poison message is published, then the poison BigQuery subscription writes raw data and metadata to poison_messages', () => {
    const sub = subscription('poison_bigquery');
    expect(sub.topic).toBe('${google_pubsub_topic.poison.id}');
    const config = single(sub, 'bigquery_config');
    expect(config).toEqual({
      table: '${google_bigquery_table.poison_messages.project}.${google_bigquery_table.poison_messages.dataset_id}.${google_bigquery_table.poison_messages.table_id}',
      write_metadata: true,
    });
    expect(single(sub, 'expiration_policy')).toEqual({ ttl: '' });
  });

  test('when a lifecycle event is published, then the events BigQuery subscription writes it to notification_events with the topic schema and metadata', () => {
    const sub = subscription('events_bigquery');
    expect(sub).toMatchObject({ name: 'notification-events-bigquery', topic: '${google_pubsub_topic.events.id}' });
    expect(single(sub, 'bigquery_config')).toEqual({
      table: '${google_bigquery_table.notification_events.project}.${google_bigquery_table.notification_events.dataset_id}.${google_bigquery_table.notification_events.table_id}',
      use_topic_schema: true,
      write_metadata: true,
      drop_unknown_fields: false,
    });
    expect(sub.message_retention_duration).toBe('${var.message_retention_seconds}s');
    expect(single(sub, 'expiration_policy')).toEqual({ ttl: '' });
  });

  test.each([
    ['dead_letters_bigquery', 'service_agent_writes_failures'],
    ['poison_bigquery', 'service_agent_writes_failures'],
    ['events_bigquery', 'service_agent_writes_events'],
  ])('when %s is created, then the service agent can already write its table (%s)', (name, grant) => {
    expect(subscription(name).depends_on).toEqual([`\${google_bigquery_table_iam_member.${grant}}`]);
  });

  test('when any subscription is declared, then it is the push, the two failure-store and the events subscription', () => {
    expect(resourcesOfType(tf, 'google_pubsub_subscription').map((r) => r.body.name).sort()).toEqual([
      'notification-events-bigquery',
      'notifications-dead-letter-bigquery',
      'notifications-poison-bigquery',
      'notifications-push',
    ]);
  });
});
