import { CliError } from '../../../src/cli/errors';
import { parseFlags, parseFlagsAndArguments, positiveNumber, required } from '../../../src/cli/flags';

const OPTIONS = { type: { type: 'string' }, dry: { type: 'boolean' } } as const;

describe('parseFlags', () => {
  it('when command and global flags are given, then both are parsed', () => {
    const flags = parseFlags('publish', ['--type', 'x', '--dry', '--local', '--project=p', '-h'], OPTIONS);
    expect(flags).toEqual({ type: 'x', dry: true, local: true, project: 'p', help: true });
  });

  it('when an unknown flag is given, then a usage error names it and the command', () => {
    expect(() => parseFlags('publish', ['--typo', 'x'], OPTIONS)).toThrow(
      new CliError("notifier publish: Unknown option '--typo' (see notifier help publish)"),
    );
  });

  it('when a flag lacks its value, then the usage error names the flag', () => {
    expect(() => parseFlags('publish', ['--type'], OPTIONS)).toThrow("Option '--type <value>' argument missing");
  });

  it('when a positional argument is given, then the usage error names it', () => {
    expect(() => parseFlags('publish', ['extra'], OPTIONS)).toThrow("Unexpected argument 'extra'");
  });

  it('when a value is "-" (standard input), then it is accepted as the value', () => {
    expect(parseFlags('publish', ['--type', '-'], OPTIONS).type).toBe('-');
  });
});

describe('parseFlagsAndArguments', () => {
  it('when positional arguments come before, between and after the flags, then they are returned in order', () => {
    expect(parseFlagsAndArguments('resolve', ['a', '--type', 'x', 'b', '--local', '--', '--c'], OPTIONS)).toEqual({
      flags: { type: 'x', local: true },
      positionals: ['a', 'b', '--c'],
    });
  });

  it('when an unknown flag is given, then the usage error names it and the command', () => {
    expect(() => parseFlagsAndArguments('resolve', ['a', '--typo'], OPTIONS)).toThrow(
      new CliError("notifier resolve: Unknown option '--typo' (see notifier help resolve)"),
    );
  });
});

describe('required', () => {
  it('when the value is present, then it is returned', () => {
    expect(required('broadcast', 'id', 'spring')).toBe('spring');
  });

  it.each([undefined, '', '  '])('when the value is %p, then the error names the flag', (value) => {
    expect(() => required('broadcast', 'id', value)).toThrow('notifier broadcast: --id is required');
  });
});

describe('positiveNumber', () => {
  it('when absent, then undefined', () => {
    expect(positiveNumber('rate', undefined, false)).toBeUndefined();
  });

  it('when a positive number, then that number', () => {
    expect(positiveNumber('rate', '0.5', false)).toBe(0.5);
    expect(positiveNumber('max-outstanding', '100', true)).toBe(100);
  });

  it.each(['0', '-1', 'abc', '', 'Infinity'])('when %p, then the error names the flag', (value) => {
    expect(() => positiveNumber('rate', value, false)).toThrow(`--rate: "${value}" is not a positive number`);
  });

  it('when a fraction is given where an integer is needed, then it is refused', () => {
    expect(() => positiveNumber('max-outstanding', '1.5', true)).toThrow('is not a positive integer');
  });
});
