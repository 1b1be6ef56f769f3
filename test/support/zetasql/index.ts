/**
 * BigQuery SQL checked by a real analyzer of its dialect, GoogleSQL (ZetaSQL, its open-source
 * implementation): names, types, functions and parameters are resolved against the tables
 * Terraform creates, without BigQuery.
 */
import { BigQuery } from '@google-cloud/bigquery';
import type { AnalyzerOptionsProto } from '@fivetrandevelopers/zetasql/lib/types/zetasql/AnalyzerOptionsProto';
import type { TypeProto } from '@fivetrandevelopers/zetasql/lib/types/zetasql/TypeProto';
import { CatalogTable, catalogProto } from './catalog';
import { BIGQUERY_LANGUAGE } from './language';
import { startAnalyzerServer } from './server';
import { parameterType, ParameterType, SchemaField, schemaFieldType, typeName } from './types';

export { typeName } from './types';

export interface Column {
  name: string;
  /** GoogleSQL spelling, e.g. `STRING`, `ARRAY<INT64>`. */
  type: string;
  proto: TypeProto;
}

export interface Analyzer {
  /** The output columns of a query, or an error with the analyzer's message. */
  analyze(sql: string, params?: Record<string, unknown>): Promise<Column[]>;
  /** Adds a table (or an analyzed view) at `project.dataset.table`; one name, one table, as in BigQuery. */
  addTable(path: string, columns: { name: string; proto: TypeProto }[]): void;
  /** The table paths a query reads, as written. */
  tablesRead(sql: string): Promise<string[]>;
  stop(): Promise<void>;
}

export const schemaColumns = (fields: SchemaField[]) => fields.map((f) => ({ name: f.name, proto: schemaFieldType(f) }));

/**
 * A parameter's type, as production declares it: bigquery-store.ts sends a Date as
 * BigQuery.timestamp, and the client library derives every type from the value.
 */
function declared(name: string, value: unknown): { name: string; type: TypeProto } {
  const sent = value instanceof Date ? BigQuery.timestamp(value) : value;
  return { name, type: parameterType(BigQuery.getTypeDescriptorFromValue_(sent) as ParameterType) };
}

function options(params: Record<string, unknown>): AnalyzerOptionsProto {
  return {
    languageOptions: BIGQUERY_LANGUAGE,
    queryParameters: Object.entries(params).map(([name, value]) => declared(name, value)),
    // The message names the line and marks the spot, so a failing test shows where.
    errorMessageMode: 'ERROR_MESSAGE_MULTI_LINE_WITH_CARET',
  };
}

/** BigQuery refuses results with two columns of one name (ZetaSQL allows them in queries). */
function checkColumnNames(columns: Column[]): void {
  const seen = new Set<string>();
  for (const { name } of columns) {
    const key = name.toLowerCase();
    if (seen.has(key)) throw new Error(`Duplicate column names in the result are not supported in BigQuery. Found duplicate(s): ${name}`);
    seen.add(key);
  }
}

const analyzerMessage = (err: unknown) => (err as { details?: string }).details || (err as Error).message;

export async function startAnalyzer(): Promise<Analyzer> {
  const server = await startAnalyzerServer();
  const tables = new Map<string, CatalogTable>();
  return {
    async analyze(sql, params = {}) {
      let response;
      try {
        response = await server.client.analyze({ options: options(params), simpleCatalog: catalogProto(tables.values()), sqlStatement: sql });
      } catch (err) {
        throw new Error(`ZetaSQL rejects it: ${analyzerMessage(err)}`);
      }
      const query = response?.resolvedStatement?.resolvedQueryStmtNode;
      if (!query) throw new Error('ZetaSQL resolved it to something other than a query');
      const columns = query.outputColumnList.map(({ name, column }) => ({ name, type: typeName(column!.type!), proto: column!.type! }));
      checkColumnNames(columns);
      return columns;
    },
    addTable(path, columns) {
      if (tables.has(path)) throw new Error(`${path} is already a table of the catalog`);
      tables.set(path, {
        path: path.split('.'),
        columns: columns.map(({ name, proto }) => ({ name, type: proto })),
      });
    },
    async tablesRead(sql) {
      try {
        const response = await server.client.extractTableNamesFromStatement({ sqlStatement: sql, options: BIGQUERY_LANGUAGE });
        return (response?.tableName ?? []).map((t) => t.tableNameSegment.join('.'));
      } catch (err) {
        throw new Error(`ZetaSQL cannot parse it: ${analyzerMessage(err)}`);
      }
    },
    stop: () => server.stop(),
  };
}
