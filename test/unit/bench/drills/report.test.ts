import { parseArgs } from '../../../../bench/drills/args';
import { reconcile } from '../../../../bench/drills/reconcile';
import { notificationIdOf } from '../../../../bench/drills/mail-counter';
import { accountingTable, summaryLine } from '../../../../bench/drills/report';

const clean = reconcile({
  published: ['a', 'b'],
  mails: new Map([['a', 1]]),
  ledger: new Map([['a', 'sent'], ['b', 'failed']]),
  deadLetters: new Map([['b', ['INVALID_RECIPIENT']]]),
});

describe('summaryLine', () => {
  test('when nothing was violated, then it names every count and passes', () => {
    expect(summaryLine('crash', clean, { outage_s: 10 })).toBe(
      'drill crash: published=2 delivered_once=1 duplicates=0 failed=1 failed_codes=INVALID_RECIPIENT:1 unknown=0 lost=0 outage_s=10 result=PASS',
    );
  });

  test('when the drill reports a failure of its own, then it fails', () => {
    expect(summaryLine('broadcast', clean, {}, ['the rerun sent 1 new mail(s)'])).toMatch(/result=FAIL$/);
  });

  test('when a notification was lost, then it fails', () => {
    const lost = reconcile({ published: ['a'], mails: new Map(), ledger: new Map(), deadLetters: new Map() });
    expect(summaryLine('db-outage', lost)).toMatch(/lost=1 result=FAIL$/);
  });
});

describe('accountingTable', () => {
  test('when failures have codes, then each code gets its own row', () => {
    expect(accountingTable(clean)).toMatch(/failed with reason.*\s1\n\s+INVALID_RECIPIENT\s+1\n/);
  });
});

describe('parseArgs', () => {
  test('when only the name is given, then the defaults apply', () => {
    expect(parseArgs(['crash'])).toEqual({
      name: 'crash',
      durationSeconds: 60,
      outageSeconds: 10,
      inFlight: 10,
      faultAt: 0.3,
      kills: 3,
      smtpMode: 'refuse',
    });
  });

  test('when flags are given in both spellings, then both are read', () => {
    expect(parseArgs(['broadcast', '--recipients', '20000', '--in-flight=32'])).toMatchObject({ recipients: 20000, inFlight: 32 });
    expect(parseArgs(['smtp-outage', '--mode', 'hold', '--rate=150'])).toMatchObject({ smtpMode: 'hold', rate: 150 });
  });

  test('when the name is smtp-slow or lock-loss, then they are drills with the fault defaults', () => {
    expect(parseArgs(['smtp-slow'])).toMatchObject({ name: 'smtp-slow', outageSeconds: 10, faultAt: 0.3 });
    expect(parseArgs(['lock-loss', '--outage', '20', '--rate=50'])).toMatchObject({ name: 'lock-loss', outageSeconds: 20, rate: 50 });
  });

  test('when the name is unknown, then the usage lists every drill, the new ones included', () => {
    expect(() => parseArgs(['smtp-slwo'])).toThrow(/<broadcast\|db-outage\|smtp-outage\|smtp-slow\|lock-loss\|crash\|capacity>/);
  });

  test.each([
    [['nope'], /unknown drill "nope"/],
    [['capacity', '--peak'], /--peak needs a positive number/],
    [['capacity', '--peak', '-3'], /--peak needs a positive number/],
    [['crash', '--at', '1.5'], /--at is a fraction/],
    [['crash', '--speed', '3'], /unknown flag "--speed"/],
    [['smtp-outage', '--mode', 'slow'], /--mode is one of refuse, hold/],
  ])('when the arguments are %j, then it refuses them naming the problem', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(message);
  });
});

describe('notificationIdOf', () => {
  test('when the header is present, then its value is the ID, whatever the case of the name', () => {
    expect(notificationIdOf('From: a@b\r\nx-notification-id: n-1 \r\nSubject: s\r\n\r\nbody')).toBe('n-1');
  });

  test('when only the body mentions the header, then the mail has no ID', () => {
    expect(notificationIdOf('From: a@b\r\n\r\nX-Notification-Id: n-1')).toBe('(no X-Notification-Id)');
  });
});
