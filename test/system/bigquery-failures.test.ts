/**
 * Opt-in: the BigQuery failure store, views and dry run against a real project.
 * `NOTIFIER_SYSTEM_PROJECT=my-project npm run test:system` with application-default
 * credentials that may create and delete a dataset. Not part of `npm test`.
 */
import { randomBytes } from 'node:crypto';
import { BigQuery, Dataset } from '@google-cloud/bigquery';
import { deadLetterTableSchema, POISON_TABLE_SCHEMA } from '../../src/failures/bigquery-schema';
import { makeBigQueryFailureStore } from '../../src/failures/bigquery-store';
import { viewSql } from '../../src/failures/query';
import { notificationFromRow } from '../../src/failures/rebuild';
import { notificationType } from '../../src/codec/schema';

const projectId = process.env.NOTIFIER_SYSTEM_PROJECT;
if (!projectId) {
  throw new Error('NOTIFIER_SYSTEM_PROJECT is not set: the system tests need a Google Cloud project (and credentials)');
}
const bigquery = new BigQuery({ projectId });
const datasetId = `notifier_system_${randomBytes(4).toString('hex')}`;
let dataset: Dataset;
const now = new Date();

beforeAll(async () => {
  [dataset] = await bigquery.createDataset(datasetId, { location: process.env.NOTIFIER_SYSTEM_LOCATION ?? 'US' });
  const partitioned = { timePartitioning: { type: 'DAY', field: 'publish_time' } };
  const [deadLetters] = await dataset.createTable('dead_letters', { schema: { fields: deadLetterTableSchema(notificationType()) }, ...partitioned });
  const [poison] = await dataset.createTable('poison_messages', { schema: { fields: [...POISON_TABLE_SCHEMA] }, ...partitioned });
  const metadata = (id: string, attributes: Record<string, string>) => ({
    subscription_name: 'projects/p/subscriptions/dead-letter-bigquery',
    message_id: id,
    publish_time: BigQuery.timestamp(now),
    attributes: JSON.stringify(attributes),
  });
  await deadLetters.insert([
    {
      notification_id: 'n-1', account_id: 'acct-1', type: 'order.shipped', channel: 1, source: 'orders',
      created_at_micros: BigQuery.timestamp('2026-11-22T01:02:03.456789Z'), expires_at_micros: BigQuery.timestamp(new Date(0)),
      email: { to: 'a@example.com', subject: 'S', text: 'T', html: '' },
      ...metadata('1', { notifier_failure_code: 'ATTEMPTS_EXHAUSTED', notifier_attempts: '5', notifier_source_message_id: 'src-1' }),
    },
    { notification_id: 'n-2', type: 'order.paid', channel: 1, ...metadata('2', { CloudPubSubDeadLetterSourceDeliveryCount: '10' }) },
  ]);
  await poison.insert([{ data: Buffer.from('garbage').toString('base64'), ...metadata('3', { notifier_failure_code: 'UNDECODABLE_PAYLOAD' }) }]);
  for (const [file, sql] of Object.entries(viewSql())) {
    const query = sql.replaceAll('${project}', projectId).replaceAll('${dataset}', datasetId);
    await dataset.createTable(file.replace('.sql', ''), { view: { query, useLegacySql: false } });
  }
});
afterAll(() => dataset?.delete({ force: true }));

const store = () => makeBigQueryFailureStore({ dataset: `${projectId}.${datasetId}`, bigquery });
const since = new Date(now.getTime() - 3_600_000);

test('when the BigQuery store summarises, then codes are counted, with Pub/Sub-forwarded and poison rows included', async () => {
  const rows = await store().summary({ since });
  const byCode = Object.fromEntries(rows.map((r) => [r.failure_code, r.failures]));
  expect(byCode).toEqual({ ATTEMPTS_EXHAUSTED: 1, PUBSUB_DEAD_LETTER: 1, UNDECODABLE_PAYLOAD: 1 });
});

test('when listing with a filter, then only matching rows come back, with the channel name', async () => {
  const rows = await store().list({ since, account: 'acct-1' });
  expect(rows).toEqual([expect.objectContaining({ notification_id: 'n-1', channel: 'EMAIL', attempts: 5, dead_lettered_by: 'notifier' })]);
});

test('when replay rows are fetched, then the notification is rebuilt exactly', async () => {
  const candidates = await store().replayCandidates({ since, code: 'ATTEMPTS_EXHAUSTED' });
  const [row] = await store().deadLetterRows(since, candidates.map((c) => String(c.message_id)));
  expect(notificationFromRow(row!)).toMatchObject({ notificationId: 'n-1', createdAtMicros: 1_795_309_323_456_789n, email: { to: 'a@example.com' } });
});

test('when --dry-run estimates, then BigQuery answers with a byte count without running the query', async () => {
  expect(await store().estimateBytes!('summary', { since })).toBeGreaterThanOrEqual(0);
});

test('when the views are queried, then failed_notifications and failure_summary answer', async () => {
  const [failed] = await bigquery.query(`SELECT notification_id, failure_code FROM \`${projectId}.${datasetId}.failed_notifications\` ORDER BY failure_code`);
  expect(failed.map((r: { failure_code: string }) => r.failure_code)).toEqual(['ATTEMPTS_EXHAUSTED', 'PUBSUB_DEAD_LETTER', 'UNDECODABLE_PAYLOAD']);
  const [summary] = await bigquery.query(`SELECT SUM(failures) AS n FROM \`${projectId}.${datasetId}.failure_summary\``);
  expect(summary[0].n).toBe(3);
});
