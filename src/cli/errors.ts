/** The CLI's exit codes; the usage text documents them. */
export const EXIT = Object.freeze({
  OK: 0,
  /** Publishing failed; re-running the same command is safe. */
  PUBLISH_FAILED: 1,
  /** Bad arguments, an invalid notification or template, or unreadable input. */
  USAGE: 2,
});

/**
 * An expected failure: its message is printed as is (no stack trace) and the process
 * exits with `exitCode`.
 */
export class CliError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT.USAGE) {
    super(message);
    this.name = 'CliError';
  }
}

/** What to do about a database without what a command reads, by MySQL error code. */
export type SchemaHints = Partial<Record<'ER_BAD_FIELD_ERROR' | 'ER_NO_SUCH_TABLE', string>>;

/**
 * A command's first read of a database that is not (yet) the notifier's: a wrong database
 * named, or a migration not applied, said as what to do. Any other error is rethrown.
 */
export function explainSchema(command: string, hints: SchemaHints) {
  return (err: unknown): never => {
    const code = (err as { code?: unknown }).code;
    if (code === 'ER_BAD_DB_ERROR') throw new CliError(`${command}: ${(err as Error).message}: check --mysql-url / MYSQL_URL`);
    const hint = code === 'ER_BAD_FIELD_ERROR' || code === 'ER_NO_SUCH_TABLE' ? hints[code] : undefined;
    if (hint) throw new CliError(`${command}: ${hint}`);
    throw err;
  };
}

/** The hint for a database without the delivery ledger. */
export const NO_LEDGER = "no delivery_ledger in that database: is it the notifier's? (npm run migrate creates it)";

/**
 * A Pub/Sub error message without the list of every retried attempt that google-gax
 * appends (` : Previous errors : [...]`), which can run to a screenful.
 */
export function briefly(message: string): string {
  return message.replace(/ : Previous errors : \[[\s\S]*\]/, '');
}
