/** Parsing of environment values: each failure is a ConfigError naming the variable. */

export class ConfigError extends Error {
  constructor(readonly variable: string, problem: string) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

export function text(env: Env, name: string, fallback?: string): string {
  const value = env[name]?.trim();
  if (value) return value;
  if (fallback !== undefined) return fallback;
  throw new ConfigError(name, 'is required');
}

export function optional(env: Env, name: string): string | undefined {
  return env[name]?.trim() || undefined;
}

export function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw)) throw new ConfigError(name, `must be an integer, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) {
    throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  }
  return value;
}

export function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = optional(env, name) ?? fallback;
  const match = allowed.find((a) => a.toLowerCase() === raw.toLowerCase());
  if (!match) throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${raw}"`);
  return match;
}

export function url(env: Env, name: string, protocols: readonly string[], fallback?: string): string {
  const value = text(env, name, fallback);
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(name, 'is not a valid URL');
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must use ${protocols.join(' or ')}, got ${parsed.protocol}`);
  }
  return value;
}

export function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  if (!/^(true|false)$/i.test(raw)) throw new ConfigError(name, `must be true or false, got "${raw}"`);
  return raw.toLowerCase() === 'true';
}

/** A value that must match `pattern`; `what` says what it should look like. Never echoes secrets. */
export function matching(env: Env, name: string, pattern: RegExp, what: string): string {
  const value = text(env, name);
  if (!pattern.test(value)) throw new ConfigError(name, `must be ${what}`);
  return value;
}

/** A provider's base URL: https in production, http allowed elsewhere (local stand-ins). */
export function baseUrl(env: Env, name: string, fallback: string, production: boolean): string {
  return url(env, name, production ? ['https:'] : ['https:', 'http:'], fallback).replace(/\/+$/, '');
}

/** A comma-separated list, entries trimmed, empty entries dropped; unset = empty. */
export function list(env: Env, name: string): string[] {
  return (optional(env, name) ?? '').split(',').map((v) => v.trim()).filter(Boolean);
}
