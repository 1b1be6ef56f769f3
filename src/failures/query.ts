import { CHANNELS, ChannelName } from '../codec/notification';
import { FailureFilters } from './filters';
import { FAILURE_ATTRIBUTES, REPLAY_OF_ATTRIBUTE, TARGET_ATTRIBUTE } from '../codec/attributes';
import { PUBSUB_DEAD_LETTER } from '../delivery/failures';

/**
 * The failure SQL, written once for both backends: BigQuery (the tables the BigQuery
 * subscriptions write, and the analyst views) and MySQL (the local stand-in tables).
 * Both speak JSON_VALUE and window functions; the differences are in DIALECTS.
 */
export type DialectName = 'bigquery' | 'mysql';

interface Dialect {
  table(name: string): string;
  emailTo(column: string): string;
  toInt(expression: string): string;
  hour(column: string): string;
  day(column: string): string;
  /** A query parameter placeholder (BigQuery `@name`, mysql2 `?`). */
  param(name: string): string;
}

export interface Tables {
  /** BigQuery: `project.dataset`; MySQL: unused (the connection's database). */
  dataset?: string;
  deadLetters: string;
  poison: string;
}

const DIALECTS: Record<DialectName, (t: Tables) => Dialect> = {
  bigquery: (t) => ({
    table: (name) => `\`${t.dataset}.${name}\``,
    emailTo: (c) => `${c}.to`,
    toInt: (e) => `SAFE_CAST(${e} AS INT64)`,
    hour: (c) => `TIMESTAMP_TRUNC(${c}, HOUR)`,
    day: (c) => `DATE(${c})`,
    param: (name) => `@${name}`,
  }),
  mysql: () => ({
    table: (name) => `\`${name}\``,
    emailTo: (c) => `JSON_VALUE(${c}, '$.to')`,
    toInt: (e) => `CAST(${e} AS SIGNED)`,
    hour: (c) => `DATE_FORMAT(${c}, '%Y-%m-%d %H:00:00')`,
    day: (c) => `DATE(${c})`,
    param: () => '?',
  }),
};

/** Pub/Sub's own dead-letter policy forwarded it: it carries no notifier_failure_code. */

const attribute = (name: string) => `JSON_VALUE(attributes, '$.${name}')`;

const channelNames = (column: string) =>
  `CASE ${column} ${(Object.keys(CHANNELS) as ChannelName[]).map((n) => `WHEN ${CHANNELS[n]} THEN '${n}'`).join(' ')} END`;

/** Columns every failure row has, from either table (poison rows have no notification fields). */
function failureColumns(d: Dialect, poison: boolean): string {
  const n = (expr: string) => (poison ? 'NULL' : expr);
  return [
    `${n('notification_id')} AS notification_id`,
    `${n(channelNames('channel'))} AS channel`,
    `${n('type')} AS type`,
    `${n('account_id')} AS account_id`,
    `${n('source')} AS source`,
    `${n(d.emailTo('email'))} AS email_to`,
    `COALESCE(${attribute(FAILURE_ATTRIBUTES.code)}, '${PUBSUB_DEAD_LETTER}') AS failure_code`,
    `${attribute(FAILURE_ATTRIBUTES.failureClass)} AS failure_class`,
    `COALESCE(${d.toInt(attribute(FAILURE_ATTRIBUTES.attempts))}, ${d.toInt(attribute('CloudPubSubDeadLetterSourceDeliveryCount'))}) AS attempts`,
    `${attribute(FAILURE_ATTRIBUTES.error)} AS error`,
    `CASE WHEN ${attribute(FAILURE_ATTRIBUTES.code)} IS NULL THEN 'pubsub' ELSE 'notifier' END AS dead_lettered_by`,
    `${attribute(REPLAY_OF_ATTRIBUTE)} AS replay_of`,
    `${attribute(TARGET_ATTRIBUTE)} AS target`,
    `COALESCE(${attribute(FAILURE_ATTRIBUTES.sourceMessageId)}, message_id) AS source_message_id`,
    `${n('created_at_micros')} AS created_at`,
    `${n('expires_at_micros')} AS expires_at`,
    `${poison ? "'poison'" : "'notification'"} AS payload`,
    'message_id',
    'publish_time AS failed_at',
  ].join(',\n      ');
}

/**
 * One row per failed (notification_id, channel) — per contact for a routed notification's
 * messages (`target`) — the latest record winning, since dead-lettering is best effort and
 * can repeat; and one per poison message. `where`
 * restricts both scans (the partition filter belongs here, before deduplication).
 */
export function failedNotificationsSql(d: Dialect, tables: Tables, where = ''): string {
  const scan = (table: string, poison: boolean) =>
    `    SELECT\n      ${failureColumns(d, poison)}\n    FROM ${d.table(table)}${where ? `\n    WHERE ${where}` : ''}`;
  return `SELECT * FROM (
  SELECT failures.*,
    ROW_NUMBER() OVER (
      PARTITION BY payload, COALESCE(notification_id, source_message_id), COALESCE(target, channel)
      ORDER BY failed_at DESC, message_id DESC
    ) AS nth_record
  FROM (
${scan(tables.deadLetters, false)}
    UNION ALL
${scan(tables.poison, true)}
  ) AS failures
) AS latest
WHERE nth_record = 1`;
}

