import { TransientError } from '../../../src/delivery/failures';
import { classifyDatabaseError, DATABASE_UNAVAILABLE_CODES, isDatabaseUnavailable } from '../../../src/mysql/errors';

const dbError = (code?: string, message = 'database error') => Object.assign(new Error(message), code ? { code } : {});

function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('database unavailability', () => {
  test.each([...DATABASE_UNAVAILABLE_CODES])('when the error code is %s, then the database is unavailable: TransientError DATABASE_UNAVAILABLE', (code) => {
    const err = dbError(code);
    expect(isDatabaseUnavailable(err)).toBe(true);
    const thrown = thrownBy(() => classifyDatabaseError(err));
    expect(thrown).toBeInstanceOf(TransientError);
    expect(thrown).toMatchObject({ code: 'DATABASE_UNAVAILABLE', message: `MySQL unavailable (${code})`, cause: err });
  });

  test.each([
    "Can't add new command when connection is in closed state",
    'Pool is closed.',
  ])('when a code-less error says %p, then the database is unavailable', (message) => {
    const err = dbError(undefined, message);
    expect(isDatabaseUnavailable(err)).toBe(true);
    expect(() => classifyDatabaseError(err)).toThrow('MySQL unavailable (closed)');
  });

  test.each(['ER_DUP_ENTRY', 'ER_PARSE_ERROR', 'ER_NO_SUCH_TABLE', 'ER_ACCESS_DENIED_ERROR'])(
    'when the error code is %s, then it is not unavailability and is rethrown unchanged',
    (code) => {
      const err = dbError(code);
      expect(isDatabaseUnavailable(err)).toBe(false);
      expect(thrownBy(() => classifyDatabaseError(err))).toBe(err);
    },
  );

  test.each([
    ['undefined', undefined],
    ['null', null],
    ['a plain Error', new Error('something else')],
    ['a numeric code', { code: 1205 }],
  ])('when the error is %s, then it is not unavailability', (_, err) => {
    expect(isDatabaseUnavailable(err)).toBe(false);
  });
});
