/** A template's parts (subject, html, body …): each a parsed Liquid template, and rendering them. */
import type { Template } from 'liquidjs';
import { CatalogueError } from './errors';
import { liquidFor, type Escaping } from './liquid-engine';
import type { TemplateParts } from './types';

/** One part of a rendering, parsed. */
export interface CompiledPart {
  part: keyof TemplateParts;
  /** The file (and front matter key) it comes from, for messages. */
  source: string;
  escaping: Escaping;
  /** Subject and title: one line. */
  singleLine: boolean;
  template: Template[];
}

/** The parts of one channel in one file locale, and the digest of the files behind them. */
export interface LocaleFiles {
  locale: string;
  digest: string;
  parts: readonly CompiledPart[];
}

/** A part failed to render; `source` names its file. */
export class PartRenderError extends Error {
  constructor(readonly source: string, readonly failure: unknown) {
    super(`${source}: ${(failure as Error)?.message ?? String(failure)}`);
    this.name = 'PartRenderError';
  }
}

/**
 * `text` parsed for `part`. A Liquid parse error, or a variable read that template.json does
 * not declare (loop and assigned variables are the template's own), is a CatalogueError.
 */
export function parsePart(text: string, source: string, part: keyof TemplateParts, escaping: Escaping, declared: ReadonlySet<string>): CompiledPart {
  const liquid = liquidFor(escaping);
  let template: Template[];
  let used: string[];
  try {
    template = liquid.parse(text);
    used = liquid.globalVariablesSync(template);
  } catch (err) {
    throw new CatalogueError(`${source}: ${(err as Error).message}`, { cause: err });
  }
  const undeclared = used.filter((name) => !declared.has(name));
  if (undeclared.length) {
    throw new CatalogueError(`${source}: uses ${undeclared.join(', ')}, not declared in template.json "variables"`);
  }
  return { part, source, escaping, singleLine: part === 'subject' || part === 'title', template };
}

/** CR, LF and tab runs (with the spaces around them) become one space: a header or a title is one line. */
export function oneLine(text: string): string {
  return text.replace(/[ \r\n\t]*[\r\n\t][ \r\n\t]*/g, ' ').trim();
}

/** The rendered parts; throws PartRenderError naming the part's file. */
export function renderParts(files: LocaleFiles, scope: Record<string, unknown>): TemplateParts {
  const parts: TemplateParts = {};
  for (const p of files.parts) {
    let text: string;
    try {
      text = String(liquidFor(p.escaping).renderSync(p.template, scope));
    } catch (err) {
      throw new PartRenderError(p.source, err);
    }
    parts[p.part] = p.singleLine ? oneLine(text) : text.trim();
  }
  return parts;
}
