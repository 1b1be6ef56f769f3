import { BigQuery, BigQueryTimestamp } from '@google-cloud/bigquery';
import { DEAD_LETTER_TABLE, POISON_TABLE } from './local-tables';
import { BuiltQuery, listQuery, replayQuery, summaryQuery, Tables } from './query';
import { FailureStore, queryMethods, Row } from './store';

/** BigQuery values → plain JS: timestamps as ISO strings (microseconds kept). */
function plain(value: unknown): unknown {
  if (value instanceof BigQueryTimestamp) return value.value;
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object' && !(value instanceof Buffer)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

/** The failure tables the BigQuery subscriptions write, in `project.dataset`. */
export function makeBigQueryFailureStore(opts: { dataset: string; projectId?: string; bigquery?: BigQuery; location?: string }): FailureStore {
  const bigquery = opts.bigquery ?? new BigQuery({ projectId: opts.projectId ?? opts.dataset.split('.')[0] });
  const tables: Tables = { dataset: opts.dataset, deadLetters: DEAD_LETTER_TABLE, poison: POISON_TABLE };
  const params = (q: BuiltQuery) =>
    Object.fromEntries(Object.entries(q.params).map(([k, v]) => [k, v instanceof Date ? BigQuery.timestamp(v) : v]));
  const run = async (q: BuiltQuery): Promise<Row[]> => {
    const [rows] = await bigquery.query({ query: q.sql, params: params(q), location: opts.location });
    return (rows as Row[]).map((r) => plain(r) as Row);
  };
  const queries = { summary: summaryQuery, list: listQuery, replay: replayQuery };
  return {
    name: `BigQuery ${opts.dataset}`,
    ...queryMethods('bigquery', tables, run),
    async estimateBytes(kind, f) {
      const q = queries[kind]('bigquery', tables, f);
      const [job] = await bigquery.createQueryJob({ query: q.sql, params: params(q), dryRun: true, location: opts.location });
      return Number(job.metadata?.statistics?.totalBytesProcessed ?? 0);
    },
    async close() {},
  };
}
