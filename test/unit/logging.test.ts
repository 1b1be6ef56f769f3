import { PassThrough } from 'node:stream';
import { createLogger, maskEmail, maskId, maskPhone, traceField } from '../../src/logging';

/** A logger writing to an in-memory stream, and a way to read back its JSON lines. */
function capture(level: string) {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString()));
  const log = createLogger(level, stream);
  const lines = async () => {
    await new Promise((resolve) => setImmediate(resolve));
    return chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  };
  return { log, lines };
}

describe('createLogger', () => {
  test.each([
    ['error', 'ERROR'],
    ['warn', 'WARNING'],
    ['info', 'INFO'],
    ['debug', 'DEBUG'],
  ])('when logging at %s, then the JSON line has severity %s', async (level, severity) => {
    const { log, lines } = capture('debug');
    log.log(level, 'hello', { messageId: 'm-1' });
    expect(await lines()).toEqual([expect.objectContaining({ severity, message: 'hello', messageId: 'm-1' })]);
  });

  test('when logging at a level with no Cloud Logging equivalent, then severity is DEFAULT', async () => {
    const { log, lines } = capture('silly');
    log.log('verbose', 'chatty');
    expect(await lines()).toEqual([expect.objectContaining({ severity: 'DEFAULT', message: 'chatty' })]);
  });

  test('when the level is warn, then info and debug lines are dropped', async () => {
    const { log, lines } = capture('warn');
    log.info('quiet');
    log.debug('quieter');
    log.warn('loud');
    expect((await lines()).map((l) => l.message)).toEqual(['loud']);
  });

  test('when a trace field is logged, then it appears under the Cloud Logging key', async () => {
    const { log, lines } = capture('info');
    log.info('traced', traceField('p', { cloudTrace: `${'a'.repeat(32)}/1;o=1` }));
    expect((await lines())[0]).toMatchObject({ 'logging.googleapis.com/trace': `projects/p/traces/${'a'.repeat(32)}` });
  });
});

describe('traceField', () => {
  const traceId = '105445aa7843bc8bf206b12000100000';

  test('when X-Cloud-Trace-Context is given, then the trace resource uses its trace id', () => {
    expect(traceField('proj', { cloudTrace: `${traceId}/1;o=1` })).toEqual({
      'logging.googleapis.com/trace': `projects/proj/traces/${traceId}`,
    });
  });

  test('when traceparent is given, then the trace resource uses its trace id', () => {
    expect(traceField('proj', { traceparent: `00-${traceId}-00f067aa0ba902b7-01` })).toEqual({
      'logging.googleapis.com/trace': `projects/proj/traces/${traceId}`,
    });
  });

  test('when both headers are given, then X-Cloud-Trace-Context wins', () => {
    const other = 'f'.repeat(32);
    expect(traceField('proj', { cloudTrace: `${traceId}/1`, traceparent: `00-${other}-00f067aa0ba902b7-01` })).toEqual({
      'logging.googleapis.com/trace': `projects/proj/traces/${traceId}`,
    });
  });

  test.each([
    ['no headers', {}],
    ['a short cloud trace id', { cloudTrace: 'abc/1;o=1' }],
    ['a non-hex cloud trace id', { cloudTrace: `${'z'.repeat(32)}/1` }],
    ['garbage traceparent', { traceparent: 'hello' }],
    ['traceparent with a short span id', { traceparent: `00-${traceId}-00f0-01` }],
    ['traceparent with trailing data', { traceparent: `00-${traceId}-00f067aa0ba902b7-01-extra` }],
  ])('when given %s, then there is no trace field', (_, headers) => {
    expect(traceField('proj', headers)).toEqual({});
  });
});

describe('maskEmail', () => {
  test.each([
    ['alice@example.com', 'a***@example.com'],
    ['a@example.com', 'a***@example.com'],
    ['we"ird@x@example.com', 'w***@example.com'],
    ['alice', '***'],
    ['@example.com', '***'],
    ['', '***'],
  ])('when masking %p, then it becomes %p', (address, masked) => {
    expect(maskEmail(address)).toBe(masked);
  });
});

describe('maskPhone', () => {
  test.each([
    ['+819012345678', '+81********78'],
    ['+14155550100', '+14*******00'],
    ['+1234567', '+12***67'],
    ['09012345678', '***'],
    ['', '***'],
  ])('when masking %p, then it becomes %p', (number, masked) => {
    expect(maskPhone(number)).toBe(masked);
  });
});

describe('maskId', () => {
  test.each([
    [`U${'a'.repeat(32)}`, 'Uaaa***'],
    ['fcm-token:APA91bHun4MxP5egoKMwt2KZFBaFUH', 'fcm-***'],
    ['short', '***'],
    ['', '***'],
  ])('when masking %p, then it becomes %p', (id, masked) => {
    expect(maskId(id)).toBe(masked);
  });
});
