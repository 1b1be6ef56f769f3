/** One version directory (`<id>/<version>/`) read, checked and compiled. */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { isDirectory, visibleEntries, type Fail, type VersionDir } from './catalogue-dirs';
import { FILE_KINDS, TEMPLATE_CHANNELS, fileNamePatterns, parseChannelFileName, type FileKind } from './channel-files';
import { CatalogueError } from './errors';
import { splitFrontMatter } from './front-matter';
import { canonicalLocale, MAX_LOCALE_LENGTH } from './locales';
import { emailDocument, type EmailDocument, type Layout } from './mjml-email';
import { parsePart, type CompiledPart, type LocaleFiles } from './parts';
import { checkSample } from './sample-check';
import { readJson, readTemplateJson, readText } from './template-json';
import type { TemplateChannel, TemplateVersionInfo } from './types';
import { parseVariableSpec, type ParsedVariableSpec } from './variables';

/** What loading a version needs from the catalogue around it. */
export interface CatalogueContext {
  defaultLocale: string;
  layouts: ReadonlyMap<string, Layout>;
  /** The path shown in messages for a file. */
  display(file: string): string;
  fail: Fail;
  /** An email's compiled HTML (load-catalogue.ts compiles every email of the catalogue in one batch). */
  emailHtml(doc: EmailDocument): string;
}

/** A version ready to render; `info.latest` is set by the catalogue. */
export interface CompiledVersion {
  info: Omit<TemplateVersionInfo, 'latest'>;
  variables: ReadonlyMap<string, ParsedVariableSpec>;
  channels: ReadonlyMap<TemplateChannel, ReadonlyMap<string, LocaleFiles>>;
}

interface ChannelFile {
  kind: FileKind;
  file: string;
}

/** Loads `v`; CatalogueError naming the file for any problem (see the checks in the functions below). */
export function loadVersion(v: VersionDir, ctx: CatalogueContext): CompiledVersion {
  const templateFile = path.join(v.dir, 'template.json');
  const json = readTemplateJson(templateFile, ctx.fail);
  const layout = json.layout === undefined ? undefined : ctx.layouts.get(json.layout);
  if (json.layout !== undefined && !layout) throw ctx.fail(templateFile, `layout "${json.layout}" is not in layouts/ (${[...ctx.layouts.keys()].join(', ') || 'none'})`);
  const sample = readJson(path.join(v.dir, 'sample.json'), ctx.fail);
  const variables = new Map(Object.entries(json.variables).map(([name, spec]) => [name, parseVariableSpec(spec)!]));
  const declared = new Set(variables.keys());
  const templateText = readText(templateFile, ctx.fail);
  const channels = new Map<TemplateChannel, Map<string, LocaleFiles>>();
  for (const [channel, byLocale] of groupChannelFiles(v.dir, ctx)) {
    if (!byLocale.has(ctx.defaultLocale)) {
      const main = FILE_KINDS.find((k) => k.channel === channel && k.main)!;
      throw ctx.fail(v.dir, `${channel} has files but none in the default locale (${main.prefix}.${ctx.defaultLocale}.${main.ext})`);
    }
    const compiled = new Map<string, LocaleFiles>();
    for (const [locale, files] of byLocale) {
      const inputs = [{ name: 'template.json', text: templateText }];
      if (channel === 'EMAIL' && layout) inputs.push({ name: `layouts/${layout.name}.mjml`, text: layout.text });
      const parts = files.flatMap((f) => compileFile(f, locale, layout, declared, inputs, ctx));
      compiled.set(locale, { locale, digest: digest(inputs), parts });
    }
    channels.set(channel, compiled);
  }
  checkSample(json.variables, variables, sample, channels, path.join(v.dir, 'sample.json'), ctx);
  const info = {
    id: v.id,
    version: v.version,
    description: json.description,
    ...(json.layout === undefined ? {} : { layout: json.layout }),
    variables: json.variables,
    channels: TEMPLATE_CHANNELS.filter((c) => channels.has(c)).map((channel) => ({ channel, locales: [...channels.get(channel)!.keys()].sort() })),
    sample,
  };
  return { info, variables, channels };
}

