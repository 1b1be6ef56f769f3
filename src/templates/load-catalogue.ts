/** Loading a templates directory: catalogue.json, layouts/, then every template version. */
import { statSync } from 'node:fs';
import path from 'node:path';
import { CATALOGUE_FILE, LAYOUTS_DIR, isDirectory, listVersionDirs, visibleEntries, type Fail } from './catalogue-dirs';
import { makeCatalogue } from './catalogue';
import { CatalogueError } from './errors';
import { loadVersion, type CatalogueContext } from './load-version';
import { canonicalLocale } from './locales';
import { checkedHtml, readLayout, type EmailDocument, type Layout } from './mjml-email';
import { compileMjml } from './mjml-compiler';
import { LAYOUT_NAME, checkKeys, readJson, readText } from './template-json';
import type { Catalogue } from './types';

/**
 * Reads, checks and compiles every template under `dir` (MJML included), synchronously.
 * Throws CatalogueError naming the file (or the directory, when it is missing).
 */
export function loadCatalogue(dir: string): Catalogue {
  const root = path.resolve(dir);
  if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) throw new CatalogueError(`${root}: templates directory not found`);
  // Paths in messages start at the templates directory's own name: `templates/order.shipped/1/sms.en.liquid`.
  const display = (file: string) => path.relative(path.dirname(root), file);
  const fail: Fail = (file, problem) => new CatalogueError(`${display(file)}: ${problem}`);
  const catalogueFile = path.join(root, CATALOGUE_FILE);
  const settings = checkKeys(readJson(catalogueFile, fail), ['defaultLocale'], catalogueFile, fail);
  const defaultLocale = settings.defaultLocale;
  if (typeof defaultLocale !== 'string' || canonicalLocale(defaultLocale) !== defaultLocale) {
    throw fail(catalogueFile, '"defaultLocale" must be a canonical BCP 47 language tag, e.g. "en"');
  }
  const base = { defaultLocale, layouts: readLayouts(root, fail, display), display, fail };
  const load = (emailHtml: CatalogueContext['emailHtml']) => listVersionDirs(root, fail).map((v) => loadVersion(v, { ...base, emailHtml }));
  // Twice: first with each email's MJML standing in for its HTML (Liquid parses and renders
  // it alike), which checks everything else and collects the documents; then with them all
  // compiled in one batch, out of process.
  const documents = new Map<string, EmailDocument>();
  const checked = load((doc) => {
    documents.set(doc.source, doc);
    return doc.source;
  });
  if (documents.size === 0) return makeCatalogue(root, defaultLocale, checked);
  const sources = [...documents.keys()];
  const outcomes = new Map(compileMjml(sources).map((outcome, i) => [sources[i]!, outcome]));
  return makeCatalogue(root, defaultLocale, load((doc) => checkedHtml(doc, outcomes.get(doc.source)!)));
}

/** `layouts/<name>.mjml`, by name; the directory is optional, anything else in it is an error. */
function readLayouts(root: string, fail: Fail, display: (file: string) => string): Map<string, Layout> {
  const layouts = new Map<string, Layout>();
  const dir = path.join(root, LAYOUTS_DIR);
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) return layouts;
  for (const entry of visibleEntries(dir, fail)) {
    const file = path.join(dir, entry.name);
    const name = entry.name.replace(/\.mjml$/, '');
    if (isDirectory(dir, entry) || name === entry.name || !LAYOUT_NAME.test(name)) {
      throw fail(file, 'is not a layout (layouts/<name>.mjml, name of a-z, 0-9, ".", "_", "-")');
    }
    layouts.set(name, readLayout(name, display(file), readText(file, fail).replace(/\r\n?/g, '\n')));
  }
  return layouts;
}
