import { readFileSync } from 'node:fs';
import { expression, loadTerraform, resource, Resource, Terraform, tfPath } from './hcl';

let tf: Terraform;

beforeAll(async () => {
  tf = await loadTerraform();
});

const AGENT = '${local.pubsub_service_agent}';
const iamResources = () => tf.resources.filter((r) => r.type.includes('_iam_'));
const grantsTo = (member: string): Resource[] => iamResources().filter((r) => r.body.member === member);

describe('terraform/iam.tf: the Pub/Sub service agent', () => {
  test('when the project number is needed, then it comes from data.google_project.this and names the service agent', () => {
    expect(tf.data.find((d) => d.type === 'google_project' && d.name === 'this')?.body).toEqual({ project_id: '${var.project_id}' });
    expect(tf.locals.pubsub_service_agent).toBe('serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com');
  });

  test('when dead-lettering, then the agent may publish to the dead-letter topic', () => {
    expect(resource(tf, 'google_pubsub_topic_iam_member', 'service_agent_publishes_dead_letters')).toMatchObject({
      topic: '${google_pubsub_topic.dead_letter.name}',
      role: 'roles/pubsub.publisher',
      member: AGENT,
    });
  });

  test('when dead-lettering, then the agent may acknowledge on the push subscription', () => {
    expect(resource(tf, 'google_pubsub_subscription_iam_member', 'service_agent_acks_push')).toMatchObject({
      subscription: '${google_pubsub_subscription.push.name}',
      role: 'roles/pubsub.subscriber',
      member: AGENT,
    });
  });

  test('when the BigQuery subscriptions write, then the agent is dataEditor and metadataViewer on both failure tables only', () => {
    const grant = resource(tf, 'google_bigquery_table_iam_member', 'service_agent_writes_failures');
    expect(grant).toMatchObject({ dataset_id: '${google_bigquery_dataset.failures.dataset_id}', member: AGENT });
    expect(grant.for_each).toContain('setproduct(keys(local.failure_tables), local.bigquery_writer_roles)');
    expect(tf.locals.failure_tables).toEqual({
      dead_letters: '${google_bigquery_table.dead_letters.table_id}',
      poison_messages: '${google_bigquery_table.poison_messages.table_id}',
    });
    expect(tf.locals.bigquery_writer_roles).toEqual(['roles/bigquery.dataEditor', 'roles/bigquery.metadataViewer']);
  });

  test('when Pub/Sub sends an OIDC token, then the agent may mint tokens as the push service account only', () => {
    expect(resource(tf, 'google_service_account_iam_member', 'service_agent_mints_push_tokens')).toEqual({
      service_account_id: '${google_service_account.push.name}',
      role: 'roles/iam.serviceAccountTokenCreator',
      member: AGENT,
    });
  });

  test('when the events BigQuery subscription writes, then the agent is dataEditor and metadataViewer on notification_events only', () => {
    expect(resource(tf, 'google_bigquery_table_iam_member', 'service_agent_writes_events')).toEqual({
      for_each: '${toset(local.bigquery_writer_roles)}',
      project: '${var.project_id}',
      dataset_id: '${google_bigquery_dataset.failures.dataset_id}',
      table_id: '${google_bigquery_table.notification_events.table_id}',
      role: '${each.value}',
      member: AGENT,
    });
  });

  test('when listing every grant to the agent, then there are exactly these five', () => {
    expect(grantsTo(AGENT).map((r) => `${r.type}.${r.name}`).sort()).toEqual([
      'google_bigquery_table_iam_member.service_agent_writes_events',
      'google_bigquery_table_iam_member.service_agent_writes_failures',
      'google_pubsub_subscription_iam_member.service_agent_acks_push',
      'google_pubsub_topic_iam_member.service_agent_publishes_dead_letters',
      'google_service_account_iam_member.service_agent_mints_push_tokens',
    ]);
  });
});

