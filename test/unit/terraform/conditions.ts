/**
 * A tiny evaluator for the arithmetic part of Terraform validation conditions:
 * numbers, booleans, `var.x`, `+ - * / %`, comparisons, `&& || !` and parentheses, with
 * HCL's precedence. Anything else (function calls, strings, lists) throws Unsupported, so
 * a test can evaluate every condition it understands and knowingly skip the rest.
 */

export class Unsupported extends Error {
  override name = 'Unsupported';
}

type Value = number | boolean;

const TOKEN = /\s*(?:(\d+(?:\.\d+)?)|([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)|(>=|<=|==|!=|&&|\|\||[-+*/%()<>!]))/y;

function tokenize(source: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  let at = 0;
  while (at < source.length) {
    if (/^\s*$/.test(source.slice(at))) break;
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(source);
    if (!m) throw new Unsupported(`cannot read ${JSON.stringify(source.slice(at, at + 20))}`);
    tokens.push(m[1] ?? m[2] ?? m[3]);
    at = TOKEN.lastIndex;
  }
  return tokens;
}

/** Evaluates `condition` (with or without the `${…}` wrapper) against variable values. */
export function evaluate(condition: string, vars: Record<string, unknown>): Value {
  const source = condition.startsWith('${') && condition.endsWith('}') ? condition.slice(2, -1) : condition;
  const tokens = tokenize(source);
  let pos = 0;
  const peek = () => tokens[pos];
  const take = (expected?: string) => {
    const t = tokens[pos++];
    if (t === undefined || (expected !== undefined && t !== expected)) throw new Unsupported(`expected ${expected ?? 'a token'}, got ${t}`);
    return t;
  };
  const num = (v: Value): number => {
    if (typeof v !== 'number') throw new Unsupported('number expected');
    return v;
  };
  const bool = (v: Value): boolean => {
    if (typeof v !== 'boolean') throw new Unsupported('boolean expected');
    return v;
  };

  const binary = (next: () => Value, ops: Record<string, (a: Value, b: Value) => Value>) => (): Value => {
    let left = next();
    while (peek() !== undefined && peek() in ops) {
      const op = take();
      left = ops[op](left, next());
    }
    return left;
  };

  const primary = (): Value => {
    const t = take();
    if (t === '(') {
      const v = or();
      take(')');
      return v;
    }
    if (t === '!') return !bool(primary());
    if (t === '-') return -num(primary());
    if (/^\d/.test(t)) return Number(t);
    if (t === 'true' || t === 'false') return t === 'true';
    const m = /^var\.(\w+)$/.exec(t);
    if (!m || peek() === '(') throw new Unsupported(`unsupported term ${t}`);
    const v = vars[m[1]];
    if (typeof v !== 'number' && typeof v !== 'boolean') throw new Unsupported(`var.${m[1]} is not a number or boolean`);
    return v;
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
  const equality = binary(comparison, { '==': (a, b) => a === b, '!=': (a, b) => a !== b });
  const and = binary(equality, { '&&': (a, b) => bool(a) && bool(b) });
  const or: () => Value = binary(and, { '||': (a, b) => bool(a) || bool(b) });

  const result = or();
  if (pos !== tokens.length) throw new Unsupported(`unexpected ${tokens[pos]}`);
  return result;
}

/** evaluate(), or undefined when the condition uses anything beyond arithmetic. */
export function tryEvaluate(condition: string, vars: Record<string, unknown>): Value | undefined {
  try {
    return evaluate(condition, vars);
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
}
