import { runCli } from '../../../src/cli/main';
import { filtersFrom } from '../../../src/cli/failure-flags';
import { formatTable } from '../../../src/cli/table';
import { Row } from '../../../src/failures/store';
import { captureIo, deadLetterRow as deadLetter, fakeFailureStore as fakeStore, fakePubSub, NOW_MS } from './fakes';

const candidate = (id: string, messageId: string, payload = 'notification'): Row => ({
  failed_at: '2024-12-31 23:30:00.000000',
  notification_id: id,
  channel: 'EMAIL',
  failure_code: 'ATTEMPTS_EXHAUSTED',
  message_id: messageId,
  source_message_id: `src-${messageId}`,
  payload,
});

describe('filtersFrom', () => {
  test('when no flag is given, then the window is the last 24 hours and nothing else is filtered', () => {
    expect(filtersFrom({}, NOW_MS)).toEqual({ since: new Date(NOW_MS - 86_400_000), channel: undefined, type: undefined, code: undefined, account: undefined, limit: undefined });
  });

  test('when filters are given, then channel and code are normalised', () => {
    expect(filtersFrom({ since: '7d', channel: 'email', code: 'attempts_exhausted', limit: '5' }, NOW_MS)).toMatchObject({
      since: new Date(NOW_MS - 7 * 86_400_000),
      channel: 'EMAIL',
      code: 'ATTEMPTS_EXHAUSTED',
      limit: 5,
    });
  });

  test("when one notification's routed contact is asked for, then its ID and target are filters and the channel is the target's", () => {
    expect(filtersFrom({ notification: 'n-1', channel: 'email:0A1B2C3D' }, NOW_MS)).toMatchObject({
      notificationId: 'n-1',
      channel: 'EMAIL',
      target: 'EMAIL:0a1b2c3d',
    });
  });

  test.each([
    [{ channel: 'EMAIL:xyz' }, '--channel: "EMAIL:xyz" is not a channel, nor a routed contact like EMAIL:0a1b2c3d'],
    [{ channel: 'EMAIL:0a1b2c3d:9' }, 'nor a routed contact'],
    [{ since: 'yesterday' }, '--since: "yesterday" is not a duration like 30m, 24h or 7d'],
    [{ channel: 'fax' }, '--channel: "fax" is not a channel'],
    [{ limit: '0' }, '--limit: "0" is not a positive integer'],
  ])('when %p, then the flag is named', (flags, message) => {
    expect(() => filtersFrom(flags, NOW_MS)).toThrow(message);
  });
});

describe('formatTable', () => {
  test('when rows are printed, then columns align, nulls show as - and long cells are cut', () => {
    expect(formatTable([{ a: 'x', b: null }, { a: 'long value', b: 2 }], ['a', 'b'], 6)).toBe(
      'a       b\n------  -\nx       -\nlong …  2\n',
    );
  });
});

describe('notifier failures', () => {
  test('when run without --list, then the summary is printed as a table', async () => {
    const { store, asked } = fakeStore({ summary: [{ failures: 3, channel: 'EMAIL', type: 't', failure_code: 'C', source: 's' }] });
    const cap = captureIo({ failureStore: store });
    expect(await runCli(['failures', '--code', 'c'], cap.io)).toBe(0);
    expect(cap.stdout()).toMatch(/^failures\s+channel\s+type\s+failure_code/);
    expect(cap.stdout()).toContain('3         EMAIL    t     C');
    expect(asked[0]).toMatchObject({ code: 'C' });
  });

  test('when --list --json, then the rows are printed as JSON', async () => {
    const rows = [{ notification_id: 'n-1', failure_code: 'C' }];
    const cap = captureIo({ failureStore: fakeStore({ list: rows }).store });
    expect(await runCli(['failures', '--list', '--json'], cap.io)).toBe(0);
    expect(JSON.parse(cap.stdout())).toEqual(rows);
  });

  test('when --dry-run is asked of a store that cannot estimate, then it is a usage error', async () => {
    const cap = captureIo({ failureStore: fakeStore().store });
    expect(await runCli(['failures', '--dry-run'], cap.io)).toBe(2);
    expect(cap.stderr()).toContain('--dry-run estimates BigQuery bytes; fake store has nothing to estimate');
  });

  test('when no store is named, then the error says how to name one', async () => {
    const cap = captureIo();
    expect(await runCli(['failures'], cap.io)).toBe(2);
    expect(cap.stderr()).toContain('pass --dataset <project.dataset>');
  });
});

