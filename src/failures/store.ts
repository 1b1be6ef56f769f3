import { FailureFilters } from './filters';
import { BuiltQuery, deadLetterRowsQuery, DialectName, listQuery, replayQuery, summaryQuery, Tables } from './query';

/** A row as the failure queries return it (column name → value, already plain JS). */
export type Row = Record<string, unknown>;

/**
 * Where failure records are queried: BigQuery in production, the MySQL stand-in
 * locally. Both run the same SQL from query.ts.
 */
export interface FailureStore {
  readonly name: string;
  summary(f: FailureFilters): Promise<Row[]>;
  list(f: FailureFilters): Promise<Row[]>;
  /** Failed notifications (and poison messages, which cannot be replayed) selected for replay. */
  replayCandidates(f: FailureFilters): Promise<Row[]>;
  /** The full dead-letter rows of these records, to rebuild the notifications from. */
  deadLetterRows(since: Date, messageIds: string[]): Promise<Row[]>;
  /** Bytes the query would scan, without running it (BigQuery only). */
  estimateBytes?(kind: 'summary' | 'list' | 'replay', f: FailureFilters): Promise<number>;
  close(): Promise<void>;
}

/** The query methods of a store, given how it runs one built query. */
export function queryMethods(
  dialect: DialectName,
  tables: Tables,
  run: (q: BuiltQuery) => Promise<Row[]>,
): Pick<FailureStore, 'summary' | 'list' | 'replayCandidates' | 'deadLetterRows'> {
  return {
    summary: (f) => run(summaryQuery(dialect, tables, f)),
    list: (f) => run(listQuery(dialect, tables, f)),
    replayCandidates: (f) => run(replayQuery(dialect, tables, f)),
    deadLetterRows: (since, ids) => run(deadLetterRowsQuery(dialect, tables, since, ids)),
  };
}
