import { parseArgs, ParseArgsConfig } from 'node:util';
import { CliError } from './errors';

type OptionTable = NonNullable<ParseArgsConfig['options']>;

/** Flags every command accepts: where to publish, and `--help`. */
export const GLOBAL_OPTIONS = {
  project: { type: 'string' },
  topic: { type: 'string' },
  encoding: { type: 'string' },
  local: { type: 'boolean' },
  source: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies OptionTable;

/** The global flags as parsed; `connection.ts` turns them into a Connection. */
export interface GlobalFlags {
  project?: string;
  topic?: string;
  encoding?: string;
  local?: boolean;
  source?: string;
}

/** Parsed values of an option table without `multiple` or `default`: each may be absent. */
export type Flags<O extends OptionTable> = {
  [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string;
};

/**
 * Strict parsing of one command's arguments plus the global flags: an unknown flag, a
 * missing value or a stray positional argument is a usage error naming it.
 */
export function parseFlags<O extends OptionTable>(
  command: string,
  args: string[],
  options: O,
): Flags<typeof GLOBAL_OPTIONS & O> {
  return parse(command, args, options, { allowPositionals: false }).flags;
}

/**
 * parseFlags for a command that acts on something named without a flag (`notifier resolve
 * <notificationId>`): positional arguments are returned in order; `--` ends the flags, so a
 * name starting with `-` can follow it.
 */
export function parseFlagsAndArguments<O extends OptionTable>(
  command: string,
  args: string[],
  options: O,
): { flags: Flags<typeof GLOBAL_OPTIONS & O>; positionals: string[] } {
  return parse(command, args, options, { allowPositionals: true });
}

function parse<O extends OptionTable>(command: string, args: string[], options: O, { allowPositionals }: { allowPositionals: boolean }) {
  try {
    const parsed = parseArgs({ args, options: { ...GLOBAL_OPTIONS, ...options }, strict: true, allowPositionals });
    return { flags: parsed.values as Flags<typeof GLOBAL_OPTIONS & O>, positionals: parsed.positionals };
  } catch (err) {
    // node's messages name the flag but go on about '--' positionals; the first sentence is enough.
    const message = (err as Error).message.split(/\.\s|\n/)[0].replace(/\.$/, '');
    throw new CliError(`notifier ${command}: ${message} (see notifier help ${command})`);
  }
}

/** The value of a required flag, or a usage error naming it. */
export function required(command: string, flag: string, value: string | undefined): string {
  if (value === undefined || value.trim() === '') {
    throw new CliError(`notifier ${command}: --${flag} is required (see notifier help ${command})`);
  }
  return value;
}

/** A positive number flag (`--rate 50`, `--max-outstanding 100`); `integer` refuses fractions. */
export function positiveNumber(flag: string, value: string | undefined, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!value.trim() || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new CliError(`--${flag}: "${value}" is not a positive ${integer ? 'integer' : 'number'}`);
  }
  return n;
}
