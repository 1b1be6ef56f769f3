/**
 * Exactly once, checked at the SMTP sink: every notification pushed must have produced
 * one mail, however often it was pushed again; a mail for an ID never pushed is an extra.
 */
export interface MailCheck {
  mails: number;
  /** Mails beyond the first per notification, plus mails for IDs never pushed. */
  duplicates: number;
  /** Pushed notifications without any mail. */
  lost: number;
  /** A few offending IDs, for the error message. */
  examples: string[];
}

export function checkMails(pushedIds: Iterable<string>, mailIds: readonly (string | undefined)[]): MailCheck {
  const perId = new Map<string, number>();
  for (const id of mailIds) {
    const key = id ?? '(no X-Notification-Id)';
    perId.set(key, (perId.get(key) ?? 0) + 1);
  }
  const result: MailCheck = { mails: mailIds.length, duplicates: 0, lost: 0, examples: [] };
  const note = (what: string) => result.examples.length < 5 && result.examples.push(what);
  const expected = new Set(pushedIds);
  for (const id of expected) {
    const n = perId.get(id) ?? 0;
    if (n === 0) {
      result.lost++;
      note(`${id}: no mail`);
    } else if (n > 1) {
      result.duplicates += n - 1;
      note(`${id}: ${n} mails`);
    }
  }
  for (const [id, n] of perId) {
    if (expected.has(id)) continue;
    result.duplicates += n;
    note(`${id}: ${n} mails, never pushed`);
  }
  return result;
}
