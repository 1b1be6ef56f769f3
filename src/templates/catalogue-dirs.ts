/**
 * Which entries of a catalogue directory are templates, versions and layouts. Client-safe
 * (node built-ins only): the manifest and the full loader see the same tree.
 */
import { readdirSync, statSync, type Dirent } from 'node:fs';
import path from 'node:path';

/** A template ID: the characters of a notification type (codec/validate.ts TEMPLATE_ID). */
export const TEMPLATE_ID = /^[a-z0-9][a-z0-9_.-]{0,127}$/;
/** A version directory: a positive integer without leading zeros. */
export const VERSION_DIR = /^[1-9][0-9]{0,8}$/;
/** The catalogue's settings file, at its root. */
export const CATALOGUE_FILE = 'catalogue.json';
/** Email layouts (`layouts/<name>.mjml`); reserved, so no template can be called `layouts`. */
export const LAYOUTS_DIR = 'layouts';

/** One template version's directory. */
export interface VersionDir {
  id: string;
  version: number;
  dir: string;
}

/** Makes the error a caller throws: `file` is the path at fault, `problem` what is wrong with it. */
export type Fail = (file: string, problem: string) => Error;

/**
 * Every template version under `root`, by id then version. Files beside the template
 * directories (a README) and hidden entries are ignored; a directory whose name is not an ID
 * or a version, or a template without versions, is an error.
 */
export function listVersionDirs(root: string, fail: Fail): VersionDir[] {
  const found: VersionDir[] = [];
  for (const entry of visibleEntries(root, fail)) {
    if (!isDirectory(root, entry) || entry.name === LAYOUTS_DIR) continue;
    const templateDir = path.join(root, entry.name);
    if (!TEMPLATE_ID.test(entry.name)) throw fail(templateDir, 'is not a template ID (a-z, 0-9, ".", "_", "-"; up to 128)');
    const versions = visibleEntries(templateDir, fail).filter((v) => isDirectory(templateDir, v));
    if (versions.length === 0) throw fail(templateDir, 'has no version directory (1/, 2/, …)');
    for (const v of versions) {
      const dir = path.join(templateDir, v.name);
      if (!VERSION_DIR.test(v.name)) throw fail(dir, 'is not a version (a positive integer)');
      found.push({ id: entry.name, version: Number(v.name), dir });
    }
  }
  return found.sort((a, b) => (a.id === b.id ? a.version - b.version : a.id < b.id ? -1 : 1));
}

/** The directory's entries but hidden ones (.DS_Store, .gitkeep), sorted by name. */
export function visibleEntries(dir: string, fail: Fail): Dirent[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    throw fail(dir, `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return entries.filter((e) => !e.name.startsWith('.')).sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** Symbolic links count as what they point to (a deployment may link a shared layout). */
export function isDirectory(dir: string, entry: Dirent): boolean {
  if (entry.isSymbolicLink()) return statSync(path.join(dir, entry.name), { throwIfNoEntry: false })?.isDirectory() ?? false;
  return entry.isDirectory();
}
