/**
 * An email's HTML: the body fragment spliced into its layout and compiled by MJML once, at
 * load (mjml-compiler.ts, out of process). The result is HTML with the body's Liquid still in
 * it, parsed as a template after.
 */
import { CatalogueError } from './errors';
import { compileMjml, MjmlOutcome } from './mjml-compiler';

/** The line of a layout where a template's email body goes. */
export const CONTENT_MARKER = '<!-- content -->';

/** A layout: its text and the 0-based index of its content line. */
export interface Layout {
  name: string;
  file: string;
  text: string;
  contentLine: number;
}

/** A layout for `text` from `file`; it must have exactly one content line. */
export function readLayout(name: string, file: string, text: string): Layout {
  const lines = text.split(/\r?\n/);
  const at = lines.flatMap((line, i) => (line.trim() === CONTENT_MARKER ? [i] : []));
  if (at.length !== 1) throw new CatalogueError(`${file}: needs exactly one line ${CONTENT_MARKER} (found ${at.length})`);
  return { name, file, text, contentLine: at[0]! };
}

/** Without a layout, a body is compiled in the smallest document MJML accepts. */
const BARE_LAYOUT: Layout = { name: '(none)', file: '(no layout)', text: `<mjml>\n<mj-body>\n${CONTENT_MARKER}\n</mj-body>\n</mjml>`, contentLine: 2 };

/** An email's MJML document: what MJML compiles, and where a line of it came from. */
export interface EmailDocument {
  source: string;
  file: string;
  /** `file line n` or `layout line n` for a line of `source`. */
  where(line: number): string;
}

/**
 * `body` (from `file`, in `locale`) inside `layout`, as one MJML document. The document gets
 * `lang` = the file's locale unless the layout sets one.
 */
export function emailDocument(body: string, file: string, locale: string, layout: Layout = BARE_LAYOUT): EmailDocument {
  const lines = layout.text.split(/\r?\n/);
  if (!/<mjml[^>]*\slang=/.test(lines.join('\n'))) {
    const root = lines.findIndex((line) => /<mjml[\s>]/.test(line));
    if (root >= 0) lines[root] = lines[root]!.replace(/<mjml(?=[\s>])/, `<mjml lang="${locale}"`);
  }
  const bodyLines = body.split(/\r?\n/);
  const source = [...lines.slice(0, layout.contentLine), ...bodyLines, ...lines.slice(layout.contentLine + 1)].join('\n');
  const where = (line: number) => {
    const inBody = line - layout.contentLine;
    if (inBody >= 1 && inBody <= bodyLines.length) return `${file} line ${inBody}`;
    return `${layout.file} line ${inBody > 0 ? line - bodyLines.length + 1 : line}`;
  };
  return { source, file, where };
}

/**
 * The HTML MJML made of `doc`. Its strict validation errors, and any Liquid that MJML dropped
 * or rewrote, are CatalogueErrors naming the file and line.
 */
export function checkedHtml(doc: EmailDocument, outcome: MjmlOutcome): string {
  if (!('html' in outcome)) {
    if (!outcome.errors.length) throw new CatalogueError(`${doc.file}: MJML failed: ${outcome.message}`);
    const detail = outcome.errors.map((e) => `${doc.where(e.line)} (${e.tagName}): ${e.message}`).join('; ');
    throw new CatalogueError(`${doc.file}: MJML error: ${detail}`);
  }
  checkLiquidKept(doc.source, outcome.html, doc.file);
  return outcome.html;
}

/** One email compiled on its own (a catalogue compiles all of its emails in one batch). */
export function compileEmail(body: string, file: string, locale: string, layout?: Layout): string {
  const doc = emailDocument(body, file, locale, layout);
  return checkedHtml(doc, compileMjml([doc.source])[0]!);
}

const LIQUID = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g;

function liquidTokens(text: string): string[] {
  return (text.match(LIQUID) ?? []).map((token) => token.replace(/\s+/g, ' ')).sort();
}

/**
 * MJML keeps the content of ending tags (mj-text, mj-button, mj-raw …) and attribute values
 * as written, but drops text between structural tags and comments, and an inline mj-style
 * re-serialises attributes. Every Liquid tag and output must come through unchanged.
 */
function checkLiquidKept(source: string, html: string, file: string): void {
  const compiled = liquidTokens(html);
  const remaining = new Map<string, number>();
  for (const token of compiled) remaining.set(token, (remaining.get(token) ?? 0) + 1);
  for (const token of liquidTokens(source)) {
    const left = remaining.get(token) ?? 0;
    if (left === 0) {
      throw new CatalogueError(
        `${file}: MJML dropped or changed the Liquid ${token.slice(0, 80)}; put Liquid inside an ending tag ` +
          '(mj-text, mj-button, mj-raw, mj-title …) or an attribute value, not between sections or columns or in a comment',
      );
    }
    remaining.set(token, left - 1);
  }
}
