import { readdirSync } from 'node:fs';
import { loadTerraform, loadTfvarsExample, resource, Terraform, tfPath } from './hcl';

let tf: Terraform;

beforeAll(async () => {
  tf = await loadTerraform();
});

describe('terraform/: versions, layout and outputs', () => {
  test('when Terraform runs, then it must be >= 1.9 (cross-variable validations) with the google provider pinned to one major', () => {
    const settings = tf.terraform.find((t) => t.required_providers);
    expect(settings?.required_version).toBe('>= 1.9');
    expect(settings?.required_providers[0].google).toEqual({ source: 'hashicorp/google', version: '~> 7.0' });
    expect(tf.providers.google).toEqual({ project: '${var.project_id}', region: '${var.region}' });
  });

  test('when reading the directory, then each file holds one concern and says so in its name', () => {
    expect(tf.files).toEqual(['apis.tf', 'bigquery.tf', 'channels.tf', 'cloudrun.tf', 'iam.tf', 'monitoring.tf', 'outputs.tf', 'pubsub.tf', 'scheduler.tf', 'secrets.tf', 'variables.tf', 'versions.tf']);
    const where = (prefix: string) => [...new Set(tf.resources.filter((r) => r.type.startsWith(prefix) && !r.type.includes('_iam_')).map((r) => r.file))];
    expect(where('google_pubsub_')).toEqual(['pubsub.tf']);
    expect(where('google_bigquery_')).toEqual(['bigquery.tf']);
    expect(where('google_cloud_run_v2_')).toEqual(['cloudrun.tf']);
    expect(where('google_secret_manager_')).toEqual(['secrets.tf']);
    expect(where('google_monitoring_')).toEqual(['monitoring.tf']);
    expect(where('google_logging_')).toEqual(['monitoring.tf']);
    expect(where('google_project_service')).toEqual(['apis.tf']);
    expect(where('google_cloud_scheduler_')).toEqual(['scheduler.tf']);
    // channels.tf only decides (locals); the resources stay with their concern.
    expect(tf.resources.filter((r) => r.file === 'channels.tf')).toEqual([]);
    expect(Object.keys(tf.variables).length).toBeGreaterThan(30);
    expect(readdirSync(tfPath('dashboards'))).toEqual(['notifier.json.tftpl']);
  });

  test('when the APIs are enabled, then destroying the configuration never disables them', () => {
    expect(resource(tf, 'google_project_service', 'required')).toMatchObject({ for_each: '${local.required_apis}', disable_on_destroy: false });
    expect(tf.locals.required_apis).toEqual(expect.stringContaining('pubsub.googleapis.com'));
    for (const api of ['bigquery', 'cloudscheduler', 'iamcredentials', 'logging', 'monitoring', 'run', 'secretmanager', 'sqladmin']) {
      expect(tf.locals.required_apis).toContain(`"${api}.googleapis.com"`);
    }
  });

  test('when apply finishes, then the outputs name everything operators, producers and analysts need', () => {
    expect(Object.keys(tf.outputs)).toEqual(
      expect.arrayContaining([
        'service_url', 'push_endpoint', 'notifications_topic', 'dead_letter_topic', 'poison_topic', 'push_subscription',
        'failures_dataset', 'push_service_account', 'runtime_service_account', 'migrate_job', 'secrets', 'dashboard_id', 'enabled_channels',
        'api_audience', 'scheduler_service_account', 'release_job', 'events_topic', 'event_tables',
      ]),
    );
    for (const [name, o] of Object.entries(tf.outputs)) expect({ name, described: typeof o.description === 'string' }).toEqual({ name, described: true });
    expect(tf.outputs.service_url.value).toBe('${google_cloud_run_v2_service.notifier.uri}');
    expect(tf.outputs.failures_dataset.value).toBe('${google_bigquery_dataset.failures.project}.${google_bigquery_dataset.failures.dataset_id}');
    expect(tf.outputs.events_topic.value).toBe('${google_pubsub_topic.events.name}');
    expect(Object.keys(tf.outputs.event_tables.value as object)).toEqual(['notification_events', 'notification_funnel', 'notification_latency']);
  });

  test('when an operator copies terraform.tfvars.example, then it sets every variable without a default and only declared variables', async () => {
    const example = await loadTfvarsExample();
    const required = Object.entries(tf.variables).filter(([, v]) => !('default' in v)).map(([n]) => n);
    expect(Object.keys(example).sort()).toEqual(required.sort());
  });
});

describe("docs/operators.md's Terraform variables table", () => {
  /** The section "## Terraform variables" of docs/operators.md, up to the next "## " heading. */
  async function section(): Promise<string> {
    const { readFileSync } = await import('node:fs');
    const guide = readFileSync(tfPath('../docs/operators.md'), 'utf8');
    const start = guide.search(/^## Terraform variables\s*$/m);
    expect(start).toBeGreaterThanOrEqual(0);
    const rest = guide.slice(start + 1);
    const end = rest.search(/^## /m);
    return end === -1 ? rest : rest.slice(0, end);
  }

  test('when a variable is added to variables.tf, then docs/operators.md documents it', async () => {
    const documented = new Set([...(await section()).matchAll(/^\| `([a-z0-9_]+)` \|/gm)].map((m) => m[1]));
    expect(Object.keys(tf.variables).filter((name) => !documented.has(name))).toEqual([]);
  });

  test('when the table lists a variable, then variables.tf declares it', async () => {
    const documented = [...(await section()).matchAll(/^\| `([a-z0-9_]+)` \|/gm)].map((m) => m[1]!);
    expect(documented.filter((name) => !(name in tf.variables))).toEqual([]);
  });
});
