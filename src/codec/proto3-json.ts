import protobuf from 'protobufjs';

/** The payload does not follow the schema's JSON mapping (or is not JSON at all). */
export class DecodeError extends Error {
  override name = 'DecodeError';
}

type Plain = Record<string, unknown>;

const INT32 = new Set(['int32', 'sint32', 'sfixed32', 'uint32', 'fixed32']);
const INT64 = new Set(['int64', 'sint64', 'sfixed64', 'uint64', 'fixed64']);

const snakeCase = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const lowerCamel = (name: string) => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

function isObject(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Proto3 JSON → the plain object shape of `Type.toObject` (snake_case keys, 64-bit
 * integers as decimal strings, enums as numbers). Accepts lowerCamelCase and original
 * field names, enum names or numbers; ignores unknown fields (a newer producer), and
 * rejects values of the wrong type, naming the field.
 */
export function fromProto3Json(type: protobuf.Type, json: unknown, path = ''): Plain {
  if (!isObject(json)) throw new DecodeError(`${path || 'payload'}: expected a JSON object`);
  const out: Plain = {};
  for (const [key, value] of Object.entries(json)) {
    const name = Object.hasOwn(type.fields, key) ? key : snakeCase(key);
    const field = Object.hasOwn(type.fields, name) ? type.fields[name] : undefined;
    if (!field || value === null) continue;
    const at = path ? `${path}.${field.name}` : field.name;
    if (field.repeated) {
      if (!Array.isArray(value)) throw new DecodeError(`${at}: expected an array`);
      out[field.name] = value.map((v, i) => fieldValue(field, v, `${at}[${i}]`));
    } else if (field instanceof protobuf.MapField) {
      if (!isObject(value)) throw new DecodeError(`${at}: expected an object`);
      out[field.name] = Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, fieldValue(field, v, `${at}.${k}`)]),
      );
    } else {
      out[field.name] = fieldValue(field, value, at);
    }
  }
  return out;
}

function fieldValue(field: protobuf.Field, value: unknown, at: string): unknown {
  const resolved = field.resolve().resolvedType;
  if (resolved instanceof protobuf.Type) return fromProto3Json(resolved, value, at);
  if (resolved instanceof protobuf.Enum) return enumValue(resolved, value, at);
  const t = field.type;
  if (t === 'string') {
    if (typeof value !== 'string') throw new DecodeError(`${at}: expected a string`);
    return value;
  }
  if (t === 'bool') {
    if (typeof value !== 'boolean') throw new DecodeError(`${at}: expected true or false`);
    return value;
  }
  if (INT32.has(t) || INT64.has(t)) return integerValue(t, value, at);
  if (t === 'double' || t === 'float') {
    const n = typeof value === 'string' ? Number(value) : value;
    if (typeof n !== 'number' || (Number.isNaN(n) && value !== 'NaN')) {
      throw new DecodeError(`${at}: expected a number`);
    }
    return n;
  }
  if (t === 'bytes') {
    if (typeof value !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(value)) {
      throw new DecodeError(`${at}: expected base64 bytes`);
    }
    return Buffer.from(value, 'base64');
  }
  throw new DecodeError(`${at}: unsupported field type ${t}`);
}

function integerValue(t: string, value: unknown, at: string): number | string {
  const digits =
    typeof value === 'number' && Number.isSafeInteger(value) ? String(value)
    : typeof value === 'string' && /^-?\d+$/.test(value) ? value
    : undefined;
  if (digits === undefined) throw new DecodeError(`${at}: expected an integer`);
  const n = BigInt(digits);
  const unsigned = t.startsWith('u') || t.startsWith('fixed');
  const bits = INT32.has(t) ? 32n : 64n;
  const [min, max] = unsigned ? [0n, 2n ** bits - 1n] : [-(2n ** (bits - 1n)), 2n ** (bits - 1n) - 1n];
  if (n < min || n > max) throw new DecodeError(`${at}: ${digits} is out of range for ${t}`);
  return INT32.has(t) ? Number(n) : digits;
}

function enumValue(e: protobuf.Enum, value: unknown, at: string): number {
  if (typeof value === 'string' && Object.hasOwn(e.values, value)) return e.values[value]!;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  throw new DecodeError(`${at}: ${describeValue(value)} is not a ${e.name} (one of ${Object.keys(e.values).join(', ')})`);
}

const MAX_QUOTED_LENGTH = 40;

/**
 * A bounded description of a JSON value for an error message. Never JSON.stringify the
 * value itself: a payload may nest thousands of levels deep, and a RangeError there
 * would escape the decoder as a retryable error instead of a DecodeError.
 */
function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value.length > MAX_QUOTED_LENGTH ? `${value.slice(0, MAX_QUOTED_LENGTH)}…` : value);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}

/**
 * The plain `Type.toObject` shape → canonical proto3 JSON (lowerCamelCase names,
 * enum names, 64-bit integers as strings). Default values are left out.
 */
export function toProto3Json(type: protobuf.Type, plain: Plain): Plain {
  const out: Plain = {};
  for (const field of type.fieldsArray) {
    const value = plain[field.name];
    // Defaults are left out: "0" only for a 64-bit integer (its string form), never for a string field.
    const isDefault = value === '' || value === 0 || (value === '0' && INT64.has(field.type));
    if (value === undefined || value === null || isDefault) continue;
    const resolved = field.resolve().resolvedType;
    const convert = (v: unknown): unknown =>
      resolved instanceof protobuf.Type ? toProto3Json(resolved, v as Plain)
      : resolved instanceof protobuf.Enum ? (resolved.valuesById[v as number] ?? v)
      : INT64.has(field.type) ? String(v)
      : Buffer.isBuffer(v) || v instanceof Uint8Array ? Buffer.from(v).toString('base64')
      : v;
    out[lowerCamel(field.name)] = field.repeated ? (value as unknown[]).map(convert) : convert(value);
  }
  return out;
}
