import { OutcomeUnknownError, PermanentError, TransientError } from '../../../src/delivery/failures';
import { classifyResponse, COMMON_STATUSES, defaultVerdict, OutcomeTable, permanent, retryAfterMs, transient, unknownOutcome } from '../../../src/channels/http-outcomes';

const NOW = Date.parse('2026-12-04T00:00:00Z');

describe('retryAfterMs', () => {
  test.each([
    ['30', 30_000],
    ['0', 0],
    [' 5 ', 5_000],
    ['Fri, 04 Dec 2026 00:01:00 GMT', 60_000],
    ['Thu, 03 Dec 2026 00:00:00 GMT', 0],
    ['999999999', 24 * 3600 * 1000],
    ['soon', undefined],
    ['-5', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('when Retry-After is %p, then it means %p ms', (value, ms) => {
    expect(retryAfterMs(value === undefined ? {} : { 'retry-after': value }, NOW)).toBe(ms);
  });
});

describe('classifyResponse', () => {
  const table: OutcomeTable = {
    statuses: { 401: permanent('BAD_CREDENTIALS'), 404: permanent('INVALID_RECIPIENT') },
    codes: { UNREGISTERED: permanent('UNREGISTERED_DEVICE'), QUOTA_EXCEEDED: transient('RATE_LIMITED') },
  };
  const res = (status: number, headers: Record<string, string> = {}) => ({ status, headers });

  test('when the provider code is in the table, then it wins over the status', () => {
    const err = classifyResponse('fcm', res(404), table, 'UNREGISTERED');
    expect(err).toBeInstanceOf(PermanentError);
    expect(err).toMatchObject({ code: 'UNREGISTERED_DEVICE', message: 'fcm answered HTTP 404 (UNREGISTERED)' });
  });

  test('when the provider code is unknown, then the status decides', () => {
    expect(classifyResponse('fcm', res(401), table, 'SOMETHING_NEW')).toMatchObject({ kind: 'permanent', code: 'BAD_CREDENTIALS' });
  });

  test('when a provider code names an inherited property, then it is not mistaken for a table entry', () => {
    expect(classifyResponse('fcm', res(404), table, 'toString')).toMatchObject({ code: 'INVALID_RECIPIENT' });
  });

  test.each(Object.entries(COMMON_STATUSES))('when the table leaves out %s, then the common verdict applies', (status, verdict) => {
    expect(classifyResponse('p', res(Number(status)), { statuses: {} })).toMatchObject(verdict);
  });

  test.each([
    [400, 'permanent', 'PROVIDER_REJECTED'],
    [418, 'permanent', 'PROVIDER_REJECTED'],
    [302, 'permanent', 'PROVIDER_REJECTED'],
    [501, 'transient', 'PROVIDER_UNAVAILABLE'],
    [599, 'transient', 'PROVIDER_UNAVAILABLE'],
  ])('when no table names %s, then by class it is %s %s', (status, kind, code) => {
    expect(defaultVerdict(status)).toEqual({ kind, code });
  });

  test('when a transient answer carries Retry-After, then the error carries it; a permanent one does not', () => {
    const limited = classifyResponse('line', res(429, { 'retry-after': '30' }), { statuses: {} }, undefined, NOW);
    expect(limited).toBeInstanceOf(TransientError);
    expect(limited).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 30_000 });
    expect(classifyResponse('line', res(400, { 'retry-after': '30' }), { statuses: {} })).not.toHaveProperty('retryAfterMs');
  });

  test('when the table says the outcome is unknown, then it is an OutcomeUnknownError (never resent silently)', () => {
    const err = classifyResponse('slack-api', res(200), { statuses: {}, codes: { fatal_error: unknownOutcome() } }, 'fatal_error');
    expect(err).toBeInstanceOf(OutcomeUnknownError);
    expect(err.message).toBe('slack-api answered HTTP 200 (fatal_error): the message may have been sent');
  });
});
