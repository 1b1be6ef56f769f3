import { CHANNELS } from '../../src/codec/notification';
import { eventually } from '../support/notifier';
import { startTestPipeline, TestPipeline } from '../support/pipeline';
import { TEST_PROJECT } from '../support/pubsub';
import { cliOn } from '../support/resolve';

let p: TestPipeline;
const failing = new Set(['broken-1', 'broken-2']);

beforeAll(async () => {
  p = await startTestPipeline();
  // The provider refuses these two for good (554 → dead-lettered as PROVIDER_REJECTED).
  p.smtp.onData = (mail) => (failing.has(mail.notificationId ?? '') ? { kind: 'reply', code: 554, message: 'rejected' } : { kind: 'accept' });
});
afterAll(() => p?.close());

/** `notifier <args>` against this file's stand-in tables and topic; stdout and the exit code. */
const cli = (...args: string[]) => cliOn(p, ...args);

const email = (to: string) => ({ to, subject: 'Shipped', text: 'On its way' });
const mailCount = (id: string) => p.smtp.mailsFor(id).length;

async function deadLetterCount(): Promise<number> {
  const [rows] = await p.db.pool.query('SELECT COUNT(*) AS n FROM dead_letters');
  return Number((rows as { n: number }[])[0]!.n);
}

test('when notifications fail, then notifier failures shows them by code, and a replay after the fix delivers each exactly once', async () => {
  for (const id of ['broken-1', 'broken-2', 'fine-1']) {
    await p.client.publish({ notificationId: id, type: 'order.shipped', channel: 'EMAIL', accountId: `acct-${id}`, email: email(`${id}@example.com`) });
  }
  await p.pipeline.pubsub.topic(p.names.topic).publishMessage({ data: Buffer.from('{not json') });
  await eventually('two dead letters', async () => (await deadLetterCount()) >= 2, 20000);
  await eventually('the poison row', async () => {
    const [rows] = await p.db.pool.query('SELECT COUNT(*) AS n FROM poison_messages');
    return Number((rows as { n: number }[])[0]!.n) >= 1;
  });
  await eventually('the fine mail', () => mailCount('fine-1') === 1);

  const summary = await cli('failures', '--json');
  expect(summary.code).toBe(0);
  const byCode = Object.fromEntries((JSON.parse(summary.stdout) as { failure_code: string; failures: number; channel: string | null }[]).map((r) => [r.failure_code, r]));
  expect(byCode.PROVIDER_REJECTED).toMatchObject({ failures: 2, channel: 'EMAIL', type: 'order.shipped', source: 'pipeline-test' });
  expect(byCode.UNDECODABLE_PAYLOAD).toMatchObject({ failures: 1, channel: null });

  const list = await cli('failures', '--list', '--json', '--account', 'acct-broken-1');
  expect(JSON.parse(list.stdout)).toEqual([
    expect.objectContaining({ notification_id: 'broken-1', failure_code: 'PROVIDER_REJECTED', attempts: 1, dead_lettered_by: 'notifier', payload: 'notification' }),
  ]);
  const table = await cli('failures', '--list');
  expect(table.stdout).toMatch(/failed_at\s+notification_id\s+channel/);
  expect(table.stdout).toContain('broken-2');

  const dryRun = await cli('replay', '--dry-run');
  expect(dryRun.stdout).toContain('would replay 2 failed notification(s)');
  expect(dryRun.stderr).toContain('1 poison message(s) match but cannot be replayed');

  // The cause is fixed: the provider accepts everything again.
  failing.clear();
  const pushesBefore = p.pipeline.pushes.acked;
  const replay = await cli('replay', '--project', TEST_PROJECT, '--topic', p.names.topic, '--code', 'PROVIDER_REJECTED');
  expect(replay.code).toBe(0);
  expect(replay.stdout).toContain('replayed 2 of 2 failed notification(s)');
  await eventually('the replayed mails', () => mailCount('broken-1') === 1 && mailCount('broken-2') === 1, 20000);
  expect(await p.db.row('broken-1')).toMatchObject({ status: 'sent', replays: 1 });

  // The same replay again: published, acked as duplicates, nothing sent.
  const again = await cli('replay', '--project', TEST_PROJECT, '--topic', p.names.topic, '--code', 'PROVIDER_REJECTED');
  expect(again.stdout).toContain('replayed 2 of 2');
  await eventually('the second replay handled', () => p.pipeline.pushes.acked - pushesBefore >= 4, 20000);
  expect([mailCount('broken-1'), mailCount('broken-2')]).toEqual([1, 1]);

  // A replay of a notification that was sent the first time sends nothing either.
  await p.client.republish(
    { notificationId: 'fine-1', accountId: '', type: 'order.shipped', channel: CHANNELS.EMAIL, source: 'pipeline-test', createdAtMicros: 1n, expiresAtMicros: 0n, email: { ...email('fine-1@example.com'), html: '' } },
    { notifier_replay_of: 'manual' },
  );
  await eventually('the replay of a sent one handled', () => p.pipeline.pushes.acked - pushesBefore >= 5, 20000);
  expect(mailCount('fine-1')).toBe(1);
});
