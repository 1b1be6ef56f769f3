import { readFileSync } from 'node:fs';
import { generatedFiles } from '../../../src/failures/gen-bq-schema';
import { loadTerraform, resource, resourcesOfType, single, Terraform, tfPath } from './hcl';

let tf: Terraform;

beforeAll(async () => {
  tf = await loadTerraform();
});

const table = (name: string) => resource(tf, 'google_bigquery_table', name);
type Field = { name: string; type: string; fields?: Field[] };
const schemaOf = (file: string) => JSON.parse(generatedFiles()[file]) as Field[];

describe('terraform/bigquery.tf: dataset and tables', () => {
  test('when the dataset is declared, then its id and location are operator variables', () => {
    expect(resource(tf, 'google_bigquery_dataset', 'failures')).toMatchObject({
      dataset_id: '${var.bigquery_dataset_id}',
      location: '${var.bigquery_location}',
    });
  });

  test.each([
    ['dead_letters', 'schemas/dead_letters.json'],
    ['poison_messages', 'schemas/poison_messages.json'],
    ['notification_events', 'schemas/notification_events.json'],
  ])('when table %s is created, then its schema is the generated %s, unchanged', (name, file) => {
    const t = table(name);
    expect(t.table_id).toBe(name);
    expect(t.dataset_id).toBe('${google_bigquery_dataset.failures.dataset_id}');
    expect(t.schema).toBe(`\${file("\${path.module}/${file}")}`);
    expect(readFileSync(tfPath(file), 'utf8')).toBe(generatedFiles()[file]);
  });

  test.each(['dead_letters', 'poison_messages'])('when %s fills up, then it is partitioned by day on publish_time and expires after failure_retention_days', (name) => {
    expect(single(table(name), 'time_partitioning')).toEqual({
      type: 'DAY',
      field: 'publish_time',
      expiration_ms: '${var.failure_retention_days * 86400000}',
    });
    const file = `schemas/${name}.json`;
    expect(schemaOf(file).find((f) => f.name === 'publish_time')?.type).toBe('TIMESTAMP');
  });

  test('when notification_events fills up, then it is partitioned by day on the events\' own time and expires after events_retention_days', () => {
    expect(single(table('notification_events'), 'time_partitioning')).toEqual({
      type: 'DAY',
      field: 'occurred_at_micros',
      expiration_ms: '${var.events_retention_days * 86400000}',
    });
    expect(schemaOf('schemas/notification_events.json').find((f) => f.name === 'occurred_at_micros')?.type).toBe('TIMESTAMP');
    expect(tf.variables.events_retention_days).toMatchObject({ type: '${number}', default: 90 });
  });

  test('when the views and analysts pick events by kind and channel, then notification_events is clustered on those generated columns', () => {
    expect(table('notification_events').clustering).toEqual(['event', 'channel']);
    const columns = schemaOf('schemas/notification_events.json');
    expect(columns.filter((f) => ['event', 'channel'].includes(f.name)).map((f) => f.type)).toEqual(['STRING', 'STRING']);
  });

  test('when analysts filter dead_letters by channel and type, then the table is clustered on those generated columns', () => {
    expect(table('dead_letters').clustering).toEqual(['channel', 'type']);
    const columns = schemaOf('schemas/dead_letters.json').map((f) => f.name);
    expect(columns).toEqual(expect.arrayContaining(['channel', 'type']));
  });

  test('when terraform destroy runs, then every table and view follows var.deletion_protection', () => {
    const tables = resourcesOfType(tf, 'google_bigquery_table');
    expect(tables.map((r) => r.name).sort()).toEqual([
      'dead_letters', 'failed_notifications', 'failure_summary', 'notification_events', 'notification_funnel', 'notification_latency', 'poison_messages',
    ]);
    for (const r of tables) expect({ table: r.name, protection: r.body.deletion_protection }).toEqual({ table: r.name, protection: '${var.deletion_protection}' });
  });
});

const VIEWS = ['failed_notifications', 'failure_summary', 'notification_funnel', 'notification_latency'];

describe('terraform/bigquery.tf: analyst views', () => {
  test.each(VIEWS)('when view %s is created, then its SQL is the generated views/%s.sql through templatefile, in standard SQL', (name) => {
    const view = single(table(name), 'view');
    expect(view.use_legacy_sql).toBe(false);
    expect((view.query as string).replace(/\s+/g, ' ')).toBe(
      `\${templatefile("\${path.module}/views/${name}.sql", { project = var.project_id dataset = google_bigquery_dataset.failures.dataset_id })}`,
    );
    expect(readFileSync(tfPath(`views/${name}.sql`), 'utf8')).toBe(generatedFiles()[`views/${name}.sql`]);
  });

  test.each(VIEWS)('when templatefile renders views/%s.sql, then only ${project} and ${dataset} are placeholders', (name) => {
    const sql = generatedFiles()[`views/${name}.sql`];
    expect(sql).not.toContain('%{'); // a template directive would break templatefile
    const placeholders = [...sql.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]);
    expect(new Set(placeholders)).toEqual(new Set(['project', 'dataset']));
    const rendered = sql.replaceAll('${project}', 'p').replaceAll('${dataset}', 'd');
    expect(rendered).not.toContain('${');
  });

  test('when the views are created, then each waits for what it selects from', () => {
    expect(table('failed_notifications').depends_on).toEqual(['${google_bigquery_table.dead_letters}', '${google_bigquery_table.poison_messages}']);
    expect(table('failure_summary').depends_on).toEqual(['${google_bigquery_table.failed_notifications}']);
    expect(generatedFiles()['views/failure_summary.sql']).toContain('`${project}.${dataset}.failed_notifications`');
    for (const name of ['notification_funnel', 'notification_latency']) {
      expect(table(name).depends_on).toEqual(['${google_bigquery_table.notification_events}']);
      expect(generatedFiles()[`views/${name}.sql`]).toContain('`${project}.${dataset}.notification_events`');
    }
  });
});
