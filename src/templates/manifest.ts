/**
 * The variables of every template version, for producers that check data before publishing.
 * Client-safe: reads template.json files only (no Liquid, no MJML).
 */
import path from 'node:path';
import { listVersionDirs, type Fail } from './catalogue-dirs';
import { readTemplateJson } from './template-json';

/** The declared variables of a catalogue's template versions. */
export interface TemplateManifest {
  /** Resolves version (undefined/0 → latest); undefined when the id or version is unknown. */
  describe(id: string, version?: number): { version: number; variables: Readonly<Record<string, string>> } | undefined;
}

const fail: Fail = (file, problem) => new Error(`${file}: ${problem}`);

/** Reads every `<id>/<version>/template.json` under `dir` now; throws Error naming the file when one is unreadable or invalid. */
export function readManifest(dir: string): TemplateManifest {
  const byId = new Map<string, Map<number, Readonly<Record<string, string>>>>();
  for (const v of listVersionDirs(dir, fail)) {
    const { variables } = readTemplateJson(path.join(v.dir, 'template.json'), fail);
    const versions = byId.get(v.id) ?? new Map<number, Readonly<Record<string, string>>>();
    versions.set(v.version, variables);
    byId.set(v.id, versions);
  }
  return {
    describe(id, version) {
      const versions = byId.get(id);
      if (!versions) return undefined;
      const wanted = version === undefined || version === 0 ? Math.max(...versions.keys()) : version;
      const variables = versions.get(wanted);
      return variables && { version: wanted, variables };
    },
  };
}
