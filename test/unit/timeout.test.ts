import { withTimeout } from '../../src/timeout';

class Late extends Error {}

describe('withTimeout', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  test('when the work resolves in time, then its value is returned and no timer is left', async () => {
    await expect(withTimeout(Promise.resolve(42), 1000, () => new Late())).resolves.toBe(42);
    expect(jest.getTimerCount()).toBe(0);
  });

  test('when the work rejects in time, then its error is passed through and no timer is left', async () => {
    const boom = new Error('boom');
    await expect(withTimeout(Promise.reject(boom), 1000, () => new Late())).rejects.toBe(boom);
    expect(jest.getTimerCount()).toBe(0);
  });

  test('when the work does not settle before ms, then it rejects with the timeout error', async () => {
    const racing = withTimeout(new Promise(() => undefined), 1000, () => new Late('too slow'));
    const assertion = expect(racing).rejects.toThrow(new Late('too slow'));
    jest.advanceTimersByTime(1000);
    await assertion;
  });

  test('when the deadline has not been reached, then it is still pending', async () => {
    let settled = false;
    const racing = withTimeout(new Promise(() => undefined), 1000, () => new Late()).catch(() => undefined).finally(() => {
      settled = true;
    });
    jest.advanceTimersByTime(999);
    await Promise.resolve();
    expect(settled).toBe(false);
    jest.advanceTimersByTime(1);
    await racing;
    expect(settled).toBe(true);
  });

  test('when the timeout error factory is used, then it is only called on timeout', async () => {
    const factory = jest.fn(() => new Late());
    await withTimeout(Promise.resolve('ok'), 1000, factory);
    expect(factory).not.toHaveBeenCalled();
  });
});
