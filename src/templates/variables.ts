/**
 * The variables a template declares (template.json `variables`) and the check of a
 * notification's data against them. Client-safe: producers run the same check before they
 * publish, so this module imports nothing. Problems name the variable, never its value
 * (values may be personal data).
 */

/** A declared type: a base type, then `[]` for an array of it, then `?` for optional (`'money?'`, `'string[]?'`). */
export type VariableSpec = string;

/** What is wrong with one variable; `variable` is a path such as `total.currency` or `items[2]` ('' = the data itself). */
export interface DataProblem {
  variable: string;
  problem: string;
}

/** The base types a variable may have. */
export const VARIABLE_TYPES = ['string', 'number', 'integer', 'boolean', 'datetime', 'date', 'money', 'url'] as const;
export type VariableType = (typeof VARIABLE_TYPES)[number];

/**
 * Items an array variable may hold: a list in a message is read by a person, and 64 KiB of
 * data could otherwise make an email of tens of thousands of rows (and its render).
 */
export const MAX_ARRAY_ITEMS = 1000;

/** A variable name: usable as a Liquid identifier. */
export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** A declared type taken apart. */
export interface ParsedVariableSpec {
  type: VariableType;
  array: boolean;
  optional: boolean;
}

/** The parts of a declared type; undefined when it is not one. */
export function parseVariableSpec(spec: string): ParsedVariableSpec | undefined {
  const match = typeof spec === 'string' ? /^([a-z]+)(\[\])?(\?)?$/.exec(spec) : null;
  if (!match || !(VARIABLE_TYPES as readonly string[]).includes(match[1]!)) return undefined;
  return { type: match[1] as VariableType, array: match[2] !== undefined, optional: match[3] !== undefined };
}

/** Why a declared type is invalid; undefined when it is valid. */
export function variableTypeProblem(spec: string): string | undefined {
  if (typeof spec !== 'string') return 'the type is not a string';
  if (parseVariableSpec(spec)) return undefined;
  return `${JSON.stringify(spec.slice(0, 40))} is not a type: use one of ${VARIABLE_TYPES.join(', ')}, then [] for an array, then ? for optional`;
}

/**
 * The problems of `data` against the declared `variables`: data must be a JSON object; every
 * required variable present and not null; every present variable of its type. Keys that are
 * not declared are ignored. An empty list means the data may be rendered.
 */
export function checkData(variables: Readonly<Record<string, string>>, data: unknown): DataProblem[] {
  if (!isObject(data)) return [{ variable: '', problem: 'is not a JSON object' }];
  const problems: DataProblem[] = [];
  for (const [name, spec] of Object.entries(variables)) {
    const parsed = parseVariableSpec(spec);
    if (!parsed) {
      problems.push({ variable: name, problem: 'has no valid declared type' });
      continue;
    }
    const value = Object.prototype.hasOwnProperty.call(data, name) ? data[name] : undefined;
    if (value === undefined || value === null) {
      if (!parsed.optional) problems.push({ variable: name, problem: 'is required' });
    } else if (!parsed.array) {
      checkValue(parsed.type, value, name, problems);
    } else if (!Array.isArray(value)) {
      problems.push({ variable: name, problem: 'is not an array' });
    } else if (value.length > MAX_ARRAY_ITEMS) {
      problems.push({ variable: name, problem: `has more than ${MAX_ARRAY_ITEMS} items` });
    } else {
      value.forEach((item, i) => checkValue(parsed.type, item, `${name}[${i}]`, problems));
    }
  }
  return problems;
}

/** Shown at most, so that an array of a million bad items does not make a megabyte message. */
const MAX_DESCRIBED = 10;

/** One line: `data.total.currency: is not an ISO 4217 currency code; data.shippedAt: is required`. */
export function describeDataProblems(problems: readonly DataProblem[]): string {
  const shown = problems.slice(0, MAX_DESCRIBED).map((p) => `data${p.variable ? `.${p.variable}` : ''}: ${p.problem}`);
  if (problems.length > MAX_DESCRIBED) shown.push(`and ${problems.length - MAX_DESCRIBED} more`);
  return shown.join('; ');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const SIMPLE_CHECKS: Record<Exclude<VariableType, 'money'>, [(value: unknown) => boolean, string]> = {
  string: [(v) => typeof v === 'string', 'is not a string'],
  number: [(v) => typeof v === 'number' && Number.isFinite(v), 'is not a number'],
  integer: [(v) => Number.isSafeInteger(v), 'is not an integer'],
  boolean: [(v) => typeof v === 'boolean', 'is not a boolean'],
  datetime: [(v) => typeof v === 'string' && isDateTime(v), 'is not an ISO 8601 date-time with Z or an offset'],
  date: [(v) => typeof v === 'string' && isDate(v), 'is not a date (YYYY-MM-DD)'],
  url: [(v) => typeof v === 'string' && isHttpUrl(v), 'is not an absolute http(s) URL without spaces, control characters, |, <, > or "'],
};

function checkValue(type: VariableType, value: unknown, path: string, problems: DataProblem[]): void {
  if (type === 'money') {
    checkMoney(value, path, problems);
    return;
  }
  const [valid, problem] = SIMPLE_CHECKS[type];
  if (!valid(value)) problems.push({ variable: path, problem });
}

function checkMoney(value: unknown, path: string, problems: DataProblem[]): void {
  if (!isObject(value)) {
    problems.push({ variable: path, problem: 'is not a money object {"amount", "currency"}' });
    return;
  }
  const { amount, currency } = value;
  if (amount === undefined || amount === null) problems.push({ variable: `${path}.amount`, problem: 'is required' });
  else if (typeof amount !== 'number' || !Number.isFinite(amount)) problems.push({ variable: `${path}.amount`, problem: 'is not a number' });
  if (currency === undefined || currency === null) problems.push({ variable: `${path}.currency`, problem: 'is required' });
  else if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency)) {
    problems.push({ variable: `${path}.currency`, problem: 'is not an ISO 4217 currency code' });
  }
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):?(\d{2}))$/;

/** A calendar date that exists: Date.parse would roll 2024-02-30 over into March. */
function isDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const utc = new Date(Date.UTC(year, month - 1, day));
  return utc.getUTCFullYear() === year && utc.getUTCMonth() === month - 1 && utc.getUTCDate() === day;
}

function isDateTime(text: string): boolean {
  const m = DATE_TIME.exec(text);
  if (!m || !isDate(m[1]!)) return false;
  const inRange = (part: string | undefined, max: number) => part === undefined || Number(part) <= max;
  return inRange(m[2], 23) && inRange(m[3], 59) && inRange(m[4], 59) && inRange(m[5], 23) && inRange(m[6], 59)
    && Number.isFinite(Date.parse(text));
}

/**
 * Characters URL parsing lets through that would change the markup a link stands in:
 * Slack's `<url|label>`, a line break splitting an SMS link, quotes and angle brackets.
 */
const UNSAFE_IN_URL = /[\s\u0000-\u001f\u007f|<>"]/u;

function isHttpUrl(text: string): boolean {
  if (UNSAFE_IN_URL.test(text)) return false;
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}
