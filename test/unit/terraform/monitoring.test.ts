import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import type { Deliver } from '../../../src/delivery/deliver';
import { OUTCOMES, type DeliveryResult, type OutcomeKind } from '../../../src/delivery/outcomes';
import { createLogger } from '../../../src/logging';
import { noAuthentication } from '../../../src/http/auth';
import { createApp } from '../../../src/http/app';
import { TransientError } from '../../../src/delivery/failures';
import { makeProviderGates } from '../../../src/gates/provider-gates';
import { PACKAGE_ROOT } from '../../../src/paths';
import { FakeClock } from '../fakes';
import { Block, loadTerraform, resource, resourcesOfType, single, Terraform, tfPath } from './hcl';

let tf: Terraform;

beforeAll(async () => {
  tf = await loadTerraform();
});

const metric = (name: string) => resource(tf, 'google_logging_metric', name);
const policy = (name: string) => resource(tf, 'google_monitoring_alert_policy', name);
const conditions = (name: string) => (policy(name).conditions as Block[]).map((c) => single(c, 'condition_threshold'));

/** The RE2 pattern a Logging filter applies to jsonPayload.message (simple enough for JS). */
const messagePattern = (filter: string) => new RegExp(/jsonPayload\.message=~"([^"]+)"/.exec(filter)![1]);

