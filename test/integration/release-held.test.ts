import { LOCAL_SIGNING_KEY, trustedAttributes } from '../../src/codec/internal-attributes';
import { randomBytes } from 'node:crypto';
import type { Message, Subscription } from '@google-cloud/pubsub';
import { encodeNotification } from '../../src/codec/codec';
import { LedgerWrite } from '../../src/delivery/ports';
import { makeReleaseHeld, ReleaseHeld } from '../../src/delivery/release-held';
import { makeMysqlHeldQueue } from '../../src/mysql/held-queue';
import { makeMysqlLedger } from '../../src/mysql/ledger';
import { createPool, Pool } from '../../src/mysql/pool';
import { utcDatetime } from '../../src/mysql/sql';
import { makePubSubNotificationPublisher } from '../../src/pubsub/republish';
import { emailNotification } from '../support/notifications';
import { eventually, InProcessNotifier, notifierEnv, startInProcess } from '../support/notifier';
import { startTestIssuer, TestIssuer } from '../support/oidc-issuer';
import { RealParts, startRealParts } from '../support/real-parts';
import { RELEASE_OF_ATTRIBUTE, SIGNATURE_ATTRIBUTE } from '../../src/codec/attributes';

const AUDIENCE = 'notifier-api';
const SCHEDULER = 'notifier-scheduler@notifier-test.iam.gserviceaccount.com';
const CLAIM_TIMEOUT_MS = 60_000;

let parts: RealParts;
let issuer: TestIssuer;
let pool: Pool;
let topic: string;
let subscription: Subscription;
const received: Message[] = [];
let notifier: InProcessNotifier;

beforeAll(async () => {
  [parts, issuer] = await Promise.all([startRealParts(), startTestIssuer()]);
  pool = createPool({ url: parts.db.url, size: 8, timeoutMs: 5000, multipleStatements: true });
  // The notifications topic of this test file, with a reader standing in for the push subscription.
  topic = `notifications-${randomBytes(4).toString('hex')}`;
  const [t] = await parts.topics.pubsub.createTopic(topic);
  [subscription] = await t.createSubscription(`${topic}-reader`);
  subscription.on('message', (m: Message) => {
    received.push(m);
    m.ack();
  });
  notifier = await startInProcess(
    notifierEnv(parts, {
      NOTIFIER_TOPIC: topic,
      API_AUTH: 'oidc',
      API_AUDIENCE: AUDIENCE,
      TASKS_CALLER: SCHEDULER,
      RELEASE_BATCH_SIZE: '2',
      RELEASE_CLAIM_TIMEOUT_MS: String(CLAIM_TIMEOUT_MS),
    }),
    { oidcCertsUrl: issuer.certsUrl },
  );
});

afterAll(async () => {
  await notifier?.stop();
  await subscription?.close();
  await pool?.end();
  await Promise.all([parts?.close(), issuer?.close()]);
});

/** A release on the real queue and publisher, with its own clock. */
function release(nowMs = Date.now(), batchSize = 50, publishTopic = topic): ReleaseHeld {
  return makeReleaseHeld({
    queue: makeMysqlHeldQueue(pool, { timeoutMs: 5000 }),
    publisher: makePubSubNotificationPublisher(parts.topics.pubsub, { topic: publishTopic, publishTimeoutMs: 5000, signingKey: LOCAL_SIGNING_KEY }),
    clock: { nowMs: () => nowMs },
    batchSize,
    claimTimeoutMs: CLAIM_TIMEOUT_MS,
  });
}

/** Holds a fresh notification as the delivery path does, through the real ledger's lock. */
async function hold(releaseAtMs: number, expiresAtMs?: number): Promise<{ id: string; data: Buffer; messageId: string }> {
  const n = emailNotification();
  const data = encodeNotification(n, 'JSON');
  const messageId = `m-${randomBytes(6).toString('hex')}`;
  const write: LedgerWrite & { releaseAtMs: number } = {
    status: 'held', attempts: 0, replays: 0, type: n.type, accountId: n.accountId, messageId, releaseAtMs,
  };
  const ledger = makeMysqlLedger(pool, { lockWaitSeconds: 1, timeoutMs: 5000 });
  await ledger.withLock({ notificationId: n.notificationId, channel: 'EMAIL' }, (l) =>
    l.hold(write, {
      data,
      attributes: { googclient_schemaencoding: 'JSON', googclient_schemarevisionid: 'r1', origin: 'orders' },
      sourceMessageId: messageId,
      accountId: n.accountId,
      releaseAtMs,
      expiresAtMs,
    }),
  );
  return { id: n.notificationId, data, messageId };
}

async function heldStatus(id: string): Promise<string> {
  const [rows] = await parts.db.pool.query('SELECT status FROM held_notifications WHERE notification_id = ?', [id]);
  return (rows as { status: string }[])[0]!.status;
}

