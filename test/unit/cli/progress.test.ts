import { formatProgressBar, formatProgressLine, makeProgressReporter, perSecond, PLAIN_PROGRESS_INTERVAL_MS } from '../../../src/cli/progress';

const progress = (published: number, elapsedMs: number, extra: { rejected?: number; done?: boolean } = {}) => ({
  read: published + (extra.rejected ?? 0),
  published,
  rejected: extra.rejected ?? 0,
  elapsedMs,
  done: extra.done ?? false,
});

describe('formatProgressBar', () => {
  it('when the total is known, then bar, percentage, counts, rate, elapsed time and ETA are shown', () => {
    expect(formatProgressBar({ published: 250, rejected: 0, elapsedMs: 5000, total: 1000 })).toBe(
      '[#####---------------]  25.0%  250/1000  50/s  0:05  ETA 0:15',
    );
  });

  it('when some were rejected, then they count as done and are shown', () => {
    expect(formatProgressBar({ published: 450, rejected: 50, elapsedMs: 10_000, total: 1000 })).toBe(
      '[##########----------]  50.0%  450/1000  45/s  0:10  ETA 0:10  50 rejected',
    );
  });

  it('when nothing is done yet, then the ETA is unknown', () => {
    expect(formatProgressBar({ published: 0, rejected: 0, elapsedMs: 0, total: 10 })).toBe(
      '[--------------------]   0.0%  0/10  0/s  0:00  ETA ?',
    );
  });

  it('when more records were read than counted, then it stops at 100%', () => {
    expect(formatProgressBar({ published: 12, rejected: 0, elapsedMs: 1000, total: 10 })).toBe(
      '[####################] 100.0%  12/10  12/s  0:01  ETA 0:00',
    );
  });

  it('when the total is unknown (standard input), then counts and rate only', () => {
    expect(formatProgressBar({ published: 1234, rejected: 0, elapsedMs: 61_000 })).toBe('published 1234  20/s  1:01');
  });
});

describe('formatProgressLine', () => {
  it('when the total is known, then one plain sentence with percentage and ETA', () => {
    expect(formatProgressLine('spring', { published: 300, rejected: 2, elapsedMs: 6000, total: 1000 })).toBe(
      'broadcast spring: published 300/1000 (30.2%), rejected 2, 50/s, elapsed 0:06, ETA 0:14',
    );
  });

  it('when the total is unknown, then no percentage or ETA', () => {
    expect(formatProgressLine('spring', { published: 300, rejected: 0, elapsedMs: 6000 })).toBe(
      'broadcast spring: published 300, rejected 0, 50/s, elapsed 0:06',
    );
  });
});

describe('perSecond', () => {
  it('when no time has passed, then 0 rather than infinity', () => {
    expect(perSecond(10, 0)).toBe(0);
  });
});

describe('makeProgressReporter', () => {
  function writer(isTTY: boolean) {
    const chunks: string[] = [];
    return { out: { isTTY, write: (s: string) => chunks.push(s) }, text: () => chunks.join('') };
  }

  it('when writing to a terminal, then each update redraws one line and the end closes it', () => {
    const { out, text } = writer(true);
    const reporter = makeProgressReporter(out, { broadcastId: 'b', total: 4, now: () => 0 });
    reporter.update(progress(2, 1000));
    reporter.update(progress(4, 2000, { done: true }));
    reporter.finish();
    expect(text()).toBe(
      '\r[##########----------]  50.0%  2/4  2/s  0:01  ETA 0:01\x1b[K' +
        '\r[####################] 100.0%  4/4  2/s  0:02  ETA 0:00\x1b[K\n',
    );
  });

  it('when a line is logged under a drawn bar, then the bar is cleared, the line printed and the bar redrawn', () => {
    const { out, text } = writer(true);
    const reporter = makeProgressReporter(out, { broadcastId: 'b', now: () => 0 });
    reporter.update(progress(1, 1000));
    reporter.log('rejected record 2');
    expect(text()).toBe(
      '\rpublished 1  1/s  0:01\x1b[K' + '\r\x1b[Krejected record 2\n' + '\rpublished 1  1/s  0:01\x1b[K',
    );
  });

  it('when not a terminal, then a plain line is written only once the interval has passed, and none at the end', () => {
    const { out, text } = writer(false);
    const clock = { now: 1000 };
    const reporter = makeProgressReporter(out, { broadcastId: 'b', total: 10, now: () => clock.now });
    reporter.update(progress(1, 100));
    clock.now += PLAIN_PROGRESS_INTERVAL_MS - 1;
    reporter.update(progress(2, 4999));
    clock.now += 1;
    reporter.update(progress(5, 5000));
    clock.now += 1;
    reporter.update(progress(6, 5001));
    reporter.update(progress(10, 9000, { done: true }));
    reporter.finish();
    expect(text()).toBe('broadcast b: published 5/10 (50.0%), rejected 0, 1/s, elapsed 0:05, ETA 0:05\n');
  });

  it('when not a terminal, then logged lines are printed as they are', () => {
    const { out, text } = writer(false);
    makeProgressReporter(out, { broadcastId: 'b', now: () => 0 }).log('x');
    expect(text()).toBe('x\n');
  });
});
