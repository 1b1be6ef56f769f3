import type { SimpleCatalogProto } from '@fivetrandevelopers/zetasql/lib/types/zetasql/SimpleCatalogProto';
import type { SimpleColumnProto } from '@fivetrandevelopers/zetasql/lib/types/zetasql/SimpleColumnProto';
import { BIGQUERY_LANGUAGE } from './language';

/** A table or view of the catalog, by its path (`project`, `dataset`, `table`). */
export interface CatalogTable {
  path: string[];
  columns: SimpleColumnProto[];
}

/**
 * Every way to write a path in BigQuery, which splits backticked names at dots, while
 * ZetaSQL takes `a.b.c` as one name: a.b.c → a.b.c, `a.b`.c, a.`b.c`, `a.b.c`.
 */
function spellings(path: string[]): string[][] {
  const [head, ...rest] = path;
  if (!rest.length) return [path];
  return spellings(rest).flatMap(([next, ...others]) => [
    [head!, next!, ...others],
    [`${head}.${next}`, ...others],
  ]);
}

interface Node {
  tables: Map<string, SimpleColumnProto[]>;
  catalogs: Map<string, Node>;
}

const emptyNode = (): Node => ({ tables: new Map(), catalogs: new Map() });

function place(root: Node, path: string[], columns: SimpleColumnProto[]): void {
  let node = root;
  for (const name of path.slice(0, -1)) {
    if (!node.catalogs.has(name)) node.catalogs.set(name, emptyNode());
    node = node.catalogs.get(name)!;
  }
  node.tables.set(path.at(-1)!, columns);
}

function proto(name: string, node: Node): SimpleCatalogProto {
  return {
    name,
    table: [...node.tables].map(([table, column]) => ({ name: table, column })),
    catalog: [...node.catalogs].map(([child, n]) => proto(child, n)),
  };
}

/**
 * The catalog the analyzer resolves names in: each table under every spelling of its full
 * path (only the full one: the shipped SQL never relies on a default project), and
 * BigQuery's built-in functions.
 */
export function catalogProto(tables: Iterable<CatalogTable>): SimpleCatalogProto {
  const root = emptyNode();
  for (const { path, columns } of tables) {
    for (const spelling of spellings(path)) place(root, spelling, columns);
  }
  return { ...proto('bigquery', root), builtinFunctionOptions: { languageOptions: BIGQUERY_LANGUAGE } };
}
