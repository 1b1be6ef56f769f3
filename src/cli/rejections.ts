import type { RejectedRecipient } from '../client';
import type { RecipientRecord } from './recipients';

/** Rejected recipients printed one by one; past this many only their count is printed. */
export const MAX_REJECTIONS_SHOWN = 20;

/** Reports recipients whose notification was invalid, without flooding the terminal. */
export interface RejectionPrinter {
  onRejected(rejected: RejectedRecipient<RecipientRecord>): void;
  /** Prints how many were not shown, if any. */
  finish(): void;
}

/** `record 17 (key u17): email.to is not a valid email address; email.subject is required`. */
export function formatRejection(r: RejectedRecipient<RecipientRecord>): string {
  const problems = r.problems.map((p) => `${p.field} ${p.problem}`).join('; ');
  return `  rejected record ${r.recipient.number} (key ${r.key}): ${problems}`;
}

/** `printLine` prints a whole line (through the progress reporter, so the bar stays intact). */
export function makeRejectionPrinter(printLine: (line: string) => void, max = MAX_REJECTIONS_SHOWN): RejectionPrinter {
  let count = 0;
  return {
    onRejected(r) {
      if (++count <= max) printLine(formatRejection(r));
    },
    finish() {
      if (count > max) printLine(`  … and ${count - max} more rejected recipients (${count} in all)`);
    },
  };
}
