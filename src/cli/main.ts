#!/usr/bin/env node
/**
 * `notifier`: the command-line tool for people publishing notifications by hand.
 * This module only dispatches; each command lives in its own module and is listed in
 * COMMANDS. `runCli` is the whole tool as a function, for tests and scripts.
 */
import { ConfigError, LOCAL_DEFAULTS } from '../config';
import { broadcastCommand } from './broadcast';
import { failuresCommand } from './failures';
import { replayCommand } from './replay';
import { resolveCommand } from './resolve';
import { statusCommand } from './status';
import { suppressionsCommand } from './suppressions';
import type { CliIo, Command } from './command';
import { briefly, CliError, EXIT } from './errors';
import { publishCommand } from './publish';
import { templatesCommand } from './templates';

export type { CliIo, Command, Writer } from './command';
export type { CliClient, ClientFactory, Connection } from './connection';
export { EXIT } from './errors';

/** The subcommands, in the order `notifier help` lists them. A new command is one more entry. */
export const COMMANDS: readonly Command[] = [publishCommand, broadcastCommand, statusCommand, suppressionsCommand, failuresCommand, replayCommand, resolveCommand, templatesCommand];

const HELP_WORDS = new Set(['help', '--help', '-h']);

/** The full usage text: the commands, the flags they share, and each command's own usage. */
export function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length), 'help'.length) + 3;
  const list = [...COMMANDS, { name: 'help', summary: 'this text; notifier help <command> for one command' }]
    .map((c) => `  ${c.name.padEnd(width)}${c.summary}`)
    .join('\n');
  return `notifier: publish notifications to the notifier's Pub/Sub topic, query failures, replay them,
resolve sends whose outcome is unknown.

Usage: notifier <command> [flags]    (in this repository: npm run notifier -- <command> [flags])

Commands:
${list}

Where to publish (every command):
  --project <id>          Google Cloud project (default: env GOOGLE_CLOUD_PROJECT)
  --topic <name>          the notifications topic (default: env NOTIFIER_TOPIC, else notifications)
  --encoding JSON|BINARY  the topic schema's encoding (default: env SCHEMA_ENCODING, else JSON)
  --local                 the npm start pipeline: topic notifications, project
                          ${LOCAL_DEFAULTS.GOOGLE_CLOUD_PROJECT} and the emulator at ${LOCAL_DEFAULTS.PUBSUB_EMULATOR_HOST} unless
                          GOOGLE_CLOUD_PROJECT / PUBSUB_EMULATOR_HOST say otherwise (as for npm start)
  --source <name>         the producing service, stamped on notifications without a source
  -h, --help              usage
  Without --local, PUBSUB_EMULATOR_HOST (when set) points the tool at a Pub/Sub emulator.

${COMMANDS.map((c) => c.usage).join('\n\n')}

Exit codes: 0 done; 1 publishing failed (running the same command again is safe; after
notifier resolve, run the notifier replay command it prints); 2 bad arguments, an invalid
notification, unreadable input, or a ledger row that cannot be resolved.
`;
}

function help(args: string[], io: CliIo): number {
  const topic = args[0];
  if (topic === undefined) {
    io.stdout.write(usage());
    return EXIT.OK;
  }
  const command = COMMANDS.find((c) => c.name === topic);
  if (!command) throw new CliError(`notifier help: no command "${topic}"; commands: ${COMMANDS.map((c) => c.name).join(', ')}`);
  io.stdout.write(`${command.usage}\n`);
  return EXIT.OK;
}

/** Expected failures print their message only; anything else also gets no stack trace, but exit 1. */
function reportError(err: unknown, io: CliIo): number {
  if (err instanceof CliError) {
    io.stderr.write(`${err.message}\n`);
    return err.exitCode;
  }
  if (err instanceof ConfigError) {
    io.stderr.write(`configuration error: ${err.message}\n`);
    return EXIT.USAGE;
  }
  io.stderr.write(`notifier: ${err instanceof Error ? briefly(err.message) : String(err)}\n`);
  return EXIT.PUBLISH_FAILED;
}

/**
 * Runs `notifier <argv>` and resolves to its exit code; never throws. `argv` is what
 * follows the program name (`process.argv.slice(2)`).
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  try {
    if (name === undefined) {
      io.stderr.write(usage());
      return EXIT.USAGE;
    }
    if (HELP_WORDS.has(name)) return help(args, io);
    const command = COMMANDS.find((c) => c.name === name);
    if (!command) {
      const hint = name.startsWith('-') ? 'the command comes first: notifier <command> [flags]' : 'see notifier help';
      throw new CliError(`notifier: unknown command "${name}" (${hint})`);
    }
    return await command.run(args, io);
  } catch (err) {
    return reportError(err, io);
  }
}

if (require.main === module) {
  // google-gax leaves its stub promise rejected and unhandled when, e.g., there are no
  // credentials; the same error also reaches the awaited publish, which reports it. Node's
  // default would crash with a stack trace over that report.
  process.on('unhandledRejection', () => undefined);
  void runCli(process.argv.slice(2), {
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    // A getter: stdin is only opened when a command reads `-`.
    get stdin() {
      return process.stdin;
    },
  }).then((code) => {
    process.exitCode = code;
  });
}