describe('notifier replay', () => {
  const rows = {
    candidates: [candidate('n-1', '1'), candidate('n-2', '2'), candidate('', '3', 'poison'), candidate('n-4', '4')],
    deadLetters: [deadLetter('n-1', '1'), deadLetter('n-2', '2', 'not-an-address')],
  };

  test('when --dry-run, then the count and a sample are printed, poison is explained, and nothing is published', async () => {
    const pubsub = fakePubSub();
    const cap = captureIo({ failureStore: fakeStore(rows).store, createClient: pubsub.createClient });
    expect(await runCli(['replay', '--dry-run'], cap.io)).toBe(0);
    expect(cap.stdout()).toContain('would replay 3 failed notification(s) from fake store to notifications');
    expect(cap.stdout()).toContain('n-4');
    expect(cap.stderr()).toContain('1 poison message(s) match but cannot be replayed: their payloads never decoded');
    expect(pubsub.published).toEqual([]);
  });

  test('when replaying, then each valid one is republished with its original ID and the replay attribute; the rest are explained', async () => {
    const pubsub = fakePubSub();
    const cap = captureIo({ failureStore: fakeStore(rows).store, createClient: pubsub.createClient });
    expect(await runCli(['replay'], cap.io)).toBe(0);
    expect(pubsub.published.map((n) => [n.notificationId, n.createdAtMicros])).toEqual([['n-1', 1_735_686_000_000_000n]]);
    expect(pubsub.attributes).toEqual([{ notifier_replay_of: 'src-1' }]);
    expect(cap.stderr()).toContain('skipped n-2 (EMAIL): still invalid\n  email.to: is not a valid email address');
    expect(cap.stderr()).toContain('skipped n-4 (EMAIL): its dead-letter row was not found');
    expect(cap.stdout()).toContain('replayed 1 of 3 failed notification(s) to notifications (2 skipped)');
  });
  test('when no signing key is set, then replay refuses with exit 2, naming INTERNAL_SIGNING_KEYS, and publishes nothing', async () => {
    const pubsub = fakePubSub();
    const cap = captureIo({ failureStore: fakeStore(rows).store, createClient: pubsub.createClient, env: { GOOGLE_CLOUD_PROJECT: 'test-project' } });
    expect(await runCli(['replay'], cap.io)).toBe(2);
    expect(cap.stderr()).toContain('notifier replay needs INTERNAL_SIGNING_KEYS');
    expect(pubsub.published).toEqual([]);
  });

  test('when one notification and contact are named, then the store is asked for exactly those', async () => {
    const { store, asked } = fakeStore();
    const cap = captureIo({ failureStore: store, createClient: fakePubSub().createClient });
    expect(await runCli(['replay', '--notification', 'n-5', '--channel', 'EMAIL:0a1b2c3d'], cap.io)).toBe(0);
    expect(asked[0]).toMatchObject({ notificationId: 'n-5', channel: 'EMAIL', target: 'EMAIL:0a1b2c3d' });
  });

  test('when a failed message was one contact of a routed notification, then its replay carries its target so only that contact is retried', async () => {
    const routedRow = { ...deadLetter('n-5', '5'), attributes: '{"notifier_target":"EMAIL:0a1b2c3d","notifier_routed_from":"r-1"}' };
    const pubsub = fakePubSub();
    const cap = captureIo({ failureStore: fakeStore({ candidates: [candidate('n-5', '5')], deadLetters: [routedRow] }).store, createClient: pubsub.createClient });
    expect(await runCli(['replay'], cap.io)).toBe(0);
    expect(pubsub.attributes).toEqual([{ notifier_target: 'EMAIL:0a1b2c3d', notifier_replay_of: 'src-5' }]);
  });
});
