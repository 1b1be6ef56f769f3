/**
 * Every BigQuery SQL text the project ships, analyzed by ZetaSQL (GoogleSQL's analyzer)
 * against the tables Terraform creates: the views, the CLI's queries, the documents' examples.
 * BigQuery itself cannot run here; see test/support/zetasql for what is and is not checked.
 */
import { FailureFilters } from '../../src/failures/filters';
import { DEAD_LETTER_TABLE, POISON_TABLE } from '../../src/failures/local-tables';
import { deadLetterRowsQuery, listQuery, replayQuery, summaryQuery, Tables } from '../../src/failures/query';
import { Analyzer, Column, startAnalyzer } from '../support/zetasql';
import { addSchemaTables, analyzeViews, DATASET, readmeQueries, readSchema, renderedView, titleOf, viewFiles, ViewOutcome } from '../support/zetasql/shipped';
import { schemaFieldType, typeName } from '../support/zetasql/types';

const SINCE = new Date('2026-11-21T00:00:00Z');
/** As the BigQuery failure store names them for `--dataset proj.failures`. */
const TABLES: Tables = { dataset: DATASET, deadLetters: DEAD_LETTER_TABLE, poison: POISON_TABLE };

let analyzer: Analyzer;
let views: Map<string, ViewOutcome>;

beforeAll(async () => {
  analyzer = await startAnalyzer();
  addSchemaTables(analyzer);
  views = await analyzeViews(analyzer);
});

afterAll(() => analyzer?.stop());

const typesOf = (columns: Column[]) => Object.fromEntries(columns.map((c) => [c.name, c.type]));
const pick = (types: Record<string, string>, names: string[]) => Object.fromEntries(names.map((n) => [n, types[n]]));

function viewColumns(file: string): Column[] {
  const outcome = views.get(file);
  if (!outcome) throw new Error(`terraform/views/${file} was not analyzed`);
  if ('error' in outcome) throw new Error(`terraform/views/${file}: ${outcome.error.message}`);
  return outcome.columns;
}

/** A failure row: the failed_notifications view, and what the CLI's queries select from. */
const FAILURE_ROW: Record<string, string> = {
  notification_id: 'STRING',
  channel: 'STRING',
  type: 'STRING',
  account_id: 'STRING',
  source: 'STRING',
  email_to: 'STRING',
  failure_code: 'STRING',
  failure_class: 'STRING',
  attempts: 'INT64',
  error: 'STRING',
  dead_lettered_by: 'STRING',
  replay_of: 'STRING',
  target: 'STRING',
  source_message_id: 'STRING',
  created_at: 'TIMESTAMP',
  expires_at: 'TIMESTAMP',
  payload: 'STRING',
  message_id: 'STRING',
  failed_at: 'TIMESTAMP',
};

describe('terraform/views, each analyzed after the views it reads', () => {
  test.each(viewFiles())('when terraform/views/%s is rendered for a dataset, then ZetaSQL resolves it against the tables and views it reads', (file) => {
    expect(viewColumns(file).length).toBeGreaterThan(0);
  });

  test('when failed_notifications is read, then every failure column has its type and the deduplication counter is gone', () => {
    expect(typesOf(viewColumns('failed_notifications.sql'))).toEqual(FAILURE_ROW);
  });

  test('when failure_summary is read, then failures are counted by hour, day, channel, type, code, source and payload', () => {
    expect(typesOf(viewColumns('failure_summary.sql'))).toEqual({
      hour: 'TIMESTAMP',
      day: 'DATE',
      ...pick(FAILURE_ROW, ['channel', 'type', 'failure_code', 'source', 'payload']),
      failures: 'INT64',
    });
  });
});

