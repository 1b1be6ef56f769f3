import type { Readable } from 'node:stream';
import type { FailureStore } from '../failures/store';
import type { Resolutions } from '../mysql/resolutions';
import type { ClientFactory } from './connection';

/** Where a command writes; `process.stdout` and `process.stderr` fit, and so does a test's buffer. */
export interface Writer {
  write(text: string): unknown;
  /** True on a terminal: progress is then one line redrawn in place. */
  isTTY?: boolean;
}

/**
 * Everything a command touches besides files named on its command line. Only
 * `main.ts` fills this from `process`; tests and other callers pass their own.
 */
export interface CliIo {
  /** Environment variables, read through `src/config/` only. */
  env: Record<string, string | undefined>;
  stdout: Writer;
  stderr: Writer;
  /** Read when a file argument is `-`. */
  stdin?: Readable;
  /** How to reach Pub/Sub; default: a real PubSub client (see connection.ts). */
  createClient?: ClientFactory;
  /** Where `failures` and `replay` read; default: opened from the flags (see failure-flags.ts). */
  failureStore?: FailureStore;
  /** The ledger `resolve` writes to; default: a MySQL pool opened from the flags (see resolve.ts). */
  resolutions?: Resolutions & { close(): Promise<void> };
  /** Milliseconds clock: progress output, --since windows, resolution times; default `Date.now`. */
  now?: () => number;
}

/** One subcommand. `main.ts` dispatches on `name`; a new command is a new entry in its table. */
export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** The command's flags and an example, printed by `notifier help`. */
  usage: string;
  /** Runs with the arguments after the command name; resolves to the exit code. */
  run(args: string[], io: CliIo): Promise<number>;
}
