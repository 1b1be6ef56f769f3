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

/**
 * A Pub/Sub error message without the list of every retried attempt that google-gax
 * appends (` : Previous errors : [...]`), which can run to a screenful.
 */
export function briefly(message: string): string {
  return message.replace(/ : Previous errors : \[[\s\S]*\]/, '');
}