describe('the CLI queries against BigQuery (src/failures/query.ts), parameters typed as the client library sends them', () => {
  const SHAPES = {
    list: {
      build: listQuery,
      columns: pick(FAILURE_ROW, ['failed_at', 'notification_id', 'channel', 'type', 'account_id', 'source', 'failure_code', 'attempts', 'dead_lettered_by', 'error', 'payload', 'source_message_id']),
    },
    summary: {
      build: summaryQuery,
      columns: { ...pick(FAILURE_ROW, ['channel', 'type', 'failure_code', 'source']), failures: 'INT64', first_failed_at: 'TIMESTAMP', last_failed_at: 'TIMESTAMP' },
    },
    replay: {
      build: replayQuery,
      columns: pick(FAILURE_ROW, ['failed_at', 'notification_id', 'channel', 'failure_code', 'message_id', 'source_message_id', 'payload', 'target']),
    },
  };
  const EVERY_FILTER = { channel: 'EMAIL', type: 'order.shipped', code: 'ATTEMPTS_EXHAUSTED', account: 'acct-1', notificationId: 'n-1', target: 'EMAIL:0a1b2c3d' } as const;
  /** The filter combinations test/unit/failures/query.test.ts builds, and all of them at once. */
  const FILTER_SETS: Omit<FailureFilters, 'since'>[] = [
    {},
    ...Object.entries(EVERY_FILTER).map(([key, value]) => ({ [key]: value })),
    { channel: 'EMAIL', type: 't', code: 'C', account: 'a', limit: 20 },
    { channel: 'EMAIL', code: 'C', limit: 3 },
    { type: 't', account: 'a' },
    { code: 'ATTEMPTS_EXHAUSTED', limit: 100 },
    { limit: 5 },
    { ...EVERY_FILTER, limit: 20 },
  ];
  const cases = (Object.keys(SHAPES) as (keyof typeof SHAPES)[]).flatMap((kind) =>
    FILTER_SETS.map((filters) => [kind, Object.keys(filters).join(', ') || 'the time window only', filters] as const),
  );

  test.each(cases)('when the %s query filters by %s, then ZetaSQL resolves it to the columns the CLI reads', async (kind, _, filters) => {
    const { build, columns } = SHAPES[kind];
    const q = build('bigquery', TABLES, { since: SINCE, ...filters });
    expect(typesOf(await analyzer.analyze(q.sql, q.params))).toEqual(columns);
  });

  test('when a replay fetches its dead-letter rows by message id, then ZetaSQL resolves them to every dead_letters column', async () => {
    const q = deadLetterRowsQuery('bigquery', TABLES, SINCE, ['1', '2']);
    const expected = Object.fromEntries(readSchema('dead_letters.json').map((f) => [f.name, typeName(schemaFieldType(f))]));
    expect(typesOf(await analyzer.analyze(q.sql, q.params))).toEqual(expected);
  });
});

describe("the BigQuery examples of README.md and docs/*.md, against the views", () => {
  test('when the documents are read, then the guides that hold BigQuery examples give them (so the checks below are not vacuous)', () => {
    const files = new Set(readmeQueries().map((q) => q.file));
    expect([...files].sort()).toEqual(expect.arrayContaining(['docs/analysts.md', 'docs/channels.md']));
  });

  test.each(readmeQueries().map((q) => [q.file, q.line, titleOf(q), q.sql] as const))(
    'when the example at %s line %i (%s) is run, then ZetaSQL resolves it',
    async (_file, _line, _title, sql) => {
      expect((await analyzer.analyze(sql)).length).toBeGreaterThan(0);
    },
  );
});

describe('the analyzer really checks (so the tests above cannot pass vacuously)', () => {
  test('when a view reads a column its table lacks, then ZetaSQL rejects it naming the column', async () => {
    const sql = renderedView('failed_notifications.sql');
    expect(sql).toContain('publish_time AS failed_at');
    await expect(analyzer.analyze(sql.replace('publish_time AS failed_at', 'published_at AS failed_at'))).rejects.toThrow(
      /Unrecognized name: published_at/,
    );
  });

  test('when a query uses a parameter it is not given, then ZetaSQL rejects it', async () => {
    const q = listQuery('bigquery', TABLES, { since: SINCE, channel: 'EMAIL' });
    await expect(analyzer.analyze(q.sql, { since: SINCE })).rejects.toThrow(/Query parameter 'channel' not found/);
  });

  test('when the limit is not a whole number, then ZetaSQL rejects it as BigQuery would (a FLOAT64 parameter)', async () => {
    const q = listQuery('bigquery', TABLES, { since: SINCE, limit: 2.5 });
    await expect(analyzer.analyze(q.sql, q.params)).rejects.toThrow(/LIMIT/);
  });

  test('when a type BigQuery lacks is used, then ZetaSQL rejects it (external product mode)', async () => {
    await expect(analyzer.analyze('SELECT CAST(1 AS INT32) AS n')).rejects.toThrow(/INT32/);
  });

  test('when a result has two columns of one name, then it is rejected as BigQuery would', async () => {
    await expect(analyzer.analyze(`SELECT message_id, message_id FROM \`${DATASET}.${DEAD_LETTER_TABLE}\``)).rejects.toThrow(
      /Duplicate column names/,
    );
  });
});
