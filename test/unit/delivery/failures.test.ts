import { asDeliveryError, PermanentError, TransientError } from '../../../src/delivery/failures';

describe('asDeliveryError', () => {
  test('when given a PermanentError, then it is returned unchanged', () => {
    const err = new PermanentError('BAD_CREDENTIALS', 'SMTP 535');
    expect(asDeliveryError(err)).toBe(err);
  });

  test('when given a TransientError, then it is returned unchanged', () => {
    const err = new TransientError('RATE_LIMITED', 'slow down');
    expect(asDeliveryError(err)).toBe(err);
  });

  test('when given a plain Error, then it becomes a transient INTERNAL error keeping the cause', () => {
    const cause = new Error('boom');
    const err = asDeliveryError(cause);
    expect(err).toBeInstanceOf(TransientError);
    expect(err).toMatchObject({ code: 'INTERNAL', kind: 'transient', cause });
    expect(err.message).toContain('boom');
  });

  test('when given a non-Error value, then it becomes a transient INTERNAL error naming the value', () => {
    const err = asDeliveryError('just a string');
    expect(err).toMatchObject({ code: 'INTERNAL', kind: 'transient' });
    expect(err.message).toContain('just a string');
  });
});

describe('error kinds', () => {
  test('when a PermanentError is built, then it carries kind permanent, its code and name', () => {
    expect(new PermanentError('INVALID_RECIPIENT', 'x')).toMatchObject({
      kind: 'permanent',
      code: 'INVALID_RECIPIENT',
      name: 'PermanentError',
    });
  });

  test('when a TransientError is built, then it carries kind transient, its code and name', () => {
    expect(new TransientError('PROVIDER_TIMEOUT', 'x')).toMatchObject({
      kind: 'transient',
      code: 'PROVIDER_TIMEOUT',
      name: 'TransientError',
    });
  });
});
