/**
 * Typed data as Liquid sees it. `{{ shippedAt }}` prints localised text with no filter: the
 * output hook (liquid-engine.ts) calls `format()`. Everything else (comparisons, `if`, filters)
 * sees `valueOf()`, the raw value, so `{% if total.amount > 10000 %}` and `| date:` still work.
 */
import { Drop } from 'liquidjs';
import { dateTimeFormat, numberFormat } from './intl-formats';
import type { ParsedVariableSpec, VariableType } from './variables';

/** Where a rendering formats: the Intl locale and the IANA time zone. */
export interface FormatContext {
  locale: string;
  timeZone: string;
}

/** A value printed localised. Unknown properties are undefined, so strictVariables reports `total.amout`. */
export abstract class TypedDrop extends Drop {
  /** The text `{{ value }}` prints. */
  abstract format(): string;

  override liquidMethodMissing(): undefined {
    return undefined;
  }
}

// Private state lives in #fields: Liquid reads any property of a Drop, and a template must see only the documented ones.

class NumberDrop extends TypedDrop {
  readonly #value: number;
  readonly #ctx: FormatContext;

  constructor(value: number, ctx: FormatContext) {
    super();
    this.#value = value;
    this.#ctx = ctx;
  }
  override valueOf(): number {
    return this.#value;
  }
  format(): string {
    return numberFormat(this.#ctx.locale).format(this.#value);
  }
}

class MoneyDrop extends TypedDrop {
  readonly amount: number;
  readonly currency: string;
  readonly #ctx: FormatContext;

  constructor(money: { amount: number; currency: string }, ctx: FormatContext) {
    super();
    this.amount = money.amount;
    this.currency = money.currency;
    this.#ctx = ctx;
  }
  override valueOf(): number {
    return this.amount;
  }
  format(): string {
    return numberFormat(this.#ctx.locale, this.currency).format(this.amount);
  }
}

class DateTimeDrop extends TypedDrop {
  readonly #iso: string;
  readonly #instant: Date;
  readonly #ctx: FormatContext;

  constructor(iso: string, ctx: FormatContext) {
    super();
    this.#iso = iso;
    this.#instant = new Date(iso);
    this.#ctx = ctx;
  }
  /** `{{ shippedAt.date }}`: the day, in the rendering's time zone. */
  get date(): string {
    return dateTimeFormat(this.#ctx.locale, 'date', this.#ctx.timeZone).format(this.#instant);
  }
  /** `{{ shippedAt.time }}`: the time of day, in the rendering's time zone. */
  get time(): string {
    return dateTimeFormat(this.#ctx.locale, 'time', this.#ctx.timeZone).format(this.#instant);
  }
  override valueOf(): string {
    return this.#iso;
  }
  format(): string {
    return dateTimeFormat(this.#ctx.locale, 'dateTime', this.#ctx.timeZone).format(this.#instant);
  }
}

/** A calendar day: formatted in UTC from UTC midnight, so no time zone moves it to another day. */
class DateDrop extends TypedDrop {
  readonly #iso: string;
  readonly #ctx: FormatContext;

  constructor(iso: string, ctx: FormatContext) {
    super();
    this.#iso = iso;
    this.#ctx = ctx;
  }
  override valueOf(): string {
    return this.#iso;
  }
  format(): string {
    return dateTimeFormat(this.#ctx.locale, 'date', 'UTC').format(new Date(`${this.#iso}T00:00:00Z`));
  }
}

function typed(type: VariableType, value: unknown, ctx: FormatContext): unknown {
  switch (type) {
    case 'number':
      return new NumberDrop(value as number, ctx);
    case 'money':
      return new MoneyDrop(value as { amount: number; currency: string }, ctx);
    case 'datetime':
      return new DateTimeDrop(value as string, ctx);
    case 'date':
      return new DateDrop(value as string, ctx);
    default:
      return value;
  }
}

/**
 * The Liquid scope for data already checked against `variables`: every declared variable,
 * typed; a missing optional one is null (so `{% if trackingUrl %}` works under
 * strictVariables); undeclared keys are left out.
 */
export function toScope(variables: ReadonlyMap<string, ParsedVariableSpec>, data: Record<string, unknown>, ctx: FormatContext): Record<string, unknown> {
  const scope: Record<string, unknown> = {};
  for (const [name, spec] of variables) {
    const value = Object.prototype.hasOwnProperty.call(data, name) ? data[name] : undefined;
    if (value === undefined || value === null) scope[name] = null;
    else if (spec.array) scope[name] = (value as unknown[]).map((item) => typed(spec.type, item, ctx));
    else scope[name] = typed(spec.type, value, ctx);
  }
  return scope;
}

/** The text an output prints, as Liquid's own stringify but with typed values localised. */
export function outputText(value: unknown): string {
  if (value instanceof TypedDrop) return value.format();
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(outputText).join('');
  if (value instanceof Drop) {
    const raw: unknown = value.valueOf();
    return raw === value ? String(value) : outputText(raw);
  }
  return String(value);
}
