import { microsToDatetime } from '../../../src/failures/local-tables';

describe('microsToDatetime', () => {
  test.each([
    [0n, '1970-01-01 00:00:00.000000'],
    [1n, '1970-01-01 00:00:00.000001'],
    [1_763_773_323_456_789n, '2025-11-22 01:02:03.456789'],
    [-1n, '1969-12-31 23:59:59.999999'],
  ])('when the value is %p µs, then the UTC datetime keeps every microsecond', (micros, text) => {
    expect(microsToDatetime(micros)).toBe(text);
  });
});