const releasesOf = (messageId: string) => received.filter((m) => m.attributes[RELEASE_OF_ATTRIBUTE] === messageId);

/** Waits until each message ID was published, then lets stragglers arrive before counting. */
async function publishedCounts(messageIds: string[]): Promise<number[]> {
  await eventually('every release published', () => messageIds.every((id) => releasesOf(id).length > 0) || undefined, 15000);
  await new Promise((r) => setTimeout(r, 500));
  return messageIds.map((id) => releasesOf(id).length);
}

function callTask(token?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  return fetch(`${notifier.url}/tasks/release-held`, { method: 'POST', headers }).then(async (res) => ({
    status: res.status,
    body: (await res.json()) as Record<string, unknown>,
  }));
}

const schedulerToken = () => issuer.token({ aud: AUDIENCE, email: SCHEDULER, email_verified: true });

describe('releasing held notifications on MariaDB and the emulator', () => {
  test('when a held row is due, then it is published once with its data and attributes and marked released; one not due is left', async () => {
    const now = Date.now();
    const due = await hold(now - 1000);
    const later = await hold(now + 3_600_000);
    expect(await release(now)()).toEqual({ released: 1, expired: 0, failed: 0, more: false });
    const [message] = await eventually('the release', () => releasesOf(due.messageId)[0] && [releasesOf(due.messageId)[0]!]);
    expect(message!.data.equals(due.data)).toBe(true);
    const { [SIGNATURE_ATTRIBUTE]: signature, ...attributes } = message!.attributes;
    expect(attributes).toEqual({ origin: 'orders', [RELEASE_OF_ATTRIBUTE]: due.messageId });
    // Signed, so the notifier obeys notifier_release_of (a producer's would be ignored).
    expect(trustedAttributes(message!.data, { ...attributes, [SIGNATURE_ATTRIBUTE]: signature! }, [LOCAL_SIGNING_KEY]).ignored).toEqual([]);
    expect(await heldStatus(due.id)).toBe('released');
    expect(await heldStatus(later.id)).toBe('held');
    // The ledger stays held: the delivery of the released message settles it.
    expect(await parts.db.row(due.id)).toMatchObject({ status: 'held' });
    expect(await publishedCounts([due.messageId])).toEqual([1]);
  });

  test('when a held row has expired, then it is not published and both it and its ledger row are expired', async () => {
    const now = Date.now();
    const gone = await hold(now - 1000, now - 500);
    expect(await release(now)()).toEqual({ released: 0, expired: 1, failed: 0, more: false });
    expect(await heldStatus(gone.id)).toBe('expired');
    expect(await parts.db.row(gone.id)).toMatchObject({ status: 'expired' });
    await new Promise((r) => setTimeout(r, 500));
    expect(releasesOf(gone.messageId)).toEqual([]);
  });

  test('when two releases run at the same time, then each due row is published exactly once', async () => {
    const now = Date.now();
    const rows = await Promise.all(Array.from({ length: 12 }, () => hold(now - 1000)));
    const [a, b] = await Promise.all([release(now, 10)(), release(now, 10)()]);
    expect(a.released + b.released).toBe(12);
    expect(a.failed + b.failed).toBe(0);
    expect(await publishedCounts(rows.map((r) => r.messageId))).toEqual(rows.map(() => 1));
  });

  test('when a release died mid-way, then its claim is taken over after the claim timeout and not before', async () => {
    const now = Date.now();
    const stale = await hold(now - 120_000);
    const fresh = await hold(now - 120_000);
    const claim = (id: string, claimedAtMs: number) =>
      parts.db.pool.query(
        "UPDATE held_notifications SET status = 'releasing', claim_token = ?, claimed_at = ? WHERE notification_id = ?",
        ['d'.repeat(32), utcDatetime(claimedAtMs), id],
      );
    await claim(stale.id, now - CLAIM_TIMEOUT_MS - 1);
    await claim(fresh.id, now - CLAIM_TIMEOUT_MS + 1000);
    expect(await release(now)()).toEqual({ released: 1, expired: 0, failed: 0, more: false });
    expect(await heldStatus(stale.id)).toBe('released');
    expect(await heldStatus(fresh.id)).toBe('releasing');
    expect(await publishedCounts([stale.messageId])).toEqual([1]);
    expect(releasesOf(fresh.messageId)).toEqual([]);
    await parts.db.pool.query("UPDATE held_notifications SET status = 'released' WHERE notification_id = ?", [fresh.id]);
  });

  test('when publishing fails (the topic is gone), then the row is counted failed and stays claimed for a later release', async () => {
    const now = Date.now();
    const row = await hold(now - 1000);
    const result = await release(now, 50, `missing-${randomBytes(4).toString('hex')}`)();
    expect(result).toMatchObject({ released: 0, failed: 1, more: false });
    expect(result.error).toMatch(/^PUBLISH_UNAVAILABLE: /);
    expect(await heldStatus(row.id)).toBe('releasing');
    // After the claim timeout, a working release takes it over.
    expect(await release(now + CLAIM_TIMEOUT_MS + 1000)()).toMatchObject({ released: 1, failed: 0 });
    expect(await publishedCounts([row.messageId])).toEqual([1]);
  });
});

