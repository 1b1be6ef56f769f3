import { makePublicTarget } from '../../../src/delivery/routing';
import { LOCAL_SUPPRESSION_KEY } from '../../../src/config';
import os from 'node:os';
import { fakePubSub, NOW_MS } from './fakes';
import { fakeLedger, LOCAL, resolve, unknownRow } from './resolve-fakes';

describe('notifier resolve: flags', () => {
  test.each([
    [['--channel', 'EMAIL', '--as', 'sent', ...LOCAL], 'notifier resolve: one notification ID, before or after the flags (none given'],
    [['n-1', 'n-2', '--channel', 'EMAIL', '--as', 'sent', ...LOCAL], '(got 2: n-1 n-2;'],
    [['n-1', '--as', 'sent', ...LOCAL], 'notifier resolve: --channel is required'],
    [['n-1', '--channel', 'fax', '--as', 'sent', ...LOCAL], '--channel: "fax" is not a channel'],
    [['n-1', '--channel', 'EMAIL:zz', '--as', 'sent', ...LOCAL], 'nor a routed contact like EMAIL:0a1b2c3d'],
    [['n-1', '--channel', 'EMAIL', ...LOCAL], 'notifier resolve: --as is required'],
    [['n-1', '--channel', 'EMAIL', '--as', 'maybe', ...LOCAL], '--as: "maybe" is not one of sent, failed, resend'],
    [['n-1', '--channel', 'EMAIL', '--as', 'sent', '--reason', 'x'.repeat(256), ...LOCAL], '--reason: 256 characters; the ledger keeps at most 255'],
    [['n-1', '--channel', 'EMAIL', '--as', 'sent', '--local', '--by', 'b'.repeat(129)], '--by: 129 characters; the ledger keeps at most 128'],
    [['n-1', '--channel', 'EMAIL', '--as', 'sent', '--local', '--by', ' '], 'notifier resolve: --by is required'],
    [['n-1', '--channel', 'EMAIL', '--as', 'sent', '--by', 'a'], 'where is the ledger? pass --mysql-url <url>, set MYSQL_URL, or use --local'],
    [['n-1', '--channel', 'EMAIL', '--as', 'sent', '--by', 'a', '--mysql-url', 'http://db/x'], '--mysql-url: not a mysql://user:pass@host:port/database URL'],
    [['n-1', '--channel', 'EMAIL', '--as', 'sent', '--by', 'a', '--mysql-url', 'mysql://db:3306'], '--mysql-url: not a mysql://'],
    [['n-1', '--channel', 'EMAIL', '--as', 'sent', '--by', 'a', '--local', '--limit', '3'], "notifier resolve: Unknown option '--limit' (see notifier help resolve)"],
  ])('when run with %p, then it is a usage error naming the problem, exit 2, and the ledger is not touched', async (args, message) => {
    const { ledger, writes } = fakeLedger({ 'n-1|EMAIL': unknownRow() });
    const result = await resolve(args, { resolutions: ledger });
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toContain(message);
    expect(writes).toEqual([]);
  });

  test('when --help, then the usage says what each mode does, the --by default and gives an example', async () => {
    const result = await resolve(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^notifier resolve <notificationId> --channel <channel> --as sent\|failed\|resend/);
    expect(result.stdout).toContain('default: your OS user name, from os.userInfo()');
    expect(result.stdout).toContain('Examples:\n    npm run notifier -- resolve order-42 --local --channel EMAIL --as resend');
  });

  test('when a reason of 255 characters has characters outside the BMP, then each counts once, as MySQL counts them', async () => {
    const { ledger, writes } = fakeLedger({ 'n-1|EMAIL': unknownRow() });
    const reason = '📨'.repeat(255);
    expect((await resolve(['n-1', '--channel', 'EMAIL', '--as', 'failed', '--reason', reason, ...LOCAL], { resolutions: ledger })).code).toBe(0);
    expect(writes[0]![1].note).toBe(reason);
  });

  test('when the ID starts with a dash, then it can follow --', async () => {
    const { ledger, writes } = fakeLedger({ '-odd|EMAIL': unknownRow() });
    expect((await resolve(['--channel', 'EMAIL', '--as', 'sent', ...LOCAL, '--', '-odd'], { resolutions: ledger })).code).toBe(0);
    expect(writes[0]![0]).toEqual({ notificationId: '-odd', channel: 'EMAIL' });
  });
});

