/**
 * A tiny evaluator for the simple part of Terraform expressions, as validation conditions
 * and the channel locals use it: numbers, strings, booleans, list literals, `var.x`,
 * `local.x` (evaluated in turn), `+ - * / %`, comparisons, `&& || !`, parentheses, with
 * HCL's precedence, and the functions `contains`, `can`, `regex`, `length`, `coalesce`,
 * `join` and `floor`. Anything else (for expressions, conditionals, other functions) throws
 * Unsupported, so a test can evaluate every expression it understands and knowingly skip
 * the rest.
 */

export class Unsupported extends Error {
  override name = 'Unsupported';
}

/** An error Terraform would raise while evaluating (what `can()` turns into false). */
class EvaluationError extends Error {}

export type Value = number | boolean | string | Value[];

const TOKEN =
  /\s*(?:(\d+(?:\.\d+)?)|("(?:[^"\\]|\\.)*")|([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)|(>=|<=|==|!=|&&|\|\||[-+*/%()<>![\],]))/y;

function tokenize(source: string): string[] {
  const tokens: string[] = [];
  let at = 0;
  while (at < source.length) {
    if (/^\s*$/.test(source.slice(at))) break;
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(source);
    if (!m) throw new Unsupported(`cannot read ${JSON.stringify(source.slice(at, at + 20))}`);
    tokens.push(m[1] ?? m[2] ?? m[3] ?? m[4]);
    at = TOKEN.lastIndex;
  }
  return tokens;
}

/** An HCL quoted string's value; templates (`${`, `%{`) are not supported. */
function stringLiteral(token: string): string {
  const body = token.slice(1, -1);
  if (body.includes('${') || body.includes('%{')) throw new Unsupported(`template ${token}`);
  return body.replace(/\\(.)/g, (_, c: string) => ({ n: '\n', t: '\t', r: '\r' })[c] ?? c);
}

/** Terraform's regex(): RE2 syntax, which JavaScript reads the same for the patterns used here. */
function regex(pattern: string, text: string): string {
  let re: RegExp;
  try {
    re = new RegExp(pattern);
  } catch {
    throw new Unsupported(`pattern ${pattern}`);
  }
  const m = re.exec(text);
  if (!m) throw new EvaluationError(`regex ${pattern} does not match`);
  return m[0];
}

const num = (v: Value): number => {
  if (typeof v !== 'number') throw new Unsupported('number expected');
  return v;
};
const bool = (v: Value): boolean => {
  if (typeof v !== 'boolean') throw new Unsupported('boolean expected');
  return v;
};
const str = (v: Value): string => {
  if (typeof v !== 'string') throw new Unsupported('string expected');
  return v;
};
const list = (v: Value): Value[] => {
  if (!Array.isArray(v)) throw new Unsupported('list expected');
  return v;
};
const primitive = (v: Value): Exclude<Value, Value[]> => {
  if (Array.isArray(v)) throw new Unsupported('comparing lists');
  return v;
};

/** A variable's value as the evaluator sees it (sets and lists become arrays). */
function fromVariable(name: string, v: unknown): Value {
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') return v;
  if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number')) return v as Value[];
  throw new Unsupported(`var.${name} is ${v === undefined ? 'not set' : 'not a primitive or a list'}`);
}

/**
 * Evaluates `expression` (with or without the `${…}` wrapper) against variable values;
 * `local.x` is looked up in `locals` (hcl2json's strings) and evaluated the same way.
 */
