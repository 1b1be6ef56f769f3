/** Reading a catalogue's JSON files: catalogue.json and each version's template.json. Client-safe. */
import { readFileSync } from 'node:fs';
import type { Fail } from './catalogue-dirs';
import { VARIABLE_NAME, variableTypeProblem } from './variables';

/** A version's template.json. */
export interface TemplateJson {
  description: string;
  layout?: string;
  variables: Readonly<Record<string, string>>;
}

/** A layout name (`layouts/<name>.mjml`). */
export const LAYOUT_NAME = /^[a-z0-9][a-z0-9_.-]{0,63}$/;

/** A file's text without a byte-order mark; `fail` names the file when it cannot be read. */
export function readText(file: string, fail: Fail): string {
  try {
    return readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch (err) {
    throw fail(file, `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** A JSON file's value. The parser's message is left out: it quotes the text, and a sample may look like personal data. */
export function readJson(file: string, fail: Fail): unknown {
  const text = readText(file, fail);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw fail(file, 'is not valid JSON');
  }
}

/** A JSON object's keys must all be known: a misspelt key would otherwise be silently ignored. */
export function checkKeys(value: unknown, known: readonly string[], file: string, fail: Fail): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw fail(file, 'is not a JSON object');
  const unknown = Object.keys(value).filter((k) => !known.includes(k));
  if (unknown.length) throw fail(file, `has unknown key(s) ${unknown.map((k) => JSON.stringify(k)).join(', ')} (known: ${known.join(', ')})`);
  return value as Record<string, unknown>;
}

/** A template.json, checked: description, optional layout name, and well-formed variable declarations. */
export function readTemplateJson(file: string, fail: Fail): TemplateJson {
  const json = checkKeys(readJson(file, fail), ['description', 'layout', 'variables'], file, fail);
  const { description, layout, variables } = json;
  if (typeof description !== 'string') throw fail(file, '"description" must be a string');
  if (layout !== undefined && (typeof layout !== 'string' || !LAYOUT_NAME.test(layout))) {
    throw fail(file, '"layout" must be a layout name (layouts/<name>.mjml)');
  }
  if (typeof variables !== 'object' || variables === null || Array.isArray(variables)) throw fail(file, '"variables" must be an object');
  const declared: Record<string, string> = {};
  for (const [name, spec] of Object.entries(variables)) {
    // __proto__ fits the pattern but cannot be a key of the scope object a template reads.
    if (!VARIABLE_NAME.test(name) || name === '__proto__') throw fail(file, `variable ${JSON.stringify(name.slice(0, 70))} is not a name ([A-Za-z_][A-Za-z0-9_]*, up to 64)`);
    const problem = variableTypeProblem(spec as string);
    if (problem) throw fail(file, `variable ${name}: ${problem}`);
    declared[name] = spec as string;
  }
  return { description, ...(layout === undefined ? {} : { layout }), variables: Object.freeze(declared) };
}
