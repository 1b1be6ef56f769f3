import { FailureFilters } from '../../../src/failures/filters';
import { deadLetterRowsQuery, listQuery, replayQuery, summaryQuery, Tables, viewSql } from '../../../src/failures/query';

const SINCE = new Date('2026-11-21T00:00:00Z');
const BQ: Tables = { dataset: 'proj.failures', deadLetters: 'dead_letters', poison: 'poison_messages' };
const MY: Tables = { deadLetters: 'dead_letters', poison: 'poison_messages' };
const count = (text: string, part: string) => text.split(part).length - 1;

const FILTERS: [keyof FailureFilters, unknown, string][] = [
  ['channel', 'EMAIL', 'channel'],
  ['type', 'order.shipped', 'type'],
  ['code', 'ATTEMPTS_EXHAUSTED', 'failure_code'],
  ['account', 'acct-1', 'account_id'],
  ['notificationId', 'n-1', 'notification_id'],
  ['target', 'EMAIL:0a1b2c3d', 'target'],
];

describe('BigQuery SQL text (checked here; analyzed by ZetaSQL in test/integration/bigquery-sql-analysis.test.ts)', () => {
  test('when no filter but the time window is given, then both tables are scanned with the partition filter and nothing else is a parameter', () => {
    const q = listQuery('bigquery', BQ, { since: SINCE });
    expect(q.params).toEqual({ since: SINCE });
    expect(count(q.sql, 'WHERE publish_time >= @since')).toBe(2);
    expect(q.sql).toContain('FROM `proj.failures.dead_letters`');
    expect(q.sql).toContain('FROM `proj.failures.poison_messages`');
    expect(q.sql).not.toContain('LIMIT');
    expect(q.sql).toMatch(/ORDER BY failed_at DESC$/);
  });

  test.each(FILTERS)('when filtering by %s, then it is a named parameter compared after deduplication', (key, value, column) => {
    const q = listQuery('bigquery', BQ, { since: SINCE, [key]: value });
    expect(q.params).toEqual({ since: SINCE, [key]: value });
    expect(q.sql).toContain(`WHERE ${column} = @${key}`);
    // After the latest-record choice, not inside the scans: a filter must not resurrect an older record.
    expect(q.sql.indexOf(`${column} = @${key}`)).toBeGreaterThan(q.sql.indexOf('nth_record = 1'));
  });

  test('when every filter and a limit are given, then they are ANDed and the limit is a parameter', () => {
    const q = listQuery('bigquery', BQ, { since: SINCE, channel: 'EMAIL', type: 't', code: 'C', account: 'a', limit: 20 });
    expect(q.sql).toContain('WHERE channel = @channel AND type = @type AND failure_code = @code AND account_id = @account');
    expect(q.sql).toMatch(/LIMIT @limit$/);
    expect(q.params.limit).toBe(20);
  });

  test('when summarising, then rows are grouped by channel, type, code and source and a limit is ignored', () => {
    const q = summaryQuery('bigquery', BQ, { since: SINCE, limit: 5 });
    expect(q.sql).toContain('GROUP BY channel, type, failure_code, source');
    expect(q.sql).toContain('COUNT(*) AS failures');
    expect(q.params).toEqual({ since: SINCE });
  });

  test('when selecting for replay, then oldest failures come first and the row carries what finds its dead-letter record', () => {
    const q = replayQuery('bigquery', BQ, { since: SINCE, code: 'ATTEMPTS_EXHAUSTED', limit: 100 });
    expect(q.sql).toMatch(/^SELECT failed_at, notification_id, channel, failure_code, message_id, source_message_id, payload, target FROM/);
    expect(q.sql).toContain('ORDER BY failed_at ASC');
    expect(q.params).toEqual({ since: SINCE, code: 'ATTEMPTS_EXHAUSTED', limit: 100 });
  });

  test('when fetching dead-letter rows, then the ids are an array parameter and the partition filter stays', () => {
    expect(deadLetterRowsQuery('bigquery', BQ, SINCE, ['1', '2'])).toEqual({
      sql: 'SELECT * FROM `proj.failures.dead_letters` WHERE publish_time >= @since AND message_id IN UNNEST(@ids)',
      params: { since: SINCE, ids: ['1', '2'] },
      order: ['since', 'ids'],
    });
  });

  test('when a failure record has no notifier code, then it is attributed to Pub/Sub', () => {
    const sql = listQuery('bigquery', BQ, { since: SINCE }).sql;
    expect(sql).toContain("COALESCE(JSON_VALUE(attributes, '$.notifier_failure_code'), 'PUBSUB_DEAD_LETTER') AS failure_code");
    expect(sql).toContain("CASE WHEN JSON_VALUE(attributes, '$.notifier_failure_code') IS NULL THEN 'pubsub' ELSE 'notifier' END AS dead_lettered_by");
  });
});

describe('MySQL SQL for the local stand-in (run for real by the integration tests)', () => {
  test.each([
    ['list', listQuery('mysql', MY, { since: SINCE, channel: 'EMAIL', code: 'C', limit: 3 })],
    ['summary', summaryQuery('mysql', MY, { since: SINCE, type: 't', account: 'a' })],
    ['replay', replayQuery('mysql', MY, { since: SINCE, limit: 9 })],
  ])('when building the %s query, then there is one positional value per placeholder, in order', (_, q) => {
    expect(q.order).toHaveLength(count(q.sql, '?'));
    expect(q.order.slice(0, 2)).toEqual(['since', 'since']);
    expect(q.sql).not.toContain('@');
  });

  test('when fetching dead-letter rows, then mysql2 expands the id list into IN (…)', () => {
    expect(deadLetterRowsQuery('mysql', MY, SINCE, ['1']).sql).toBe(
      'SELECT * FROM `dead_letters` WHERE publish_time >= ? AND message_id IN (?)',
    );
  });
});

describe('analyst views (BigQuery SQL text checked here; analyzed by ZetaSQL in test/integration/bigquery-sql-analysis.test.ts)', () => {
  const views = viewSql();

  test('when generated, then failed_notifications keeps the latest record per notification and channel (and routed contact), poison included', () => {
    const sql = views['failed_notifications.sql']!;
    expect(sql).toContain('FROM `${project}.${dataset}.dead_letters`');
    expect(sql).toContain('FROM `${project}.${dataset}.poison_messages`');
    expect(sql).toContain('PARTITION BY payload, COALESCE(notification_id, source_message_id), COALESCE(target, channel)');
    expect(sql).toContain("JSON_VALUE(attributes, '$.notifier_target') AS target");
    expect(sql).toContain('ORDER BY failed_at DESC, message_id DESC');
    expect(sql).toContain('SELECT * EXCEPT (nth_record)');
    for (const name of ['EMAIL', 'SMS', 'PUSH', 'SLACK', 'LINE', 'WEBHOOK']) expect(sql).toContain(`THEN '${name}'`);
    expect(sql).not.toContain('@since');
  });

  test('when generated, then failure_summary counts by hour and day x channel x type x code x source from the view', () => {
    const sql = views['failure_summary.sql']!;
    expect(sql).toContain('TIMESTAMP_TRUNC(failed_at, HOUR) AS hour, DATE(failed_at) AS day');
    expect(sql).toContain('FROM `${project}.${dataset}.failed_notifications`');
    expect(sql).toContain('GROUP BY hour, day, channel, type, failure_code, source, payload');
  });
});
