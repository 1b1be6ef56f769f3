import { checkMails } from '../../../bench/mail-check';

describe('checkMails', () => {
  test('when every pushed notification has exactly one mail, then nothing is duplicated or lost', () => {
    expect(checkMails(['a', 'b'], ['b', 'a'])).toMatchObject({ mails: 2, duplicates: 0, lost: 0, examples: [] });
  });

  test('when a notification was mailed three times, then two mails are duplicates', () => {
    const result = checkMails(['a', 'b'], ['a', 'a', 'a', 'b']);
    expect(result).toMatchObject({ duplicates: 2, lost: 0 });
    expect(result.examples).toEqual(['a: 3 mails']);
  });

  test('when a notification has no mail, then it is lost', () => {
    expect(checkMails(['a', 'b'], ['a'])).toMatchObject({ duplicates: 0, lost: 1, examples: ['b: no mail'] });
  });

  test('when a mail names an ID never pushed, or none at all, then it counts as an extra mail', () => {
    expect(checkMails(['a'], ['a', 'zzz', undefined])).toMatchObject({ duplicates: 2, lost: 0 });
  });

  test('when an ID was pushed several times (redeliveries), then it still expects one mail', () => {
    expect(checkMails(['a', 'a', 'a'], ['a'])).toMatchObject({ duplicates: 0, lost: 0 });
  });
});