/** Channel → file locale → its files, main file first. Unknown files and non-canonical locales are errors. */
function groupChannelFiles(dir: string, ctx: CatalogueContext): Map<TemplateChannel, Map<string, ChannelFile[]>> {
  const groups = new Map<TemplateChannel, Map<string, ChannelFile[]>>();
  for (const entry of visibleEntries(dir, ctx.fail)) {
    const file = path.join(dir, entry.name);
    if (entry.name === 'template.json' || entry.name === 'sample.json') continue;
    const parsed = isDirectory(dir, entry) ? undefined : parseChannelFileName(entry.name);
    if (!parsed) throw ctx.fail(file, `is not a template file (template.json, sample.json, ${fileNamePatterns()})`);
    const canonical = canonicalLocale(parsed.locale);
    if (canonical !== parsed.locale) {
      throw ctx.fail(file, canonical ? `write the locale as ${canonical}` : `"${parsed.locale}" is not a BCP 47 language tag of at most ${MAX_LOCALE_LENGTH} characters`);
    }
    const byLocale = groups.get(parsed.kind.channel) ?? new Map<string, ChannelFile[]>();
    const files = byLocale.get(parsed.locale) ?? [];
    files.push({ kind: parsed.kind, file });
    files.sort((a, b) => Number(b.kind.main) - Number(a.kind.main));
    byLocale.set(parsed.locale, files);
    groups.set(parsed.kind.channel, byLocale);
  }
  for (const byLocale of groups.values()) {
    for (const files of byLocale.values()) {
      if (!files[0]!.kind.main) {
        const main = FILE_KINDS.find((k) => k.channel === files[0]!.kind.channel && k.main)!;
        throw ctx.fail(files[0]!.file, `has no ${main.prefix}.<same locale>.${main.ext} beside it`);
      }
    }
  }
  return groups;
}

/** The parts of one file: its front matter settings, then its body (an email's compiled by MJML first). */
function compileFile(f: ChannelFile, locale: string, layout: Layout | undefined, declared: ReadonlySet<string>, inputs: { name: string; text: string }[], ctx: CatalogueContext): CompiledPart[] {
  const shown = ctx.display(f.file);
  const text = readText(f.file, ctx.fail).replace(/\r\n?/g, '\n');
  inputs.push({ name: path.basename(f.file), text });
  const fm = splitFrontMatter(text, shown, f.kind.settings.map((s) => s.key));
  const parts: CompiledPart[] = [];
  for (const setting of f.kind.settings) {
    const value = fm.attributes[setting.key];
    if (value === undefined) {
      if (setting.required) throw new CatalogueError(`${shown}: front matter "${setting.key}:" is required`);
      continue;
    }
    parts.push(parsePart(value, `${shown} line ${fm.lines[setting.key]} (${setting.key})`, setting.part, 'none', declared));
  }
  if (f.kind.ext === 'mjml') {
    // Parsed as written first: a Liquid error then has the file's line, not the compiled HTML's.
    parsePart(fm.body, shown, f.kind.part, f.kind.escaping, declared);
    parts.push(parsePart(ctx.emailHtml(emailDocument(fm.body, shown, locale, layout)), shown, f.kind.part, f.kind.escaping, declared));
  } else {
    parts.push(parsePart(fm.body, shown, f.kind.part, f.kind.escaping, declared));
  }
  return parts;
}

/** 12 hex of sha256 over the named texts, each framed so that no two file sets hash alike. */
function digest(inputs: readonly { name: string; text: string }[]): string {
  const hash = createHash('sha256');
  for (const { name, text } of inputs) hash.update(`${name}\0${Buffer.byteLength(text)}\0${text}\0`);
  return hash.digest('hex').slice(0, 12);
}
