import { Accounting, violations } from './reconcile';

/** Extra `key=value` pairs a drill adds to its summary (rates, timings). */
export type Extras = Record<string, string | number>;

const pad = (label: string, value: string | number) => `  ${label.padEnd(48)} ${String(value).padStart(9)}`;

/** The accounting table: every published notification lands in exactly one of these rows. */
export function accountingTable(a: Accounting): string {
  const c = a.counts;
  const lines = [
    pad('published', a.published),
    pad('delivered once (1 mail, ledger sent)', c.delivered_once),
    pad("delivered once, ledger left 'sending' (acked)", c.delivered_unrecorded),
    pad("delivered, but ledger 'pending' (would resend)", c.delivered_retrying),
    pad('duplicates (2+ mails)', c.duplicate),
    pad('failed with reason (dead-letter row)', c.failed),
    ...Object.entries(a.failedByCode)
      .sort(([x], [y]) => x.localeCompare(y))
      .map(([code, n]) => pad(`  ${code}`, n)),
    pad('unknown outcome (SEND_OUTCOME_UNKNOWN)', c.unknown),
    pad('  of which the SMTP server had the mail', a.unknownWithMail),
    pad('delivered and also dead-lettered', c.delivered_and_failed),
    pad('lost (published − all of the above)', c.lost),
    pad('  of which the ledger says: being retried', a.lostInRetry),
  ];
  if (a.strayMails) lines.push(pad('mails for IDs never published', a.strayMails));
  return lines.join('\n');
}

/** The final one-line summary every drill prints; `failures` are the drill's own (besides the accounting's). */
export function summaryLine(name: string, a: Accounting, extras: Extras = {}, failures: readonly string[] = []): string {
  const c = a.counts;
  const failed = Object.entries(a.failedByCode).map(([code, n]) => `${code}:${n}`).join(',');
  const fields: Extras = {
    published: a.published,
    delivered_once: c.delivered_once + c.delivered_unrecorded,
    duplicates: c.duplicate,
    failed: c.failed,
    ...(failed && { failed_codes: failed }),
    unknown: c.unknown,
    lost: c.lost,
    ...(c.delivered_unrecorded && { ledger_unrecorded: c.delivered_unrecorded }),
    ...(c.delivered_retrying && { delivered_retrying: c.delivered_retrying }),
    ...(c.delivered_and_failed && { delivered_and_failed: c.delivered_and_failed }),
    ...extras,
    result: violations(a).length + failures.length === 0 ? 'PASS' : 'FAIL',
  };
  return `drill ${name}: ${Object.entries(fields).map(([k, v]) => `${k}=${v}`).join(' ')}`;
}

/** Rate per second, one decimal. */
export const perSecond = (count: number, ms: number) => (ms > 0 ? Math.round((count * 10000) / ms) / 10 : 0);