describe('terraform/iam.tf: service accounts, least privilege', () => {
  test('when the service accounts are declared, then they are notifier-push, notifier-scheduler, notifier-run and notifier-migrate', () => {
    expect(resource(tf, 'google_service_account', 'push').account_id).toBe('notifier-push');
    expect(resource(tf, 'google_service_account', 'scheduler').account_id).toBe('notifier-scheduler');
    expect(resource(tf, 'google_service_account', 'run').account_id).toBe('notifier-run');
    expect(resource(tf, 'google_service_account', 'migrate').account_id).toBe('notifier-migrate');
  });

  test('when the push and scheduler service accounts are used, then they hold no roles at all (they only name the sender)', () => {
    expect(grantsTo('${google_service_account.push.member}')).toEqual([]);
    expect(grantsTo('${google_service_account.scheduler.member}')).toEqual([]);
    expect(iamResources().filter((r) => JSON.stringify(r.body).includes('google_service_account.scheduler'))).toEqual([]);
  });

  test('when the notifier runs, then its account gets Cloud SQL client, publisher on the notifications, failure and events topics, its secrets and FCM sending, nothing else', () => {
    const grants = grantsTo('${google_service_account.run.member}').map((r) => ({
      type: r.type,
      role: r.body.role,
      on: r.body.for_each ?? r.body.project,
    }));
    expect(grants).toHaveLength(7);
    const topics = grantsTo('${google_service_account.run.member}').filter((r) => r.type === 'google_pubsub_topic_iam_member' && !r.body.for_each);
    expect(topics.map((r) => r.body.topic).sort()).toEqual(['${google_pubsub_topic.events.name}', '${google_pubsub_topic.notifications.name}']);
    expect(grants).toEqual(
      expect.arrayContaining([
        { type: 'google_project_iam_member', role: 'roles/cloudsql.client', on: '${local.cloud_sql_project}' },
        // The notifications topic (routed and released notifications) and the events topic: one grant each, that topic only (below).
        { type: 'google_pubsub_topic_iam_member', role: 'roles/pubsub.publisher', on: '${var.project_id}' },
        {
          type: 'google_pubsub_topic_iam_member',
          role: 'roles/pubsub.publisher',
          on: { dead_letter: '${google_pubsub_topic.dead_letter.name}', poison: '${google_pubsub_topic.poison.name}' },
        },
        {
          type: 'google_secret_manager_secret_iam_member',
          role: 'roles/secretmanager.secretAccessor',
          on: {
            mysql_url: '${google_secret_manager_secret.mysql_url.id}',
            smtp_url: '${google_secret_manager_secret.smtp_url.id}',
            internal_signing_keys: '${google_secret_manager_secret.internal_signing_keys.id}',
            suppression_key: '${google_secret_manager_secret.suppression_key.id}',
          },
        },
        // Only the enabled channels' secrets, and FCM only with PUSH (channels.test.ts evaluates both sets).
        { type: 'google_secret_manager_secret_iam_member', role: 'roles/secretmanager.secretAccessor', on: '${google_secret_manager_secret.channel}' },
        { type: 'google_project_iam_member', role: 'roles/firebasecloudmessaging.admin', on: '${local.fcm_iam_projects}' },
      ]),
    );
  });

  test('when operators are listed, then each may read the internal signing keys and the suppression key and publish to the notifications topic, nothing else', () => {
    const operatorGrants = iamResources().filter((r) => r.body.for_each === '${toset(var.operators)}');
    expect(operatorGrants.map((r) => [r.type, r.body.role, r.body.secret_id ?? r.body.topic, r.body.member])).toEqual([
      ['google_pubsub_topic_iam_member', 'roles/pubsub.publisher', '${google_pubsub_topic.notifications.name}', '${each.value}'],
      ['google_secret_manager_secret_iam_member', 'roles/secretmanager.secretAccessor', '${google_secret_manager_secret.internal_signing_keys.id}', '${each.value}'],
      ['google_secret_manager_secret_iam_member', 'roles/secretmanager.secretAccessor', '${google_secret_manager_secret.suppression_key.id}', '${each.value}'],
    ]);
  });

  test('when the migration job runs, then its account gets Cloud SQL client and the MYSQL_URL secret only', () => {
    const grants = grantsTo('${google_service_account.migrate.member}').map((r) => [r.body.role, r.body.secret_id ?? r.body.project]);
    expect(grants.sort()).toEqual([
      ['roles/cloudsql.client', '${local.cloud_sql_project}'],
      ['roles/secretmanager.secretAccessor', '${google_secret_manager_secret.mysql_url.id}'],
    ]);
  });

  test('when the Cloud SQL instance lives in another (even domain-scoped) project, then Cloud SQL client is granted there', () => {
    expect(tf.locals.cloud_sql_parts).toBe('${split(":", var.cloud_sql_instance)}');
    expect(tf.locals.cloud_sql_project).toBe('${join(":", slice(local.cloud_sql_parts, 0, length(local.cloud_sql_parts) - 2))}');
    const project = (connection: string) => connection.split(':').slice(0, -2).join(':');
    expect(project('my-project:us-central1:db')).toBe('my-project');
    expect(project('example.com:my-project:us-central1:db')).toBe('example.com:my-project');
  });

  test('when the notifier publishes routed and released notifications, then it may publish to the notifications topic only', () => {
    expect(resource(tf, 'google_pubsub_topic_iam_member', 'run_publishes_notifications')).toEqual({
      project: '${var.project_id}',
      topic: '${google_pubsub_topic.notifications.name}',
      role: 'roles/pubsub.publisher',
      member: '${google_service_account.run.member}',
    });
    expect(resource(tf, 'google_cloud_run_v2_service', 'notifier').depends_on).toContain('${google_pubsub_topic_iam_member.run_publishes_notifications}');
  });

  test('when the notifier publishes lifecycle events, then it may publish to the events topic only, before the service starts', () => {
    expect(resource(tf, 'google_pubsub_topic_iam_member', 'run_publishes_events')).toEqual({
      project: '${var.project_id}',
      topic: '${google_pubsub_topic.events.name}',
      role: 'roles/pubsub.publisher',
      member: '${google_service_account.run.member}',
    });
    expect(resource(tf, 'google_cloud_run_v2_service', 'notifier').depends_on).toContain('${google_pubsub_topic_iam_member.run_publishes_events}');
  });

  test('when producers are listed, then each may publish to the notifications topic and nowhere else', () => {
    expect(resource(tf, 'google_pubsub_topic_iam_member', 'producer_publishes')).toMatchObject({
      for_each: '${toset(var.producer_service_accounts)}',
      topic: '${google_pubsub_topic.notifications.name}',
      role: 'roles/pubsub.publisher',
      member: 'serviceAccount:${each.value}',
    });
    expect(tf.variables.producer_service_accounts.default).toEqual([]);
  });

  test('when anything is granted, then it is an additive *_iam_member, never a basic role or an authoritative binding/policy', () => {
    for (const r of iamResources()) {
      expect({ r: `${r.type}.${r.name}`, additive: r.type.endsWith('_iam_member') }).toEqual({ r: `${r.type}.${r.name}`, additive: true });
      expect(['roles/owner', 'roles/editor', 'roles/viewer']).not.toContain(r.body.role);
    }
  });

  test('when grants are declared, then they all live in iam.tf', () => {
    expect([...new Set(iamResources().map((r) => r.file))]).toEqual(['iam.tf']);
  });
});

describe('terraform/iam.tf: push authentication mode', () => {
  test('when Cloud Run lets everyone invoke the service, then the notifier verifies OIDC tokens itself (and says why)', () => {
    expect(resource(tf, 'google_cloud_run_v2_service_iam_member', 'public_invoker')).toMatchObject({
      name: '${google_cloud_run_v2_service.notifier.name}',
      role: 'roles/run.invoker',
      member: 'allUsers',
    });
    const env = resource(tf, 'google_cloud_run_v2_service', 'notifier').template[0].containers[0].env as { name: string; value?: string }[];
    const value = (name: string) => env.find((e) => e.name === name)?.value;
    expect(value('PUSH_AUTH')).toBe('oidc');
    expect(value('NODE_ENV')).toBe('production'); // the notifier refuses PUSH_AUTH=none in production
    expect(expression(value('PUSH_AUDIENCE'))).toBe('var.push_audience');
    expect(expression(value('PUSH_SERVICE_ACCOUNT'))).toBe('google_service_account.push.email');
    expect(readFileSync(tfPath('iam.tf'), 'utf8')).toMatch(/SIGNATURE_REMOVED_BY_GOOGLE/);
  });
});
