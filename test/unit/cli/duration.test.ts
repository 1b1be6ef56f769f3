import { formatClock, parseDuration } from '../../../src/cli/duration';
import { CliError } from '../../../src/cli/errors';

describe('parseDuration', () => {
  it.each([
    ['45s', 45_000],
    ['30m', 1_800_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    [' 2H ', 7_200_000],
  ])('when given %p, then it is %p ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '30', 'm', '1h30m', '0m', '-1h', '1.5h', '2w', 'two hours'])(
    'when given %p, then a CliError names the flag and shows the expected form',
    (text) => {
      expect(() => parseDuration(text, 'expires-in')).toThrow(CliError);
      expect(() => parseDuration(text, 'expires-in')).toThrow(`--expires-in: "${text}" is not a duration like 30m, 2h or 1d`);
    },
  );
});

describe('formatClock', () => {
  it.each([
    [0, '0:00'],
    [7_000, '0:07'],
    [754_000, '12:34'],
    [3_723_000, '1:02:03'],
    [-5_000, '0:00'],
  ])('when given %p ms, then it reads %p', (ms, text) => {
    expect(formatClock(ms)).toBe(text);
  });
});