export interface BuiltQuery {
  sql: string;
  /** Named for BigQuery; in order of the placeholders for MySQL. */
  params: Record<string, unknown>;
  order: string[];
}

const FILTER_COLUMNS: [keyof FailureFilters, string][] = [
  ['channel', 'channel'],
  ['type', 'type'],
  ['code', 'failure_code'],
  ['account', 'account_id'],
  ['notificationId', 'notification_id'],
  ['target', 'target'],
];

/** The filtered failure rows; `columns` and `tail` shape the list, summary or replay query. */
function filtered(dialect: DialectName, tables: Tables, f: FailureFilters, shape: (inner: string, d: Dialect) => string): BuiltQuery {
  const d = DIALECTS[dialect](tables);
  // The time filter appears once per scanned table; MySQL's positional placeholders need it twice.
  const params: Record<string, unknown> = { since: f.since };
  const order = ['since', 'since'];
  const conditions: string[] = [];
  for (const [key, column] of FILTER_COLUMNS) {
    if (f[key] === undefined) continue;
    conditions.push(`${column} = ${d.param(key)}`);
    params[key] = f[key];
    order.push(key);
  }
  const inner = failedNotificationsSql(d, tables, `publish_time >= ${d.param('since')}`);
  const where = conditions.length ? `\nWHERE ${conditions.join(' AND ')}` : '';
  let sql = shape(`SELECT * FROM (\n${inner}\n) AS failed${where}`, d);
  if (f.limit !== undefined) {
    sql += `\nLIMIT ${d.param('limit')}`;
    params.limit = f.limit;
    order.push('limit');
  }
  return { sql, params, order };
}

const LIST_COLUMNS =
  'failed_at, notification_id, channel, type, account_id, source, failure_code, attempts, dead_lettered_by, error, payload, source_message_id';

/** The most recent failures, newest first. */
export function listQuery(dialect: DialectName, tables: Tables, f: FailureFilters): BuiltQuery {
  return filtered(dialect, tables, f, (q) => `SELECT ${LIST_COLUMNS} FROM (\n${q}\n) AS rows_\nORDER BY failed_at DESC`);
}

/** Counts by channel × type × failure code × source, largest first. */
export function summaryQuery(dialect: DialectName, tables: Tables, f: FailureFilters): BuiltQuery {
  return filtered(
    dialect,
    tables,
    { ...f, limit: undefined },
    (q) => `SELECT channel, type, failure_code, source, COUNT(*) AS failures, MIN(failed_at) AS first_failed_at, MAX(failed_at) AS last_failed_at
FROM (\n${q}\n) AS rows_
GROUP BY channel, type, failure_code, source
ORDER BY failures DESC, last_failed_at DESC`,
  );
}

/** The failed notifications to replay (never poison), oldest failure first; `target` tells a routed contact's apart. */
export function replayQuery(dialect: DialectName, tables: Tables, f: FailureFilters): BuiltQuery {
  return filtered(
    dialect,
    tables,
    f,
    (q) => `SELECT failed_at, notification_id, channel, failure_code, message_id, source_message_id, payload, target FROM (\n${q}\n) AS rows_\nORDER BY failed_at ASC`,
  );
}

/** The dead-letter rows (every proto column) of the given records, within the same time filter. */
export function deadLetterRowsQuery(dialect: DialectName, tables: Tables, since: Date, messageIds: string[]): BuiltQuery {
  const d = DIALECTS[dialect](tables);
  const ids = dialect === 'bigquery' ? 'UNNEST(@ids)' : '(?)';
  return {
    sql: `SELECT * FROM ${d.table(tables.deadLetters)} WHERE publish_time >= ${d.param('since')} AND message_id IN ${ids}`,
    params: { since, ids: messageIds },
    order: ['since', 'ids'],
  };
}

/** The analyst views, for Terraform's templatefile (`${project}`, `${dataset}`). */
export function viewSql(): Record<string, string> {
  const tables: Tables = { dataset: '${project}.${dataset}', deadLetters: 'dead_letters', poison: 'poison_messages' };
  const d = DIALECTS.bigquery(tables);
  const failed = failedNotificationsSql(d, tables);
  return {
    'failed_notifications.sql': `-- One row per failed (notification_id, channel), latest record wins; one per poison message.
-- Generated by npm run gen:bq-schema from src/failures/query.ts.
SELECT * EXCEPT (nth_record) FROM (
${failed}
)
`,
    'failure_summary.sql': `-- Failures by hour and day x channel x type x failure code x source service; poison included.
-- Generated by npm run gen:bq-schema from src/failures/query.ts.
SELECT ${d.hour('failed_at')} AS hour, ${d.day('failed_at')} AS day, channel, type, failure_code, source, payload,
  COUNT(*) AS failures
FROM \`\${project}.\${dataset}.failed_notifications\`
GROUP BY hour, day, channel, type, failure_code, source, payload
`,
  };
}
