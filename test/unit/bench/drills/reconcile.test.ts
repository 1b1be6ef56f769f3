import { Evidence, openCount, reconcile, verdictOf, violations } from '../../../../bench/drills/reconcile';

function evidence(parts: Partial<Evidence> & { published: string[] }): Evidence {
  return { mails: new Map(), ledger: new Map(), deadLetters: new Map(), ...parts };
}

describe('verdictOf', () => {
  const cases: [string, number, string | undefined, string[], ReturnType<typeof verdictOf>][] = [
    ['one mail and a sent row', 1, 'sent', [], 'delivered_once'],
    ['one mail and a row left sending (ledger write failed after the send)', 1, 'sending', [], 'delivered_unrecorded'],
    ['one mail but a pending row (the answer was lost; it will be sent again)', 1, 'pending', [], 'delivered_retrying'],
    ['two mails', 2, 'sent', [], 'duplicate'],
    ['two mails after an unknown outcome', 2, 'unknown', ['SEND_OUTCOME_UNKNOWN'], 'duplicate'],
    ['an unknown row without a mail', 0, 'unknown', ['SEND_OUTCOME_UNKNOWN'], 'unknown'],
    ['an unknown row whose mail did arrive', 1, 'unknown', ['SEND_OUTCOME_UNKNOWN'], 'unknown'],
    ['an unknown dead letter whose row is not written yet', 0, 'sending', ['SEND_OUTCOME_UNKNOWN'], 'unknown'],
    ['no mail and a dead letter', 0, 'failed', ['ATTEMPTS_EXHAUSTED'], 'failed'],
    ["no mail and Pub/Sub's own dead letter", 0, 'pending', ['PUBSUB_DEAD_LETTER'], 'failed'],
    ['one mail and a dead letter', 1, 'failed', ['ATTEMPTS_EXHAUSTED'], 'delivered_and_failed'],
    ['no mail, no dead letter, a pending row', 0, 'pending', [], 'lost'],
    ['nothing at all', 0, undefined, [], 'lost'],
    ['a failed row whose dead letter has not arrived', 0, 'failed', [], 'lost'],
  ];
  test.each(cases)('when %s, then the verdict is as expected', (_what, mails, status, codes, verdict) => {
    expect(verdictOf(mails, status, codes)).toBe(verdict);
  });
});

describe('reconcile', () => {
  test('when every notification went somewhere, then the rows add up to published and nothing is a violation', () => {
    const a = reconcile(
      evidence({
        published: ['a', 'b', 'c', 'd'],
        mails: new Map([['a', 1], ['c', 1]]),
        ledger: new Map([['a', 'sent'], ['b', 'failed'], ['c', 'unknown'], ['d', 'unknown']]),
        deadLetters: new Map([['b', ['ATTEMPTS_EXHAUSTED']], ['c', ['SEND_OUTCOME_UNKNOWN']], ['d', ['SEND_OUTCOME_UNKNOWN']]]),
      }),
    );
    expect(a.counts).toMatchObject({ delivered_once: 1, failed: 1, unknown: 2, duplicate: 0, lost: 0 });
    expect(Object.values(a.counts).reduce((x, y) => x + y, 0)).toBe(a.published);
    expect(a.failedByCode).toEqual({ ATTEMPTS_EXHAUSTED: 1 });
    expect(a.unknownWithMail).toBe(1);
    expect(violations(a)).toEqual([]);
    expect(openCount(a)).toBe(0);
  });

  test('when a notification was dead-lettered twice, then it counts once, under the latest reason', () => {
    const a = reconcile(evidence({ published: ['a'], deadLetters: new Map([['a', ['PUBSUB_DEAD_LETTER', 'ATTEMPTS_EXHAUSTED']]]) }));
    expect(a.counts.failed).toBe(1);
    expect(a.failedByCode).toEqual({ ATTEMPTS_EXHAUSTED: 1 });
  });

  test('when a mail arrived twice and another notification left no trace, then both are violations with examples', () => {
    const a = reconcile(evidence({ published: ['a', 'b'], mails: new Map([['a', 2]]), ledger: new Map([['a', 'sent']]) }));
    expect(a.counts).toMatchObject({ duplicate: 1, lost: 1 });
    expect(violations(a)).toEqual(['duplicate=1 (e.g. a)', 'lost=1 (e.g. b)']);
    expect(openCount(a)).toBe(1);
  });

  test('when the ledger says unknown but no dead-letter row exists, then it is still open and reported', () => {
    const a = reconcile(evidence({ published: ['a'], ledger: new Map([['a', 'unknown']]) }));
    expect(a.counts.unknown).toBe(1);
    expect(a.unknownNotDeadLettered).toBe(1);
    expect(openCount(a)).toBe(1);
    expect(violations(a)).toEqual(['unknown outcomes not dead-lettered=1']);
  });

  test('when a mail carries an ID nobody published, then it is reported as stray', () => {
    const a = reconcile(evidence({ published: ['a'], mails: new Map([['a', 1], ['zzz', 1]]), ledger: new Map([['a', 'sent']]) }));
    expect(a.strayMails).toBe(1);
    expect(violations(a)).toEqual(['mails for unpublished IDs=1']);
  });

  test('when the same ID is published twice (a rerun), then it is accounted once', () => {
    const a = reconcile(evidence({ published: ['a', 'a'], mails: new Map([['a', 1]]), ledger: new Map([['a', 'sent']]) }));
    expect(a.counts.delivered_once).toBe(1);
  });
});
