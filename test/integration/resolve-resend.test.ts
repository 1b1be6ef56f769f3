import { randomBytes } from 'node:crypto';
import { decodeNotification } from '../../src/codec/codec';
import { eventually } from '../support/notifier';
import { startTestPipeline, TestPipeline } from '../support/pipeline';
import { cliOn, resolutionOf, sideTopic, unknownOutcome } from '../support/resolve';

let p: TestPipeline;
const sides: { close(): Promise<void> }[] = [];
const opened = <T extends { close(): Promise<void> }>(side: T): T => (sides.push(side), side);

beforeAll(async () => {
  p = await startTestPipeline();
});
afterAll(async () => {
  await Promise.all(sides.map((s) => s.close()));
  await p?.close();
});

describe('notifier resolve --as resend on MariaDB, the emulator and the pipeline', () => {
  test('when resolved as resend, then the row is failed with the resolution, and the notification is published again as a replay of its failed delivery', async () => {
    const { id, messageId } = await unknownOutcome(p);
    const side = opened(await sideTopic(p));
    const result = await cliOn(p, 'resolve', id, '--channel', 'EMAIL', '--as', 'resend', '--by', 'bob', '--topic', side.name);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`published ${id} (EMAIL) again to ${side.name} as message `);
    expect(await resolutionOf(p, id)).toMatchObject({ status: 'failed', failure_code: 'SEND_OUTCOME_UNKNOWN', resolution: 'resend', resolved_by: 'bob' });
    await eventually('the republished message', () => side.messages.length === 1 || undefined, 15000);
    const [message] = side.messages;
    expect(message!.attributes).toMatchObject({ notifier_replay_of: messageId });
    expect(decodeNotification(message!.data, 'JSON')).toMatchObject({ notificationId: id, email: { to: 'alice@example.com' } });
  });

  test('when a resend reaches the notifier, then it reopens the row once and the mail is sent, with the resolution kept', async () => {
    const { id } = await unknownOutcome(p);
    expect((await cliOn(p, 'resolve', id, '--channel', 'EMAIL', '--as', 'resend', '--by', 'bob', '--topic', p.names.topic)).code).toBe(0);
    await eventually('the replay on the topic', () => p.published.find((m) => m.attributes.notifier_replay_of && decodeNotification(m.data, 'JSON').notificationId === id), 15000);
    await eventually('the mail', () => p.smtp.mailsFor(id).length === 1 || undefined, 20000);
    await eventually('the row sent', async () => (await resolutionOf(p, id))?.status === 'sent' || undefined);
    expect(await resolutionOf(p, id)).toMatchObject({ status: 'sent', replays: 1, resolution: 'resend', resolved_by: 'bob' });
  });

  test("when a routed contact's unknown outcome is resent, then only that contact's record is used and the replay carries its target", async () => {
    const { id, messageId } = await unknownOutcome(p, 'EMAIL:0a1b2c3d');
    const side = opened(await sideTopic(p));
    expect((await cliOn(p, 'resolve', id, '--channel', 'EMAIL:0a1b2c3d', '--as', 'resend', '--by', 'bob', '--topic', side.name)).code).toBe(0);
    expect(await resolutionOf(p, id, 'EMAIL:0a1b2c3d')).toMatchObject({ status: 'failed', resolution: 'resend' });
    await eventually('the republished message', () => side.messages.length === 1 || undefined, 15000);
    expect(side.messages[0]!.attributes).toMatchObject({ notifier_target: 'EMAIL:0a1b2c3d', notifier_replay_of: messageId });
  });

  test('when the resend cannot be published, then the row stays resolved and the printed replay command publishes it', async () => {
    const { id, messageId } = await unknownOutcome(p);
    const name = `resolve-later-${randomBytes(4).toString('hex')}`;
    const failed = await cliOn(p, 'resolve', id, '--channel', 'EMAIL', '--as', 'resend', '--by', 'bob', '--topic', name);
    expect(failed.code).toBe(1);
    expect(await resolutionOf(p, id)).toMatchObject({ status: 'failed', resolution: 'resend', resolved_by: 'bob' });
    const command = /Nothing is lost: publish it with\n {2}notifier (.+)\n$/.exec(failed.stderr)?.[1];
    expect(command).toBe(`replay --topic ${name} --mysql-url ${p.db.url} --notification ${id} --channel EMAIL --since 2d`);

    const side = opened(await sideTopic(p, name));
    const replay = await cliOn(p, ...command!.split(' '));
    expect(replay.stdout).toContain('replayed 1 of 1 failed notification(s)');
    await eventually('the replayed message', () => side.messages.length === 1 || undefined, 15000);
    expect(side.messages[0]!.attributes).toMatchObject({ notifier_replay_of: messageId });
  });
});
