/**
 * An email's HTML: the body fragment spliced into its layout and compiled by MJML once, at
 * load. The result is HTML with the body's Liquid still in it, parsed as a template after.
 */
import mjml2html = require('mjml');
import { CatalogueError } from './errors';

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

/**
 * The HTML for `body` (from `file`, in `locale`) inside `layout`. MJML's strict validation
 * errors, and any Liquid that MJML dropped or rewrote, are CatalogueErrors naming the file
 * and line. The document gets `lang` = the file's locale unless the layout sets one.
 */
export function compileEmail(body: string, file: string, locale: string, layout: Layout = BARE_LAYOUT): string {
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
  let html: string;
  try {
    // ignoreIncludes: mj-include would read files; a template reads none.
    html = mjml2html(source, { validationLevel: 'strict', ignoreIncludes: true, keepComments: false }).html;
  } catch (err) {
    const errors = (err as { errors?: mjml2html.MjmlError[] }).errors;
    if (!errors?.length) throw new CatalogueError(`${file}: MJML failed: ${(err as Error).message}`, { cause: err });
    const detail = errors.map((e) => `${where(e.line)} (${e.tagName}): ${e.message}`).join('; ');
    throw new CatalogueError(`${file}: MJML error: ${detail}`);
  }
  checkLiquidKept(source, html, file);
  return html;
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
