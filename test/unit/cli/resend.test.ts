import { openResendStore, replayCommandFor, Resend, ResendSource } from '../../../src/cli/resend';
import { CHANNELS } from '../../../src/codec/notification';
import { NOW_MS } from './fakes';

const KEY = { notificationId: 'order 42', channel: 'EMAIL:0a1b2c3d' };
const RESEND: Resend = {
  notification: { notificationId: 'order 42', accountId: '', type: 't', channel: CHANNELS.EMAIL, source: '', createdAtMicros: 1n, expiresAtMicros: 0n },
  attributes: {},
  failedAtMs: NOW_MS - 3 * 86_400_000 - 1,
};
const local: ResendSource = { local: true, ledgerUrl: 'mysql://root@127.0.0.1:3306/notifier', ledgerUrlFromFlag: false };

describe('replayCommandFor', () => {
  test('when resolve ran with --local, then the replay command is --local with the key, quoted, and a window that includes the failure', () => {
    expect(replayCommandFor(KEY, RESEND, NOW_MS, local, {})).toBe(
      "notifier replay --local --notification 'order 42' --channel EMAIL:0a1b2c3d --since 5d",
    );
  });

  test('when the ledger came from --mysql-url with a password, then the password is masked and the command says so', () => {
    const where = { ledgerUrl: 'mysql://ops:s3cret@db:3306/notifier', ledgerUrlFromFlag: true, project: 'prod', topic: 'notifications' };
    expect(replayCommandFor(KEY, RESEND, NOW_MS, where, {})).toBe(
      "notifier replay --project prod --topic notifications --mysql-url 'mysql://ops:***@db:3306/notifier' --notification 'order 42' " +
        '--channel EMAIL:0a1b2c3d --since 5d (with your password in place of ***)',
    );
  });

  test('when the ledger came from MYSQL_URL without --local, then the command points replay at the same variable', () => {
    const where = { ledgerUrl: 'mysql://ops:s3cret@db:3306/notifier', ledgerUrlFromFlag: false };
    expect(replayCommandFor(KEY, RESEND, NOW_MS, where, {})).toContain('notifier replay --mysql-url "$MYSQL_URL" --notification');
  });

  test('when the dead letters are in BigQuery, then --dataset is repeated, or left to FAILURES_DATASET when it named them', () => {
    const where = { ledgerUrl: 'mysql://ops@db:3306/notifier', ledgerUrlFromFlag: true };
    expect(replayCommandFor(KEY, RESEND, NOW_MS, { ...where, dataset: 'my-project.failures' }, {})).toMatch(/^notifier replay --dataset my-project\.failures --notification/);
    expect(replayCommandFor(KEY, RESEND, NOW_MS, where, { FAILURES_DATASET: 'my-project.failures' })).toMatch(/^notifier replay --notification/);
  });
});

describe('openResendStore', () => {
  test.each([
    ['--local', 'MySQL 127.0.0.1:3306/notifier', local, { FAILURES_DATASET: 'my-project.failures' }],
    ['--mysql-url only', 'MySQL db:3306/ledger', { ledgerUrl: 'mysql://u@db:3306/ledger', ledgerUrlFromFlag: true }, {}],
    ['FAILURES_DATASET', 'BigQuery my-project.failures', { ledgerUrl: 'mysql://u@db:3306/ledger', ledgerUrlFromFlag: true }, { FAILURES_DATASET: 'my-project.failures' }],
    ['--dataset with --local', 'BigQuery my-project.other', { ...local, dataset: 'my-project.other' }, {}],
  ])('when resolve is given %s, then the dead letters are read from %s', async (_, name, source, env) => {
    const store = openResendStore(source, env);
    try {
      expect(store.name).toBe(name);
    } finally {
      await store.close();
    }
  });
});