export function evaluate(expression: string, vars: Record<string, unknown>, locals: Record<string, unknown> = {}): Value {
  const source = expression.startsWith('${') && expression.endsWith('}') ? expression.slice(2, -1) : expression;
  const tokens = tokenize(source);
  let pos = 0;
  const peek = () => tokens[pos];
  const take = (expected?: string) => {
    const t = tokens[pos++];
    if (t === undefined || (expected !== undefined && t !== expected)) throw new Unsupported(`expected ${expected ?? 'a token'}, got ${t}`);
    return t;
  };

  const binary = (next: () => Value, ops: Record<string, (a: Value, b: Value) => Value>) => (): Value => {
    let left = next();
    while (peek() !== undefined && peek() in ops) {
      const op = take();
      left = ops[op](left, next());
    }
    return left;
  };

  const items = (close: string): Value[] => {
    const values: Value[] = [];
    while (peek() !== close) {
      values.push(or());
      if (peek() !== close) take(',');
    }
    take(close);
    return values;
  };

  const call = (fn: string): Value => {
    if (fn === 'can') {
      const start = pos;
      try {
        or();
        take(')');
        return true;
      } catch (err) {
        if (!(err instanceof EvaluationError)) throw err;
        // Skip from its argument to the closing parenthesis of can( … ).
        pos = start;
        for (let depth = 1; depth > 0; ) {
          const t = take();
          if (t === '(') depth++;
          if (t === ')') depth--;
        }
        return false;
      }
    }
    const args = items(')');
    switch (fn) {
      case 'contains':
        return list(args[0]).includes(primitive(args[1]));
      case 'regex':
        return regex(str(args[0]), str(args[1]));
      case 'length':
        return typeof args[0] === 'string' ? args[0].length : list(args[0]).length;
      case 'coalesce': {
        const found = args.find((a) => a !== '');
        if (found === undefined) throw new EvaluationError('coalesce: no non-empty argument');
        return found;
      }
      case 'join':
        return list(args[1]).map((v) => String(primitive(v))).join(str(args[0]));
      case 'floor':
        return Math.floor(num(args[0]));
      default:
        throw new Unsupported(`function ${fn}`);
    }
  };

  const primary = (): Value => {
    const t = take();
    if (t === '(') {
      const v = or();
      take(')');
      return v;
    }
    if (t === '[') return items(']');
    if (t === '!') return !bool(primary());
    if (t === '-') return -num(primary());
    if (/^\d/.test(t)) return Number(t);
    if (t.startsWith('"')) return stringLiteral(t);
    if (t === 'true' || t === 'false') return t === 'true';
    if (peek() === '(' && /^\w+$/.test(t)) {
      take('(');
      return call(t);
    }
    let m = /^var\.(\w+)$/.exec(t);
    if (m) return fromVariable(m[1], vars[m[1]]);
    m = /^local\.(\w+)$/.exec(t);
    if (m) {
      const local = locals[m[1]];
      if (typeof local !== 'string') throw new Unsupported(`local.${m[1]} is not a simple expression`);
      return local.startsWith('${') ? evaluate(local, vars, locals) : local;
    }
    throw new Unsupported(`unsupported term ${t}`);
  };
  const product = binary(primary, {
    '*': (a, b) => num(a) * num(b),
    '/': (a, b) => num(a) / num(b),
    '%': (a, b) => num(a) % num(b),
  });
  const sum = binary(product, { '+': (a, b) => num(a) + num(b), '-': (a, b) => num(a) - num(b) });
  const comparison = binary(sum, {
    '<': (a, b) => num(a) < num(b),
    '<=': (a, b) => num(a) <= num(b),
    '>': (a, b) => num(a) > num(b),
    '>=': (a, b) => num(a) >= num(b),
  });
  const equality = binary(comparison, {
    '==': (a, b) => primitive(a) === primitive(b),
    '!=': (a, b) => primitive(a) !== primitive(b),
  });
  const and = binary(equality, { '&&': (a, b) => bool(a) && bool(b) });
  const or: () => Value = binary(and, { '||': (a, b) => bool(a) || bool(b) });

  const result = or();
  if (pos !== tokens.length) throw new Unsupported(`unexpected ${tokens[pos]}`);
  return result;
}

/** evaluate(), or undefined when the expression uses anything the evaluator does not know. */
export function tryEvaluate(expression: string, vars: Record<string, unknown>, locals?: Record<string, unknown>): Value | undefined {
  try {
    return evaluate(expression, vars, locals);
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
}
