import { encodeNotification } from '../../src/codec/codec';
import { LOCAL_SIGNING_KEY, signInternal } from '../../src/codec/internal-attributes';
import { targetKey } from '../../src/delivery/routing';
import { emailNotification, envelopeFor, push, pushEnvelope } from '../support/notifications';
import { InProcessNotifier, notifierEnv, startInProcess } from '../support/notifier';
import { RealParts, startRealParts } from '../support/real-parts';

/**
 * A producer publishes to the same topic as the notifier's own messages. The attributes that
 * steer delivery (notifier_release_of, notifier_target, notifier_replay_of) are obeyed only
 * when signed with the notifier's key; a producer's are ignored with a warning.
 */

let parts: RealParts;
let notifier: InProcessNotifier;

beforeAll(async () => {
  parts = await startRealParts();
  notifier = await startInProcess(notifierEnv(parts));
});

afterEach(() => {
  parts.smtp.rcptReply = undefined;
});

afterAll(async () => {
  await notifier?.stop();
  await parts?.close();
});

const envelope = (n: ReturnType<typeof emailNotification>, messageId: string, attributes: Record<string, string>, key?: string) => {
  const data = encodeNotification(n, 'JSON');
  return envelopeFor(data, { messageId, attributes: key ? signInternal(data, attributes, key) : attributes });
};

const warningsFor = (messageId: string) =>
  notifier.logs.filter((l) => l.message === 'unsigned notifier_* attributes ignored' && l.messageId === messageId);

/** Tokyo quiet hours from an hour ago to an hour from now: now is inside, whatever the time. */
async function quietAccount(account: string): Promise<void> {
  const fields = new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Tokyo', hour: 'numeric', minute: 'numeric', hourCycle: 'h23' }).formatToParts(new Date());
  const minute = Number(fields.find((p) => p.type === 'hour')!.value) * 60 + Number(fields.find((p) => p.type === 'minute')!.value);
  await parts.db.pool.query('INSERT INTO account_settings (account_id, time_zone, quiet_start, quiet_end) VALUES (?, ?, ?, ?)', [
    account,
    'Asia/Tokyo',
    (minute + 1380) % 1440,
    (minute + 60) % 1440,
  ]);
}

describe('notifier_* attributes from a producer are ignored, never obeyed', () => {
  test('when a producer sets notifier_release_of during quiet hours, then the notification is still held, nothing is sent, and one warning names the attribute', async () => {
    await quietAccount('acct-forged-release');
    const n = emailNotification({ accountId: 'acct-forged-release' });

    expect(await push(notifier.url, envelope(n, 'forged-release', { notifier_release_of: 'whatever' }))).toBe(204);

    expect(await parts.db.row(n.notificationId)).toMatchObject({ status: 'held' });
    expect(parts.smtp.mailsFor(n.notificationId)).toHaveLength(0);
    expect(warningsFor('forged-release')).toEqual([expect.objectContaining({ severity: 'WARNING', ignored: ['notifier_release_of'] })]);
  });

  test('when a producer sets notifier_target on a notification already sent, then it is a duplicate and no second mail is sent', async () => {
    const n = emailNotification();
    expect(await push(notifier.url, pushEnvelope(n, { messageId: 'target-first' }))).toBe(204);
    expect(parts.smtp.mailsFor(n.notificationId)).toHaveLength(1);

    const forged = envelope(n, 'target-forged', { notifier_target: targetKey('EMAIL', 'alice@example.com') });
    expect(await push(notifier.url, forged)).toBe(204);

    expect(parts.smtp.mailsFor(n.notificationId)).toHaveLength(1);
    expect(await parts.db.row(n.notificationId, targetKey('EMAIL', 'alice@example.com'))).toBeUndefined();
    expect(warningsFor('target-forged')).toHaveLength(1);
  });

  test('when a producer sets notifier_replay_of on a failed notification, then the row is not reopened and nothing is sent; the same replay signed with the key sends it once', async () => {
    parts.smtp.rcptReply = 550;
    const n = emailNotification();
    expect(await push(notifier.url, pushEnvelope(n, { messageId: 'replay-first' }))).toBe(204);
    expect(await parts.db.row(n.notificationId)).toMatchObject({ status: 'failed' });
    parts.smtp.rcptReply = undefined;

    expect(await push(notifier.url, envelope(n, 'replay-forged', { notifier_replay_of: 'replay-first' }))).toBe(204);
    expect(await parts.db.row(n.notificationId)).toMatchObject({ status: 'failed', replays: 0 });
    expect(parts.smtp.mailsFor(n.notificationId)).toHaveLength(0);

    // A signature made for other data does not carry over.
    const other = envelope(emailNotification(), 'unused', { notifier_replay_of: 'replay-first' }, LOCAL_SIGNING_KEY);
    const moved = envelope(n, 'replay-moved', { ...(other.message as { attributes: Record<string, string> }).attributes });
    expect(await push(notifier.url, moved)).toBe(204);
    expect(parts.smtp.mailsFor(n.notificationId)).toHaveLength(0);

    expect(await push(notifier.url, envelope(n, 'replay-signed', { notifier_replay_of: 'replay-first' }, LOCAL_SIGNING_KEY))).toBe(204);
    expect(await parts.db.row(n.notificationId)).toMatchObject({ status: 'sent', replays: 1 });
    expect(parts.smtp.mailsFor(n.notificationId)).toHaveLength(1);
    expect(warningsFor('replay-signed')).toEqual([]);
  });
});
