import { formatRejection, makeRejectionPrinter } from '../../../src/cli/rejections';

const rejected = (n: number) => ({
  recipient: { number: n, fields: {} },
  index: n - 1,
  key: `u${n}`,
  problems: [
    { field: 'email.to', problem: 'is not a valid email address', code: 'INVALID_RECIPIENT' as const },
    { field: 'email.subject', problem: 'is required', code: 'INVALID_PAYLOAD' as const },
  ],
});

describe('formatRejection', () => {
  it('when a recipient is rejected, then the line names its record, key and every problem', () => {
    expect(formatRejection(rejected(17))).toBe(
      '  rejected record 17 (key u17): email.to is not a valid email address; email.subject is required',
    );
  });
});

describe('makeRejectionPrinter', () => {
  it('when more are rejected than the cap, then only the first are printed, then the count of the rest', () => {
    const lines: string[] = [];
    const printer = makeRejectionPrinter((l) => lines.push(l), 3);
    for (let n = 1; n <= 5; n++) printer.onRejected(rejected(n));
    printer.finish();
    expect(lines).toHaveLength(4);
    expect(lines[2]).toContain('record 3 ');
    expect(lines[3]).toBe('  … and 2 more rejected recipients (5 in all)');
  });

  it('when no more than the cap are rejected, then no count line is added', () => {
    const lines: string[] = [];
    const printer = makeRejectionPrinter((l) => lines.push(l), 3);
    printer.onRejected(rejected(1));
    printer.finish();
    expect(lines).toEqual([formatRejection(rejected(1))]);
  });
});