describe('POST /tasks/release-held', () => {
  test('when RELEASE_BATCH_SIZE is 2 and 5 rows are due, then three calls release 2, 2 and 1 and say whether more is due', async () => {
    const rows = await Promise.all(Array.from({ length: 5 }, () => hold(Date.now() - 1000)));
    const calls = [];
    for (let i = 0; i < 3; i++) calls.push(await callTask(schedulerToken()));
    expect(calls).toEqual([
      { status: 200, body: { released: 2, expired: 0, failed: 0, more: true } },
      { status: 200, body: { released: 2, expired: 0, failed: 0, more: true } },
      { status: 200, body: { released: 1, expired: 0, failed: 0, more: false } },
    ]);
    expect(await publishedCounts(rows.map((r) => r.messageId))).toEqual([1, 1, 1, 1, 1]);
    const logged = notifier.logs.filter((l) => l.message === 'release held').slice(-3);
    expect(logged.map((l) => [l.released, l.more])).toEqual([[2, true], [2, true], [1, false]]);
  });

  test('when the scheduler calls twice at once, then each due row is published exactly once', async () => {
    const rows = await Promise.all([hold(Date.now() - 1000), hold(Date.now() - 1000)]);
    const [a, b] = await Promise.all([callTask(schedulerToken()), callTask(schedulerToken())]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect((a.body.released as number) + (b.body.released as number)).toBe(2);
    expect(await publishedCounts(rows.map((r) => r.messageId))).toEqual([1, 1]);
  });

  test('when there is no bearer token, then 401 and nothing is released', async () => {
    const row = await hold(Date.now() - 1000);
    expect(await callTask()).toMatchObject({ status: 401 });
    expect(await heldStatus(row.id)).toBe('held');
    await callTask(schedulerToken());
  });

  test('when the token is for another audience or forged, then 401', async () => {
    expect((await callTask(issuer.token({ aud: 'notifier-pubsub-push', email: SCHEDULER, email_verified: true }))).status).toBe(401);
    expect((await callTask(issuer.token({ aud: AUDIENCE, email: SCHEDULER, email_verified: true }, { key: issuer.foreignKey }))).status).toBe(401);
  });

  test('when the token belongs to another service account, then 403 and the log names the scheduler but not the token', async () => {
    const row = await hold(Date.now() - 1000);
    const token = issuer.token({ aud: AUDIENCE, email: 'settings@notifier-test.iam.gserviceaccount.com', email_verified: true });
    expect(await callTask(token)).toEqual({ status: 403, body: { error: 'token was not issued to the scheduler (TASKS_CALLER)' } });
    expect(await heldStatus(row.id)).toBe('held');
    expect(JSON.stringify(notifier.logs)).not.toContain(token);
    expect(await callTask(schedulerToken())).toMatchObject({ status: 200, body: { released: 1 } });
  });
});

describe('POST /tasks/release-held when a dependency is down', () => {
  async function withNotifier(overrides: Record<string, string>, fn: (url: string) => Promise<void>) {
    const other = await startInProcess(notifierEnv(parts, { API_AUTH: 'none', ...overrides }));
    try {
      await fn(other.url);
    } finally {
      await other.stop();
    }
  }

  test('when publishing fails, then 503 with the counts, and the row stays claimed', async () => {
    const row = await hold(Date.now() - 1000);
    await withNotifier({ NOTIFIER_TOPIC: `missing-${randomBytes(4).toString('hex')}` }, async (url) => {
      const res = await fetch(`${url}/tasks/release-held`, { method: 'POST' });
      expect({ status: res.status, body: await res.json() }).toEqual({ status: 503, body: { released: 0, expired: 0, failed: 1, more: false } });
    });
    expect(await heldStatus(row.id)).toBe('releasing');
    await parts.db.pool.query("UPDATE held_notifications SET status = 'released' WHERE notification_id = ?", [row.id]);
  });

  test('when MySQL is unreachable, then 503', async () => {
    await withNotifier({ MYSQL_URL: 'mysql://root@127.0.0.1:1/nowhere', MYSQL_TIMEOUT_MS: '2000' }, async (url) => {
      const res = await fetch(`${url}/tasks/release-held`, { method: 'POST' });
      expect({ status: res.status, body: await res.json() }).toEqual({ status: 503, body: { error: 'a dependency is unavailable' } });
    });
  });
});
