import { FieldProblem, InvalidNotificationError } from '../client';
import type { Writer } from './command';

/** One line per problem, indented under the message that introduces them. */
export function formatProblems(problems: readonly FieldProblem[]): string {
  return problems.map((p) => `  ${p.field}: ${p.problem}\n`).join('');
}

/**
 * Prints an InvalidNotificationError as a heading and one line per field problem and
 * returns true; returns false for any other error, which the caller reports.
 */
export function reportInvalid(err: unknown, heading: string, out: Writer): boolean {
  if (!(err instanceof InvalidNotificationError)) return false;
  out.write(`${heading}\n${formatProblems(err.problems)}`);
  return true;
}
