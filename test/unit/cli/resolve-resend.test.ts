import { runCli } from '../../../src/cli/main';
import type { Row } from '../../../src/failures/store';
import { captureIo, deadLetterRow, fakeFailureStore, fakePubSub, NOW_MS } from './fakes';
import { fakeLedger, LOCAL, loggedPubSub, record, resolve, UPDATED_AT, unknownRow } from './resolve-fakes';

describe('notifier resolve --as resend', () => {
  const store = (candidates: Row[], deadLetters: Row[]) => fakeFailureStore({ candidates, deadLetters });

  test('when resent, then the ledger is resolved first and the rebuilt notification is published once, as notifier replay would', async () => {
    const events: string[] = [];
    const { ledger, rows } = fakeLedger({ 'n-1|EMAIL': unknownRow({ replays: 1 }) }, events);
    const failures = store([record('n-1', '11')], [deadLetterRow('n-1', '11')]);
    const pubsub = loggedPubSub(events);
    const result = await resolve(['n-1', '--channel', 'EMAIL', '--as', 'resend', ...LOCAL], { resolutions: ledger, failureStore: failures.store, createClient: pubsub.createClient });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(events).toEqual(['ledger resend', 'publish']);
    expect(pubsub.published.map((n) => n.notificationId)).toEqual(['n-1']);
    expect(pubsub.attributes).toEqual([{ notifier_replay_of: 'src-11' }]);
    expect(rows['n-1|EMAIL']).toMatchObject({ status: 'failed', resolved: { resolution: 'resend', by: 'alice' } });
    expect(result.stdout).toBe(
      'resolved n-1 (EMAIL) as resend by alice at 2025-01-01T00:00:00.000Z: unknown → failed\n' +
        'published n-1 (EMAIL) again to notifications as message m-1 (notifier_replay_of=src-11); the notifier sends it once\n',
    );
    // The dead letter is looked for from a day before the row became unknown, for this notification and channel only.
    expect(failures.asked).toEqual([{ since: new Date(UPDATED_AT.getTime() - 86_400_000), notificationId: 'n-1', channel: 'EMAIL' }]);
    expect(failures.closed()).toBe(1);
  });

  test('when a routed contact is resent, then only its record is used and its target is carried', async () => {
    const { ledger } = fakeLedger({ 'n-1|EMAIL:0a1b2c3d': unknownRow() });
    const routed = { ...deadLetterRow('n-1', '12'), attributes: '{"notifier_target":"EMAIL:0a1b2c3d"}' };
    const failures = store([record('n-1', '11'), record('n-1', '12', 'EMAIL:0a1b2c3d')], [deadLetterRow('n-1', '11'), routed]);
    const pubsub = fakePubSub();
    const result = await resolve(['n-1', '--channel', 'EMAIL:0a1b2c3d', '--as', 'resend', ...LOCAL], { resolutions: ledger, failureStore: failures.store, createClient: pubsub.createClient });
    expect(result.code).toBe(0);
    expect(failures.asked[0]).toMatchObject({ notificationId: 'n-1', channel: 'EMAIL', target: 'EMAIL:0a1b2c3d' });
    expect(pubsub.attributes).toEqual([{ notifier_target: 'EMAIL:0a1b2c3d', notifier_replay_of: 'src-12' }]);
  });

  test('when publishing fails, then the ledger keeps the resolution, exit 1, and the printed replay command publishes it', async () => {
    const events: string[] = [];
    const { ledger, rows } = fakeLedger({ 'n-1|EMAIL': unknownRow() }, events);
    const failures = store([record('n-1', '11')], [deadLetterRow('n-1', '11')]);
    const failing = loggedPubSub(events, { failAt: 1 });
    const result = await resolve(['n-1', '--channel', 'EMAIL', '--as', 'resend', ...LOCAL, '--topic', 'notes'], { resolutions: ledger, failureStore: failures.store, createClient: failing.createClient });
    expect(result.code).toBe(1);
    expect(events).toEqual(['ledger resend', 'publish']);
    expect(rows['n-1|EMAIL']).toMatchObject({ status: 'failed', resolved: { resolution: 'resend' } });
    const command = 'notifier replay --local --topic notes --notification n-1 --channel EMAIL --since 2d';
    expect(result.stderr).toBe(
      'notifier resolve: publishing n-1 (EMAIL) again failed: 14 UNAVAILABLE: connection refused\n' +
        'The ledger keeps the resolution (status failed, for one replay to reopen). Nothing is lost: publish it with\n' +
        `  ${command}\n`,
    );

    const pubsub = fakePubSub();
    const cap = captureIo({ failureStore: failures.store, createClient: pubsub.createClient });
    expect(await runCli(command.split(' ').slice(1), cap.io)).toBe(0);
    expect(pubsub.attributes).toEqual([{ notifier_replay_of: 'src-11' }]);
    expect(pubsub.connections[0]).toMatchObject({ topic: 'notes' });
    expect(failures.asked.at(-1)).toMatchObject({ notificationId: 'n-1', channel: 'EMAIL', since: new Date(NOW_MS - 2 * 86_400_000) });
  });

  test.each([
    ['no dead-letter record', [], [], 'no dead-letter record of n-1 (EMAIL) since 2024-12-30T23:00:00.000Z in fake store'],
    ['only a routed contact\'s record', [record('n-1', '12', 'EMAIL:0a1b2c3d')], [], 'no dead-letter record of n-1 (EMAIL)'],
    ['a record whose row is gone', [record('n-1', '11')], [], 'cannot rebuild n-1 (EMAIL): its dead-letter row was not found; nothing was changed'],
    ['an invalid notification', [record('n-1', '11')], [deadLetterRow('n-1', '11', 'not-an-address')], 'as rebuilt from its dead letter is invalid; nothing was changed\n  email.to:'],
  ])('when there is %s, then resend is refused before the ledger changes, exit 2', async (_, candidates, deadLetters, message) => {
    const { ledger, writes } = fakeLedger({ 'n-1|EMAIL': unknownRow() });
    const pubsub = fakePubSub();
    const result = await resolve(['n-1', '--channel', 'EMAIL', '--as', 'resend', ...LOCAL], { resolutions: ledger, failureStore: store(candidates as Row[], deadLetters as Row[]).store, createClient: pubsub.createClient });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(writes).toEqual([]);
    expect(pubsub.published).toEqual([]);
  });

  test('when MAX_REPLAYS replays have reopened the row already, then resend is refused (the notifier would refuse it) and nothing changes', async () => {
    const { ledger, writes } = fakeLedger({ 'n-1|EMAIL': unknownRow({ replays: 2 }) });
    const failures = store([record('n-1', '11')], [deadLetterRow('n-1', '11')]);
    const env = { GOOGLE_CLOUD_PROJECT: 'p', MAX_REPLAYS: '2' };
    const result = await resolve(['n-1', '--channel', 'EMAIL', '--as', 'resend', ...LOCAL], { env, resolutions: ledger, failureStore: failures.store });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('was reopened by 2 replays already and the notifier refuses more than MAX_REPLAYS (2;');
    expect(writes).toEqual([]);
  });

  test('when no Pub/Sub client can be made, then nothing changes in the ledger', async () => {
    const { ledger, writes } = fakeLedger({ 'n-1|EMAIL': unknownRow() });
    const failures = store([record('n-1', '11')], [deadLetterRow('n-1', '11')]);
    const createClient = () => Promise.reject(new Error('no Pub/Sub emulator answers at 127.0.0.1:8085'));
    const result = await resolve(['n-1', '--channel', 'EMAIL', '--as', 'resend', ...LOCAL], { resolutions: ledger, failureStore: failures.store, createClient });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('notifier: no Pub/Sub emulator answers at 127.0.0.1:8085\n');
    expect(writes).toEqual([]);
  });
});