/** The JSON line the notifier writes for one push with the given outcome. */
async function deliveryLine(outcome: OutcomeKind): Promise<Record<string, unknown>> {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString()));
  const result: DeliveryResult = { outcome, messageId: 'm-1', notificationId: 'n-1', channel: 'EMAIL', attempt: 1 };
  const deliver = (async () => result) as unknown as Deliver;
  const app = createApp({ deliver, authenticator: noAuthentication, log: createLogger('debug', stream), projectId: 'p', isReady: async () => true });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  try {
    const { port } = server.address() as AddressInfo;
    await fetch(`http://127.0.0.1:${port}/pubsub/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: { messageId: 'm-1', data: '' }, subscription: 'projects/p/subscriptions/notifications-push' }),
    });
  } finally {
    await new Promise((r) => server.close(r));
  }
  await new Promise((r) => setImmediate(r));
  const lines = chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  return lines.find((l) => String(l.message).startsWith('delivery '))!;
}

describe('terraform/monitoring.tf: log-based metrics from the notifier\'s delivery lines', () => {
  test.each(['deliveries', 'delivery_latency'])('when %s filters log entries, then it matches "delivery <outcome>" for every outcome of the notifier and nothing else', (name) => {
    const filter = metric(name).filter as string;
    expect(filter).toContain('resource.type="cloud_run_revision"');
    expect(filter).toContain('resource.labels.service_name="${google_cloud_run_v2_service.notifier.name}"');
    const pattern = messagePattern(filter);
    for (const outcome of Object.keys(OUTCOMES)) expect({ outcome, matches: pattern.test(`delivery ${outcome}`) }).toEqual({ outcome, matches: true });
    for (const other of ['push request rejected', 'not a push envelope', 'unhandled error', 'delivery', 'ready']) expect(pattern.test(other)).toBe(false);
  });

  test('when deliveries are counted, then outcome and channel are labels extracted from jsonPayload', () => {
    const m = metric('deliveries');
    expect(m.name).toBe('notifier/deliveries');
    const descriptor = single(m, 'metric_descriptor');
    expect(descriptor).toMatchObject({ metric_kind: 'DELTA', value_type: 'INT64' });
    expect((descriptor.labels as Block[]).map((l) => l.key)).toEqual(['outcome', 'channel']);
    expect(m.label_extractors).toEqual({ outcome: 'EXTRACT(jsonPayload.outcome)', channel: 'EXTRACT(jsonPayload.channel)' });
  });

  test('when latency is measured, then it is a distribution of jsonPayload.durationMs in milliseconds', () => {
    const m = metric('delivery_latency');
    expect(m.name).toBe('notifier/delivery_latency');
    expect(single(m, 'metric_descriptor')).toMatchObject({ metric_kind: 'DELTA', value_type: 'DISTRIBUTION', unit: 'ms' });
    expect(m.value_extractor).toBe('EXTRACT(jsonPayload.durationMs)');
    expect(single(single(m, 'bucket_options'), 'exponential_buckets')).toBeDefined();
  });

  test.each(['sent', 'dead_lettered', 'retry'] as const)('when the notifier answers a push with %s, then its log line has every field the metrics extract', async (outcome) => {
    const line = await deliveryLine(outcome);
    expect(line).toMatchObject({ message: `delivery ${outcome}`, outcome, channel: 'EMAIL', attempt: 1 });
    expect(typeof line.durationMs).toBe('number');
    expect(typeof line.severity).toBe('string');
    expect(messagePattern(metric('deliveries').filter as string).test(String(line.message))).toBe(true);
  });
});

/** How src/main.ts logs a breaker's state change (checked against its source below). */
const MAIN_BREAKER_LOG = "log.log(to === 'open' ? 'warn' : 'info', `circuit breaker ${to}`, { ...change, state: to })";

/** The lines the notifier writes while a provider fails until its breaker opens, then recovers. */
function breakerLines(): Record<string, unknown>[] {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString()));
  const log = createLogger('info', stream);
  const clock = new FakeClock();
  const gates = makeProviderGates({
    ratePerSecond: {},
    breaker: { failureThreshold: 2, openMs: 1000 },
    maxRetryAfterMs: 60_000,
    clock,
    // The same call as src/main.ts.
    onBreakerChange: ({ to, ...change }) => log.log(to === 'open' ? 'warn' : 'info', `circuit breaker ${to}`, { ...change, state: to }),
  });
  const call = (error?: TransientError) => {
    const permit = gates.admit('SMS', 'twilio');
    if (!permit.admitted) throw new Error(`refused: ${permit.outcome}`);
    permit.settle(error);
  };
  call(new TransientError('PROVIDER_UNAVAILABLE', 'twilio answered HTTP 503'));
  call(new TransientError('PROVIDER_UNAVAILABLE', 'twilio answered HTTP 503'));
  clock.now += 1000;
  call();
  return chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('terraform/monitoring.tf: provider gates and circuit breakers', () => {
  test('when a delivery is refused by a rate limit or an open breaker, then it is counted but kept out of the latency distribution', () => {
    const latency = metric('delivery_latency').filter as string;
    expect(latency).toContain('jsonPayload.outcome!="rate_limited"');
    expect(latency).toContain('jsonPayload.outcome!="circuit_open"');
    expect(metric('deliveries').filter).not.toContain('outcome!=');
    expect(Object.keys(OUTCOMES)).toEqual(expect.arrayContaining(['rate_limited', 'circuit_open']));
  });

  test('when src/main.ts reports a breaker change, then it logs it as this test does', () => {
    expect(readFileSync(`${PACKAGE_ROOT}/src/main.ts`, 'utf8')).toContain(MAIN_BREAKER_LOG);
  });

  test('when a breaker opens, half-opens and closes, then each line matches the breaker metric and carries its labels', () => {
    const lines = breakerLines();
    expect(lines.map((l) => [l.message, l.severity])).toEqual([
      ['circuit breaker open', 'WARNING'],
      ['circuit breaker half_open', 'INFO'],
      ['circuit breaker closed', 'INFO'],
    ]);
    const m = metric('breaker_transitions');
    const pattern = messagePattern(m.filter as string);
    for (const line of lines) {
      expect(pattern.test(String(line.message))).toBe(true);
      expect(line).toMatchObject({ channel: 'SMS', provider: 'twilio' });
    }
    expect(lines.map((l) => l.state)).toEqual(['open', 'half_open', 'closed']);
    for (const other of ['circuit breaker', 'circuit breaker opened', 'delivery circuit_open', 'delivery sent']) expect(pattern.test(other)).toBe(false);
  });

  test('when breaker changes are counted, then channel, provider and state are labels extracted from jsonPayload', () => {
    const m = metric('breaker_transitions');
    expect(m.name).toBe('notifier/breaker_transitions');
    expect(m.filter).toContain('resource.type="cloud_run_revision"');
    expect(m.filter).toContain('resource.labels.service_name="${google_cloud_run_v2_service.notifier.name}"');
    const descriptor = single(m, 'metric_descriptor');
    expect(descriptor).toMatchObject({ metric_kind: 'DELTA', value_type: 'INT64' });
    expect((descriptor.labels as Block[]).map((l) => l.key)).toEqual(['channel', 'provider', 'state']);
    expect(m.label_extractors).toEqual({
      channel: 'EXTRACT(jsonPayload.channel)',
      provider: 'EXTRACT(jsonPayload.provider)',
      state: 'EXTRACT(jsonPayload.state)',
    });
  });

  test('when a breaker opens anywhere, then an alert fires per channel and provider', () => {
    const [c] = conditions('breaker_open');
    expect(c.filter).toContain('metric.type="${local.breaker_metric_type}"');
    expect(c.filter).toContain('metric.labels.state="open"');
    expect(tf.locals.breaker_metric_type).toBe('logging.googleapis.com/user/${google_logging_metric.breaker_transitions.name}');
    expect(c).toMatchObject({ comparison: 'COMPARISON_GT', threshold_value: 0, duration: '0s' });
    expect(single(c, 'aggregations')).toMatchObject({ per_series_aligner: 'ALIGN_SUM', group_by_fields: ['metric.label.channel', 'metric.label.provider'] });
    const doc = single(policy('breaker_open'), 'documentation').content as string;
    for (const variable of ['breaker_failures', 'breaker_open_ms', 'max_delivery_attempts', 'PUBSUB_DEAD_LETTER']) expect(doc).toContain(variable);
  });

  test('when pushes are nacked by our own throttling, then the push error alert counts them and says how to tell them apart', () => {
    const doc = single(policy('push_errors'), 'documentation').content as string;
    for (const word of ['rate_limited', 'circuit_open', '_rate_limit', 'push_error_ratio_threshold']) expect(doc).toContain(word);
    expect(readFileSync(tfPath('monitoring.tf'), 'utf8')).toMatch(/push error ratio \(alert 3\) stays Pub\/Sub's view of every nack/);
  });
});

describe('terraform/monitoring.tf: alert policies', () => {
  test('when anything is dead-lettered or poisoned, then an alert counts publishes to those topics above the threshold', () => {
    const [deadLetters, poison] = conditions('dead_letters');
    for (const [c, topic] of [[deadLetters, 'dead_letter'], [poison, 'poison']] as const) {
      expect(c.filter).toContain('metric.type="pubsub.googleapis.com/topic/send_message_operation_count"');
      expect(c.filter).toContain(`resource.labels.topic_id="\${google_pubsub_topic.${topic}.name}"`);
      expect(c).toMatchObject({ comparison: 'COMPARISON_GT', threshold_value: '${var.dead_letter_alert_threshold}' });
    }
  });

  test('when the push subscription falls behind, then an alert watches its oldest unacked message age against the threshold variable', () => {
    const [push, bigquery] = conditions('backlog');
    expect(push.filter).toContain('metric.type="pubsub.googleapis.com/subscription/oldest_unacked_message_age"');
    expect(push.filter).toContain('resource.labels.subscription_id="${google_pubsub_subscription.push.name}"');
    expect(push).toMatchObject({ comparison: 'COMPARISON_GT', threshold_value: '${var.backlog_alert_age_seconds}' });
    expect(bigquery.filter).toContain('monitoring.regex.full_match("${local.bigquery_subscriptions}")');
    expect(tf.locals.bigquery_subscriptions).toBe(
      '${google_pubsub_subscription.dead_letters_bigquery.name}|${google_pubsub_subscription.poison_bigquery.name}|${google_pubsub_subscription.events_bigquery.name}',
    );
  });

  test('when pushes are nacked, then an alert compares non-ack push responses to all push responses', () => {
    const [ratio] = conditions('push_errors');
    expect(ratio.filter).toContain('metric.type="pubsub.googleapis.com/subscription/push_request_count"');
    expect(ratio.filter).toContain('metric.labels.response_class!="ack"');
    expect(ratio.denominator_filter).toContain('metric.type="pubsub.googleapis.com/subscription/push_request_count"');
    expect(ratio.denominator_filter).not.toContain('response_class');
    expect(ratio.threshold_value).toBe('${var.push_error_ratio_threshold}');
    expect(single(ratio, 'denominator_aggregations')).toEqual(single(ratio, 'aggregations'));
  });

  test('when an alert fires, then it notifies the configured channels and tells the operator what to turn', () => {
    const policies = resourcesOfType(tf, 'google_monitoring_alert_policy');
    expect(policies.map((p) => p.name).sort()).toEqual(['backlog', 'breaker_open', 'dead_letters', 'events_lost', 'push_errors']);
    for (const p of policies) {
      expect(p.body.notification_channels).toBe('${var.notification_channels}');
      expect(single(p.body, 'documentation').content.length).toBeGreaterThan(100);
    }
  });
});

describe('terraform/monitoring.tf: lost lifecycle events', () => {
  test('when the notifier logs a failed or dropped event, then the metric counts the line and an alert fires on any', () => {
    const metric = resource(tf, 'google_logging_metric', 'events_lost');
    const pattern = /\^lifecycle event \(failed\|dropped\)\$/;
    expect(metric.filter).toMatch(pattern);
    for (const line of ['lifecycle event failed', 'lifecycle event dropped']) expect(new RegExp('^lifecycle event (failed|dropped)$').test(line)).toBe(true);
    const condition = single(single(policy('events_lost'), 'conditions'), 'condition_threshold');
    expect(condition.filter).toContain('metric.type=\"${local.events_lost_metric}\"');
    expect(metric.name).toBe('notifier/lifecycle_events_lost');
    expect(condition).toMatchObject({ comparison: 'COMPARISON_GT', threshold_value: 0 });
  });
});

describe('terraform/monitoring.tf: the dashboard', () => {
  /** The dashboard JSON as templatefile renders it. */
  function renderedDashboard() {
    const dashboard = resource(tf, 'google_monitoring_dashboard', 'notifier');
    expect(dashboard.dashboard_json).toMatch(/^\$\{templatefile\("\$\{path\.module\}\/dashboards\/notifier\.json\.tftpl", \{/);
    const vars: Record<string, string> = {
      deliveries_metric: 'logging.googleapis.com/user/notifier/deliveries',
      latency_metric: 'logging.googleapis.com/user/notifier/delivery_latency',
      breaker_metric: 'logging.googleapis.com/user/notifier/breaker_transitions',
      push_subscription: 'notifications-push',
      subscriptions: 'notifications-push|notifications-dead-letter-bigquery|notifications-poison-bigquery|notification-events-bigquery',
      dead_letter_topic: 'notifications-dead-letter',
      poison_topic: 'notifications-poison',
      backlog_alert_age_seconds: '900',
    };
    for (const key of Object.keys(vars)) expect(dashboard.dashboard_json).toContain(`${key} `);
    const template = readFileSync(tfPath('dashboards/notifier.json.tftpl'), 'utf8');
    expect(template).not.toContain('%{');
    const placeholders = new Set([...template.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]));
    expect(placeholders).toEqual(new Set(Object.keys(vars)));
    return JSON.parse(template.replace(/\$\{(\w+)\}/g, (_, k: string) => vars[k])) as {
      mosaicLayout: { tiles: { widget: { title: string; xyChart?: { dataSets: { timeSeriesQuery: { timeSeriesFilter: { filter: string; aggregation: { groupByFields?: string[] } } } }[] } } }[] };
    };
  }

  test('when the dashboard is rendered, then it is valid JSON with the delivery, latency, dead-letter and backlog tiles', () => {
    const tiles = renderedDashboard().mosaicLayout.tiles;
    const titles = tiles.map((t) => t.widget.title);
    expect(titles).toEqual(
      expect.arrayContaining([
        'Deliveries by outcome (per second)',
        'Deliveries by channel (per second)',
        'Delivery latency (p50, p95, p99)',
        'Dead letters and poison messages published (per minute)',
        'Backlog: undelivered messages',
        'Backlog: oldest unacked message age',
        'Throttled deliveries: rate_limited and circuit_open by channel (per second)',
        'Circuit breaker state changes (per minute)',
      ]),
    );
    const filtersOf = (title: string) =>
      tiles.find((t) => t.widget.title === title)!.widget.xyChart!.dataSets.map((d) => d.timeSeriesQuery.timeSeriesFilter);
    expect(filtersOf('Deliveries by outcome (per second)')[0].aggregation.groupByFields).toEqual(['metric.label."outcome"']);
    expect(filtersOf('Deliveries by channel (per second)')[0].aggregation.groupByFields).toEqual(['metric.label."channel"']);
    expect(filtersOf('Delivery latency (p50, p95, p99)')[0].filter).toContain('logging.googleapis.com/user/notifier/delivery_latency');
    expect(filtersOf('Dead letters and poison messages published (per minute)')[0].filter).toContain('pubsub.googleapis.com/topic/send_message_operation_count');
    expect(filtersOf('Backlog: undelivered messages')[0].filter).toContain('pubsub.googleapis.com/subscription/num_undelivered_messages');
    expect(filtersOf('Backlog: oldest unacked message age')[0].filter).toContain('pubsub.googleapis.com/subscription/oldest_unacked_message_age');
    const throttled = filtersOf('Throttled deliveries: rate_limited and circuit_open by channel (per second)')[0];
    expect(throttled.filter).toContain('logging.googleapis.com/user/notifier/deliveries');
    expect(throttled.filter).toContain('metric.label."outcome"=monitoring.regex.full_match("rate_limited|circuit_open")');
    expect(throttled.aggregation.groupByFields).toEqual(['metric.label."channel"', 'metric.label."outcome"']);
    const breakers = filtersOf('Circuit breaker state changes (per minute)')[0];
    expect(breakers.filter).toContain('logging.googleapis.com/user/notifier/breaker_transitions');
    expect(breakers.aggregation.groupByFields).toEqual(['metric.label."channel"', 'metric.label."provider"', 'metric.label."state"']);
  });

  test('when the dashboard and alerts name metrics, then each is a log-based metric of this configuration or a Pub/Sub metric checked in the docs', () => {
    const checked = new Set([
      'logging.googleapis.com/user/notifier/deliveries',
      'logging.googleapis.com/user/notifier/delivery_latency',
      'logging.googleapis.com/user/notifier/breaker_transitions',
      'pubsub.googleapis.com/topic/send_message_operation_count',
      'pubsub.googleapis.com/subscription/oldest_unacked_message_age',
      'pubsub.googleapis.com/subscription/num_undelivered_messages',
      'pubsub.googleapis.com/subscription/push_request_count',
    ]);
    const text = JSON.stringify(renderedDashboard()) + readFileSync(tfPath('monitoring.tf'), 'utf8');
    const used = new Set([...text.matchAll(/metric\.type=\\*"([^"\\]+)\\*"/g)].map((m) => m[1]));
    used.delete('${deliveries_metric}');
    used.delete('${latency_metric}');
    used.delete('${breaker_metric}');
    used.delete('${local.breaker_metric_type}');
    used.delete('${local.events_lost_metric}');
    expect(used.size).toBeGreaterThanOrEqual(4);
    for (const type of used) expect({ type, checked: checked.has(type) }).toEqual({ type, checked: true });
  });
});