describe('notifier resolve: sent and failed', () => {
  test('when an unknown row is resolved as sent, then the ledger records who, when and why, one line says so, and nothing is published', async () => {
    const { ledger, writes, closed } = fakeLedger({ 'n-1|EMAIL': unknownRow() });
    const pubsub = fakePubSub();
    const result = await resolve(['n-1', '--channel', 'email', '--as', 'SENT', '--reason', ' provider log 250 OK id=7 ', ...LOCAL], { resolutions: ledger, createClient: pubsub.createClient });
    expect(result).toEqual({
      code: 0,
      stdout: 'resolved n-1 (EMAIL) as sent by alice at 2025-01-01T00:00:00.000Z: unknown → sent; reason: provider log 250 OK id=7\n',
      stderr: '',
    });
    expect(writes).toEqual([[{ notificationId: 'n-1', channel: 'EMAIL' }, { resolution: 'sent', by: 'alice', note: 'provider log 250 OK id=7', atMs: NOW_MS }]]);
    expect(pubsub.published).toEqual([]);
    expect(closed()).toBe(1);
  });

  test('when the events topic is known (--local), then the resolution is also published as a resolved lifecycle event, its target keyed', async () => {
    const { ledger } = fakeLedger({ 'n-1|EMAIL:0a1b2c3d': unknownRow() });
    const pubsub = fakePubSub();
    const result = await resolve(['n-1', '--channel', 'EMAIL:0a1b2c3d', '--as', 'failed', ...LOCAL], { resolutions: ledger, createClient: pubsub.createClient });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(pubsub.events).toEqual([
      {
        topic: 'notifications-events',
        event: expect.objectContaining({ event: 'resolved', code: 'failed', notificationId: 'n-1', channel: 'EMAIL', occurredAtMs: NOW_MS, target: makePublicTarget(LOCAL_SUPPRESSION_KEY)('EMAIL:0a1b2c3d') }),
      },
    ]);
  });

  test('when publishing the event fails, then the resolution stands, exit 0, and stderr says the event is missing', async () => {
    const { ledger, rows } = fakeLedger({ 'n-1|EMAIL': unknownRow() });
    const pubsub = fakePubSub();
    const failing = (c: Parameters<typeof pubsub.createClient>[0]) => ({ ...pubsub.createClient(c), publishEvent: async () => Promise.reject(new Error('14 UNAVAILABLE')) });
    const result = await resolve(['n-1', '--channel', 'EMAIL', '--as', 'sent', ...LOCAL], { resolutions: ledger, createClient: failing });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^notifier resolve: the resolved event was not published to notifications-events: 14 UNAVAILABLE; the ledger has the resolution\n$/);
    expect(rows['n-1|EMAIL']).toMatchObject({ status: 'sent' });
  });

  test('when --by is not given, then the OS user name resolves it', async () => {
    const { ledger, writes } = fakeLedger({ 'n-1|EMAIL': unknownRow() });
    expect((await resolve(['n-1', '--channel', 'EMAIL', '--as', 'failed', '--local'], { resolutions: ledger })).code).toBe(0);
    expect(writes[0]![1]).toMatchObject({ resolution: 'failed', by: os.userInfo().username });
  });

  test('when the key is a routed contact, then that contact\'s ledger row is resolved', async () => {
    const { ledger, rows } = fakeLedger({ 'n-1|EMAIL:0a1b2c3d': unknownRow() });
    expect((await resolve(['n-1', '--channel', 'EMAIL:0A1B2C3D', '--as', 'failed', ...LOCAL], { resolutions: ledger })).code).toBe(0);
    expect(rows['n-1|EMAIL:0a1b2c3d']).toMatchObject({ status: 'failed', resolved: { resolution: 'failed', by: 'alice' } });
  });

  test('when there is no ledger row, then the error says so, exit 2', async () => {
    const result = await resolve(['n-9', '--channel', 'EMAIL', '--as', 'sent', ...LOCAL], { resolutions: fakeLedger({}).ledger });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('notifier resolve: no ledger row for n-9 (EMAIL): check the notification ID and --channel (notifier failures --list shows both)\n');
  });

  test.each(['sent', 'failed', 'sending', 'pending'] as const)('when the row is %s and was never resolved, then the error names its status, exit 2', async (status) => {
    const { ledger, writes } = fakeLedger({ 'n-1|EMAIL': unknownRow({ status }) });
    const result = await resolve(['n-1', '--channel', 'EMAIL', '--as', 'sent', ...LOCAL], { resolutions: ledger });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`notifier resolve: n-1 (EMAIL) is ${status}, not unknown: only an unknown send outcome can be resolved\n`);
    expect(writes).toEqual([]);
  });

  test('when the row was resolved before, then the error names who, when, as what and why', async () => {
    const resolved = { resolution: 'failed' as const, by: 'bob', at: new Date('2024-12-31T10:00:00.123Z'), note: 'bounced' };
    const { ledger } = fakeLedger({ 'n-1|EMAIL': unknownRow({ status: 'failed', resolved }) });
    const result = await resolve(['n-1', '--channel', 'EMAIL', '--as', 'sent', ...LOCAL], { resolutions: ledger });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'notifier resolve: n-1 (EMAIL) was already resolved as failed by bob at 2024-12-31T10:00:00.123Z (reason: bounced); ' +
        'its status is failed, and only an unknown send outcome can be resolved\n',
    );
  });

  test('when another resolve wins between the read and the conditional update, then this one reports the winner, exit 2', async () => {
    const fake = fakeLedger({ 'n-1|EMAIL': unknownRow() });
    fake.ledger.beforeResolve = (k) => {
      fake.rows[`${k.notificationId}|${k.channel}`] = unknownRow({ status: 'sent', resolved: { resolution: 'sent', by: 'carol', at: new Date(NOW_MS - 1000) } });
    };
    const result = await resolve(['n-1', '--channel', 'EMAIL', '--as', 'failed', ...LOCAL], { resolutions: fake.ledger });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('n-1 (EMAIL) was already resolved as sent by carol at 2024-12-31T23:59:59.000Z');
    expect(fake.writes).toEqual([]);
  });
});
