/**
 * The BigQuery SQL the project ships outside src/: Terraform's tables and views, and the
 * example queries of README.md and docs/*.md. Found by listing the folders, so a new file is
 * checked as soon as it exists.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT, TERRAFORM_DIR } from '../../../src/paths';
import type { Analyzer, Column } from './index';
import { schemaColumns } from './index';
import type { SchemaField } from './types';

/** The dataset the analysis puts every table in; the CLI's `--dataset`, Terraform's project and dataset. */
export const PROJECT = 'proj';
export const DATASET_ID = 'failures';
export const DATASET = `${PROJECT}.${DATASET_ID}`;

const SCHEMAS_DIR = path.join(TERRAFORM_DIR, 'schemas');
const VIEWS_DIR = path.join(TERRAFORM_DIR, 'views');

const filesIn = (dir: string, extension: string) => readdirSync(dir).filter((f) => f.endsWith(extension)).sort();

export const schemaFiles = () => filesIn(SCHEMAS_DIR, '.json');
export const viewFiles = () => filesIn(VIEWS_DIR, '.sql');

export const readSchema = (file: string): SchemaField[] => JSON.parse(readFileSync(path.join(SCHEMAS_DIR, file), 'utf8'));

/** Every terraform/schemas file as a table of DATASET, named like the file (as bigquery.tf names them). */
export function addSchemaTables(analyzer: Analyzer): void {
  for (const file of schemaFiles()) {
    try {
      analyzer.addTable(`${DATASET}.${path.basename(file, '.json')}`, schemaColumns(readSchema(file)));
    } catch (err) {
      throw new Error(`terraform/schemas/${file}: ${(err as Error).message}`);
    }
  }
}

/** A view's query as Terraform's templatefile renders it for DATASET (bigquery.tf passes project and dataset). */
export function renderedView(file: string): string {
  const sql = readFileSync(path.join(VIEWS_DIR, file), 'utf8').replaceAll('${project}', PROJECT).replaceAll('${dataset}', DATASET_ID);
  const unfilled = /[$%]\{[^}]*\}?/.exec(sql);
  if (unfilled) throw new Error(`${unfilled[0]} is template syntax the analysis does not fill (only \${project} and \${dataset})`);
  return sql;
}

export type ViewOutcome = { columns: Column[] } | { error: Error };

interface View {
  file: string;
  sql: string;
  /** The other views it reads (file names). */
  reads: string[];
}

const viewName = (file: string) => path.basename(file, '.sql');

async function loadView(analyzer: Analyzer, file: string, views: Set<string>): Promise<View | Error> {
  try {
    const sql = renderedView(file);
    const read = (await analyzer.tablesRead(sql)).map((table) => `${table.split('.').at(-1)}.sql`);
    return { file, sql, reads: [...new Set(read)].filter((f) => views.has(f) && f !== file) };
  } catch (err) {
    return err as Error;
  }
}

/** Analyzes a view whose views are done; on success it becomes a table other views can read. */
async function analyzeView(analyzer: Analyzer, view: View, done: Map<string, ViewOutcome>): Promise<ViewOutcome> {
  const broken = view.reads.filter((f) => 'error' in done.get(f)!);
  if (broken.length) return { error: new Error(`it reads ${broken.join(', ')}, which does not analyze`) };
  try {
    const columns = await analyzer.analyze(view.sql);
    analyzer.addTable(`${DATASET}.${viewName(view.file)}`, columns);
    return { columns };
  } catch (err) {
    return { error: err as Error };
  }
}

/**
 * Analyzes every terraform/views file, each after the views it reads (BigQuery resolves a
 * view's query against the views it names), adding each to the catalog as a table with the
 * columns the analyzer resolved. The outcome of each file, by file name.
 */
export async function analyzeViews(analyzer: Analyzer): Promise<Map<string, ViewOutcome>> {
  const files = viewFiles();
  const outcomes = new Map<string, ViewOutcome>();
  const pending: View[] = [];
  for (const file of files) {
    const view = await loadView(analyzer, file, new Set(files));
    if (view instanceof Error) outcomes.set(file, { error: view });
    else pending.push(view);
  }
  while (pending.length) {
    const ready = pending.filter((v) => v.reads.every((f) => outcomes.has(f)));
    if (!ready.length) {
      const stuck = pending.map((v) => v.file).join(', ');
      for (const v of pending) outcomes.set(v.file, { error: new Error(`views that read each other, directly or not: ${stuck}`) });
      break;
    }
    for (const view of ready) {
      outcomes.set(view.file, await analyzeView(analyzer, view, outcomes));
      pending.splice(pending.indexOf(view), 1);
    }
  }
  return outcomes;
}

export interface ReadmeQuery {
  /** The document, relative to the package root: README.md or docs/<name>.md. */
  file: string;
  /** 1-based line of the document where the statement (with its comment) starts. */
  line: number;
  sql: string;
}

/** Its first line (the documents comment each example), to name it by. */
export const titleOf = (q: ReadmeQuery) => q.sql.split('\n')[0]!.trim();

const README_DATASET = '`PROJECT.DATASET.';

/** The documents whose examples are checked: README.md and every docs/*.md. */
export const documentFiles = () => ['README.md', ...filesIn(path.join(PACKAGE_ROOT, 'docs'), '.md').map((f) => `docs/${f}`)];

/** The documents' BigQuery examples: the statements of their ```sql blocks that read `PROJECT.DATASET.…` (the others are MySQL). */
export function readmeQueries(): ReadmeQuery[] {
  return documentFiles().flatMap(documentQueries);
}

function documentQueries(file: string): ReadmeQuery[] {
  const lines = readFileSync(path.join(PACKAGE_ROOT, file), 'utf8').split('\n');
  const statements: ReadmeQuery[] = [];
  let current: ReadmeQuery | undefined;
  let inSql = false;
  lines.forEach((text, i) => {
    if (/^```/.test(text)) {
      inSql = !inSql && text.trim() === '```sql';
      current = undefined;
      return;
    }
    if (!inSql || (!current && !text.trim())) return;
    current ??= statements[statements.push({ file, line: i + 1, sql: '' }) - 1]!;
    current.sql += `${text}\n`;
    if (text.trimEnd().endsWith(';')) current = undefined;
  });
  return statements
    .filter((s) => s.sql.includes(README_DATASET))
    .map((s) => ({ ...s, sql: s.sql.replaceAll(README_DATASET, `\`${DATASET}.`) }));
}
