/** The catalogue object over compiled versions: lookup by id and version, listing, rendering. */
import { missingMessage, renderRequest } from './render-request';
import type { CompiledVersion } from './load-version';
import type { Catalogue, TemplateVersionInfo } from './types';

interface Entry {
  compiled: CompiledVersion;
  info: TemplateVersionInfo;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** A Catalogue over `versions` (sorted by id then version); the highest version of an id is its latest. */
export function makeCatalogue(dir: string, defaultLocale: string, versions: readonly CompiledVersion[]): Catalogue {
  const grouped = new Map<string, CompiledVersion[]>();
  for (const compiled of versions) grouped.set(compiled.info.id, [...(grouped.get(compiled.info.id) ?? []), compiled]);
  const byId = new Map<string, Map<number, Entry>>();
  const all: TemplateVersionInfo[] = [];
  for (const [id, compiledVersions] of grouped) {
    const latest = Math.max(...compiledVersions.map((c) => c.info.version));
    const entries = new Map<number, Entry>();
    for (const compiled of compiledVersions) {
      const info = deepFreeze({ ...compiled.info, latest: compiled.info.version === latest });
      entries.set(info.version, { compiled, info });
      all.push(info);
    }
    byId.set(id, entries);
  }
  Object.freeze(all);

  const resolve = (id: string, version: number | undefined): Entry | { missing: string } => {
    const entries = byId.get(id);
    if (!entries) return { missing: missingMessage(id, version, undefined) };
    const wanted = version === undefined || version === 0 ? Math.max(...entries.keys()) : version;
    return entries.get(wanted) ?? { missing: missingMessage(id, version, [...entries.keys()]) };
  };

  return Object.freeze({
    dir,
    defaultLocale,
    describe: (id: string, version?: number) => {
      const found = resolve(id, version);
      return 'info' in found ? found.info : undefined;
    },
    list: () => all,
    render: (req) => {
      const found = resolve(req.id, req.version);
      return renderRequest(req, 'info' in found ? { version: found.compiled } : found, defaultLocale);
    },
  } satisfies Catalogue);
}
