/**
 * The variables and channels of every template version, for producers that check data before
 * publishing. Client-safe: reads template.json files and file names only (no Liquid, no MJML).
 */
import path from 'node:path';
import { listVersionDirs, visibleEntries, type Fail } from './catalogue-dirs';
import { parseChannelFileName } from './channel-files';
import { readTemplateJson } from './template-json';

/** What a producer can check of one template version. */
export interface ManifestEntry {
  version: number;
  variables: Readonly<Record<string, string>>;
  /** The channels it has files for (EMAIL, SMS, …); a webhook gets the data on any template. */
  channels: ReadonlySet<string>;
}

/** The declared variables and channels of a catalogue's template versions. */
export interface TemplateManifest {
  /** Resolves version (undefined/0 → latest); undefined when the id or version is unknown. */
  describe(id: string, version?: number): ManifestEntry | undefined;
}

const fail: Fail = (file, problem) => new Error(`${file}: ${problem}`);

/** Reads every `<id>/<version>/template.json` under `dir` now; throws Error naming the file when one is unreadable or invalid. */
export function readManifest(dir: string): TemplateManifest {
  const byId = new Map<string, Map<number, ManifestEntry>>();
  for (const v of listVersionDirs(dir, fail)) {
    const { variables } = readTemplateJson(path.join(v.dir, 'template.json'), fail);
    const channels = new Set(visibleEntries(v.dir, fail).flatMap((e) => parseChannelFileName(e.name)?.kind.channel ?? []));
    const versions = byId.get(v.id) ?? new Map<number, ManifestEntry>();
    versions.set(v.version, { version: v.version, variables, channels });
    byId.set(v.id, versions);
  }
  return {
    describe(id, version) {
      const versions = byId.get(id);
      if (!versions) return undefined;
      return versions.get(version === undefined || version === 0 ? Math.max(...versions.keys()) : version);
    },
  };
}
