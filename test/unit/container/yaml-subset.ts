/**
 * A reader for the YAML that cloudbuild.yaml is written in, so that its test needs no YAML
 * library (none is a dependency of this package; js-yaml is only in node_modules as a
 * transitive dev dependency of jest, which may drop it any time).
 *
 * The subset: block mappings and block sequences (including `- key: value` items), flow
 * sequences of scalars on one line (`[a, 'b', "c"]`), plain, single- and double-quoted
 * scalars, literal block scalars (`|`, `|-`) and `#` comments. Every scalar is a string.
 * Anything else (anchors, aliases, tags, flow mappings, folded scalars, multi-line flow,
 * tabs) throws, naming the line, instead of being read wrongly.
 */
export type YamlValue = string | YamlValue[] | { [key: string]: YamlValue };

const KEY = /^([A-Za-z_][\w.-]*):(?:\s+(.*))?$/;

export function parseYamlSubset(text: string): YamlValue {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  let at = 0;

  const fail = (line: number, why: string): never => {
    throw new Error(`yaml-subset: line ${line + 1}: ${why}: ${JSON.stringify(lines[line])}`);
  };
  lines.forEach((line, i) => /^ *\t/.test(line) && fail(i, 'tabs are not supported'));
  const isSkippable = (line: string) => /^\s*(#.*)?$/.test(line);
  const indentOf = (line: string) => line.length - line.trimStart().length;
  /** Index of the next line with content, from `at`; lines.length at the end. */
  const peek = () => {
    let i = at;
    while (i < lines.length && isSkippable(lines[i]!)) i += 1;
    return i;
  };

  function node(indent: number): YamlValue {
    const i = peek();
    const content = lines[i]!.slice(indent);
    return content === '-' || content.startsWith('- ') ? sequence(indent) : mapping(indent);
  }

  function sequence(indent: number): YamlValue[] {
    const items: YamlValue[] = [];
    for (let i = peek(); i < lines.length && indentOf(lines[i]!) === indent; i = peek()) {
      const content = lines[i]!.slice(indent);
      if (!(content === '-' || content.startsWith('- '))) break;
      const rest = content.slice(1).trimStart();
      if (rest === '') {
        at = i + 1;
        items.push(child(i, indent));
      } else if (rest === '|' || rest === '|-') {
        at = i + 1;
        items.push(literal(indent, rest === '|'));
      } else if (KEY.test(stripComment(rest, i))) {
        // `- key: value` opens a mapping whose keys line up with `key`.
        const keyIndent = indent + content.length - rest.length;
        lines[i] = ' '.repeat(keyIndent) + rest;
        items.push(mapping(keyIndent));
      } else {
        at = i + 1;
        items.push(scalarOrFlow(rest, i));
      }
    }
    return items;
  }

  function mapping(indent: number): { [key: string]: YamlValue } {
    const map: { [key: string]: YamlValue } = {};
    for (let i = peek(); i < lines.length && indentOf(lines[i]!) === indent; i = peek()) {
      const content = lines[i]!.slice(indent);
      if (content.startsWith('- ')) break;
      const match = KEY.exec(stripComment(content, i)) ?? fail(i, 'expected `key: value`');
      const [, key, rest] = match;
      if (Object.prototype.hasOwnProperty.call(map, key!)) fail(i, `duplicate key ${key}`);
      at = i + 1;
      if (rest === undefined || rest === '') map[key!] = child(i, indent, true);
      else if (rest === '|' || rest === '|-') map[key!] = literal(indent, rest === '|');
      else map[key!] = scalarOrFlow(rest, i);
    }
    const next = peek();
    if (next < lines.length && indentOf(lines[next]!) > indent) fail(next, 'unexpected indentation');
    return map;
  }

  /** The block under line `i`; a mapping's sequence may sit at the key's own indent. */
  function child(i: number, indent: number, sameIndentSequence = false): YamlValue {
    const next = peek();
    if (next < lines.length) {
      const nextIndent = indentOf(lines[next]!);
      if (nextIndent > indent) return node(nextIndent);
      if (sameIndentSequence && nextIndent === indent && lines[next]!.slice(indent).startsWith('- ')) return sequence(indent);
    }
    return fail(i, 'empty values are not supported');
  }

  function literal(indent: number, keepNewline: boolean): string {
    const body: string[] = [];
    let blockIndent: number | undefined;
    while (at < lines.length) {
      const line = lines[at]!;
      if (line.trim() === '') {
        body.push('');
      } else {
        if (indentOf(line) <= indent) break;
        blockIndent ??= indentOf(line);
        if (indentOf(line) < blockIndent) fail(at, 'literal block line indented less than its first line');
        body.push(line.slice(blockIndent));
      }
      at += 1;
    }
    while (body.length && body[body.length - 1] === '') body.pop();
    return body.join('\n') + (keepNewline && body.length ? '\n' : '');
  }

  function scalarOrFlow(raw: string, i: number): YamlValue {
    const text = stripComment(raw, i);
    if (!text.startsWith('[')) return scalar(text, i);
    if (!text.endsWith(']')) fail(i, 'flow sequences must close on their line');
    const inner = text.slice(1, -1).trim();
    return inner === '' ? [] : splitFlow(inner, i).map((item) => scalar(item.trim(), i));
  }

  function scalar(text: string, i: number): string {
    if (text.startsWith("'")) {
      if (!/^'(?:[^']|'')*'$/.test(text)) fail(i, 'unterminated single-quoted scalar');
      return text.slice(1, -1).replace(/''/g, "'");
    }
    if (text.startsWith('"')) {
      if (!/^"(?:[^"\\]|\\["\\nt])*"$/.test(text)) fail(i, 'unsupported double-quoted scalar');
      return text.slice(1, -1).replace(/\\(["\\nt])/g, (_, c: string) => ({ n: '\n', t: '\t' })[c] ?? c);
    }
    if (/^[&*!{>|%@`]/.test(text) || text.startsWith('- ') || /:\s|\s#/.test(text)) fail(i, 'unsupported scalar');
    return text;
  }

  function splitFlow(inner: string, i: number): string[] {
    const items: string[] = [];
    let from = 0;
    eachOutsideQuotes(inner, i, (ch, k) => {
      if ('[]{}'.includes(ch)) fail(i, 'nested flow collections are not supported');
      if (ch === ',') {
        items.push(inner.slice(from, k));
        from = k + 1;
      }
      return false;
    });
    return [...items, inner.slice(from)];
  }

  /** `text` without a trailing ` # comment` outside quotes. */
  function stripComment(text: string, i: number): string {
    const hash = eachOutsideQuotes(text, i, (ch, k) => ch === '#' && (k === 0 || /\s/.test(text[k - 1]!)));
    return (hash === undefined ? text : text.slice(0, hash)).trimEnd();
  }

  /**
   * Calls `visit` for each character outside quoted scalars (a quote opens a scalar only
   * where one can start); returns the index where `visit` returned true.
   */
  function eachOutsideQuotes(text: string, i: number, visit: (ch: string, k: number) => boolean): number | undefined {
    let quote: string | undefined;
    for (let k = 0; k < text.length; k += 1) {
      const ch = text[k]!;
      if (quote === "'" && ch === "'" && text[k + 1] === "'") k += 1;
      else if (quote === '"' && ch === '\\') k += 1;
      else if (quote && ch === quote) quote = undefined;
      else if (quote) continue;
      else if ((ch === "'" || ch === '"') && (k === 0 || /[\s[,]/.test(text[k - 1]!))) quote = ch;
      else if (visit(ch, k)) return k;
    }
    if (quote) fail(i, 'unterminated quote');
    return undefined;
  }

  const first = peek();
  if (first === lines.length) return {};
  if (indentOf(lines[first]!) !== 0) fail(first, 'the document must start at column 0');
  const doc = node(0);
  const rest = peek();
  if (rest < lines.length) fail(rest, 'unexpected content');
  return doc;
}
