import { lockName } from '../../../src/mysql/ledger';

describe('lockName', () => {
  test('when given a key, then the name is at most 64 characters and prefixed notifier:', () => {
    const name = lockName({ notificationId: 'n-1', channel: 'EMAIL' });
    expect(name.length).toBeLessThanOrEqual(64);
    expect(name).toMatch(/^notifier:[0-9a-f]+$/);
  });

  test('when the notification id is very long, then the name still fits in 64 characters', () => {
    expect(lockName({ notificationId: 'x'.repeat(10_000), channel: 'WEBHOOK' }).length).toBeLessThanOrEqual(64);
  });

  test('when given the same key twice, then the name is the same', () => {
    expect(lockName({ notificationId: 'n-1', channel: 'EMAIL' })).toBe(lockName({ notificationId: 'n-1', channel: 'EMAIL' }));
  });

  test('when the channels differ, then the names differ', () => {
    expect(lockName({ notificationId: 'n-1', channel: 'EMAIL' })).not.toBe(lockName({ notificationId: 'n-1', channel: 'SMS' }));
  });

  test('when the notification ids differ, then the names differ', () => {
    expect(lockName({ notificationId: 'n-1', channel: 'EMAIL' })).not.toBe(lockName({ notificationId: 'n-2', channel: 'EMAIL' }));
  });

  test('when long ids differ only in their last character, then the names differ', () => {
    const prefix = 'x'.repeat(500);
    expect(lockName({ notificationId: `${prefix}a`, channel: 'EMAIL' })).not.toBe(
      lockName({ notificationId: `${prefix}b`, channel: 'EMAIL' }),
    );
  });

  test('when id and channel could be concatenated ambiguously, then the names still differ', () => {
    expect(lockName({ notificationId: 'nEMAIL', channel: 'SMS' })).not.toBe(
      lockName({ notificationId: 'n', channel: 'EMAILSMS' as never }),
    );
  });

  test('when many distinct keys are named, then no two share a name', () => {
    const names = new Set(Array.from({ length: 5000 }, (_, i) => lockName({ notificationId: `n-${i}`, channel: 'EMAIL' })));
    expect(names.size).toBe(5000);
  });
});
