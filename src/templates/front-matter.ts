/** Front matter: `---`, then one-line `key: value` settings (a subject, a title), then `---`. */
import { CatalogueError } from './errors';

/** A file split into its settings and its body. */
export interface FrontMatter {
  attributes: Readonly<Record<string, string>>;
  /**
   * The rest of the file. The front matter's lines are kept as empty lines so that a Liquid
   * error's line number is the file's; rendered bodies are trimmed, so they do not show.
   */
  body: string;
  /** The file line of each attribute, for error messages. */
  lines: Readonly<Record<string, number>>;
}

const FENCE = /^---[ \t]*$/;
const SETTING = /^([a-z][A-Za-z0-9_]*):[ \t]*(.*?)[ \t]*$/;

/**
 * Splits `text` (from `file`, for messages); keys other than `allowed` are an error, as are
 * duplicates, empty values and a missing closing fence. A file not starting with `---` has
 * no front matter.
 */
export function splitFrontMatter(text: string, file: string, allowed: readonly string[]): FrontMatter {
  const lines = text.split(/\r?\n/);
  if (!FENCE.test(lines[0] ?? '')) return { attributes: {}, body: text, lines: {} };
  const close = lines.findIndex((line, i) => i > 0 && FENCE.test(line));
  if (close < 0) throw new CatalogueError(`${file}: front matter has no closing ---`);
  const attributes: Record<string, string> = {};
  const at: Record<string, number> = {};
  for (let i = 1; i < close; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const m = SETTING.exec(line);
    const where = `${file} line ${i + 1}`;
    if (!m) throw new CatalogueError(`${where}: front matter lines are "key: value"`);
    const [, key, value] = m as unknown as [string, string, string];
    if (!allowed.includes(key)) {
      throw new CatalogueError(`${where}: unknown front matter key "${key}" (${allowed.length ? `allowed: ${allowed.join(', ')}` : 'this file takes none'})`);
    }
    if (key in attributes) throw new CatalogueError(`${where}: "${key}" is set twice`);
    if (value === '') throw new CatalogueError(`${where}: "${key}" is empty`);
    attributes[key] = value;
    at[key] = i + 1;
  }
  const body = '\n'.repeat(close + 1) + lines.slice(close + 1).join('\n');
  return { attributes, body, lines: at };
}
