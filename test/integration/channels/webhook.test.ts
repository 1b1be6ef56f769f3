import type { Message } from '@google-cloud/pubsub';
import { CHANNELS, Notification } from '../../../src/codec/notification';
import { HttpStub, RecordedRequest, startHttpStub } from '../../support/http-stub';
import { emailNotification, push, pushEnvelope } from '../../support/notifications';
import { InProcessNotifier, notifierEnv, startInProcess } from '../../support/notifier';
import { v1Signature, v2Signature } from '../../support/providers/webhook';
import { RealParts, startRealParts } from '../../support/real-parts';

const SECRET = 'whsec-e2e-0123456789abcdef0123456789';
const SEND_TIMEOUT_MS = 1000;

let parts: RealParts;
/**
 * Local development: private networks allowed and no allowlist, which lifts the port rule too,
 * so that it reaches stand-in receivers on random ports.
 */
let notifier: InProcessNotifier;
/**
 * The production posture: private networks refused. The allowlist names the SSRF target's
 * host and port, so that what refuses it is the address check, not the port rule.
 */
let guarded: InProcessNotifier;
/** What the guarded notifier must never reach. */
let ssrfTarget: HttpStub;
const stubs: HttpStub[] = [];

const webhookEnv = (allowPrivate: boolean, allowedHosts = '') => ({
  WEBHOOK_SIGNING_SECRET: SECRET,
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: String(allowPrivate),
  WEBHOOK_ALLOWED_HOSTS: allowedHosts,
  WEBHOOK_RATE_LIMIT: '0',
  SEND_TIMEOUT_MS: String(SEND_TIMEOUT_MS),
  MYSQL_POOL_SIZE: '30',
});

beforeAll(async () => {
  [parts, ssrfTarget] = await Promise.all([startRealParts(), startHttpStub(() => ({ status: 204 }))]);
  notifier = await startInProcess(notifierEnv(parts, webhookEnv(true)));
  const ssrfHosts = `127.0.0.1:${ssrfTarget.port},localhost:${ssrfTarget.port},169.254.169.254`;
  guarded = await startInProcess(notifierEnv(parts, webhookEnv(false, ssrfHosts)));
});

afterAll(async () => {
  await notifier?.stop();
  await guarded?.stop();
  await Promise.all([ssrfTarget, ...stubs].map((s) => s?.close()));
  await parts?.close();
});

/** A receiver of its own per test: rate limits and breakers are kept per site and port (127.0.0.1:PORT here). */
async function receiver(): Promise<HttpStub> {
  const stub = await startHttpStub(() => ({ status: 204, headers: { 'x-request-id': 'rcv-1' } }));
  stubs.push(stub);
  return stub;
}

function webhookNotification(url: string): Notification {
  return emailNotification({ channel: CHANNELS.WEBHOOK, email: undefined, webhook: { url, payloadJson: '{"order_id":"o-9","total":12.5}' } });
}

const bySource = (messageId: string) => (m: Message) => m.attributes.notifier_source_message_id === messageId;
const row = (n: Notification) => parts.db.row(n.notificationId, 'WEBHOOK');

/** The documented request to `receiverUrl`, checked as a receiver would, with node:crypto alone. */
function expectDocumentedRequest(req: RecordedRequest, n: Notification, receiverUrl: string) {
  expect(req).toMatchObject({ method: 'POST', path: '/hooks/orders?key=k-123' });
  expect(req.headers).toMatchObject({ 'content-type': 'application/json', 'user-agent': 'notifier-webhook/1', 'x-notifier-notification-id': n.notificationId });
  const timestamp = req.headers['x-notifier-timestamp'] as string;
  expect(Math.abs(Date.now() / 1000 - Number(timestamp))).toBeLessThan(300);
  const [v1, v2] = [v1Signature(SECRET, timestamp, req.body), v2Signature(SECRET, timestamp, `${receiverUrl}${req.path}`, req.body)];
  expect(req.headers['x-notifier-signature']).toBe(`v1=${v1},v2=${v2}`);
  const createdAt = new Date(Number(n.createdAtMicros / 1000n)).toISOString();
  const body = { notification_id: n.notificationId, type: n.type, account_id: n.accountId, source: n.source, created_at: createdAt, data: { order_id: 'o-9', total: 12.5 } };
  expect(req.body).toBe(JSON.stringify(body));
}

describe('webhook delivery end to end (private networks allowed for the local receiver)', () => {
  test('when one notification is pushed, then exactly one signed request arrives, 204, and the ledger says sent', async () => {
    const stub = await receiver();
    const n = webhookNotification(`${stub.url}/hooks/orders?key=k-123`);
    expect(await push(notifier.url, pushEnvelope(n, { messageId: 'wh-1' }))).toBe(204);
    expect(stub.requests).toHaveLength(1);
    expectDocumentedRequest(stub.requests[0]!, n, stub.url);
    expect(await row(n)).toMatchObject({ status: 'sent', attempts: 1, provider_message_id: 'rcv-1' });
    const line = notifier.logs.find((l) => l.messageId === 'wh-1');
    expect(line).toMatchObject({ message: 'delivery sent', channel: 'WEBHOOK', recipient: `http://127.0.0.1:${stub.port}/…` });
    expect(JSON.stringify(notifier.logs)).not.toContain('k-123');
  });

  test('when the same envelope is pushed 20 times concurrently, then exactly one request is made, and duplicates send nothing', async () => {
    const stub = await receiver();
    const n = webhookNotification(`${stub.url}/hooks/orders?key=k-123`);
    const envelope = pushEnvelope(n, { messageId: 'wh-20' });
    const statuses = await Promise.all(Array.from({ length: 20 }, () => push(notifier.url, envelope)));
    expect(statuses.every((s) => s === 204 || s === 409)).toBe(true);
    expect(stub.requests).toHaveLength(1);
    expect(await push(notifier.url, envelope)).toBe(204);
    expect(await push(notifier.url, pushEnvelope(n, { messageId: 'wh-20-new' }))).toBe(204);
    expect(stub.requests).toHaveLength(1);
    expect(notifier.logs.find((l) => l.messageId === 'wh-20-new')).toMatchObject({ message: 'delivery duplicate' });
  });

  test('when the receiver answers 410, then it is acked, dead-lettered INVALID_RECIPIENT without the path, and failed', async () => {
    const stub = await receiver();
    stub.respond = () => ({ status: 410, body: 'endpoint /hooks/orders?key=k-123 removed' });
    const n = webhookNotification(`${stub.url}/hooks/orders?key=k-123`);
    expect(await push(notifier.url, pushEnvelope(n, { messageId: 'wh-410' }))).toBe(204);
    const [record] = await parts.topics.deadLetters.waitFor(1, bySource('wh-410'));
    expect(record!.attributes).toMatchObject({ notifier_failure_code: 'INVALID_RECIPIENT', notifier_failure_class: 'permanent', notifier_channel: 'WEBHOOK' });
    expect(record!.attributes.notifier_error).toBe(`webhook 127.0.0.1:${stub.port} answered HTTP 410`);
    expect(await row(n)).toMatchObject({ status: 'failed', failure_code: 'INVALID_RECIPIENT' });
  });

  test('when the receiver answers 503, then 503 and pending; once it recovers, the redelivery sends once and 204', async () => {
    const stub = await receiver();
    stub.respond = () => ({ status: 503 });
    const n = webhookNotification(`${stub.url}/hooks/orders?key=k-123`);
    const envelope = pushEnvelope(n, { messageId: 'wh-503' });
    expect(await push(notifier.url, envelope)).toBe(503);
    expect(await row(n)).toMatchObject({ status: 'pending', attempts: 1, failure_code: 'PROVIDER_UNAVAILABLE' });
    stub.respond = () => ({ status: 200 });
    expect(await push(notifier.url, envelope)).toBe(204);
    expect(stub.requests).toHaveLength(2);
    expect(await row(n)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  test('when the receiver answers after SEND_TIMEOUT_MS, then 503 (receivers deduplicate), and the retry carries the same notification ID', async () => {
    const stub = await receiver();
    stub.respond = () => ({ status: 204, delayMs: SEND_TIMEOUT_MS * 5 });
    const n = webhookNotification(`${stub.url}/hooks/orders?key=k-123`);
    const envelope = pushEnvelope(n, { messageId: 'wh-slow' });
    expect(await push(notifier.url, envelope)).toBe(503);
    expect(await row(n)).toMatchObject({ status: 'pending', failure_code: 'PROVIDER_TIMEOUT' });
    stub.respond = () => ({ status: 204 });
    expect(await push(notifier.url, envelope)).toBe(204);
    expect(stub.requests.map((r) => r.headers['x-notifier-notification-id'])).toEqual([n.notificationId, n.notificationId]);
    expectDocumentedRequest(stub.requests[1]!, n, stub.url);
  });

  test('when the receiver answers 429 with Retry-After: 30, then 503 RATE_LIMITED, and the next notification to it is 429 without a request', async () => {
    const stub = await receiver();
    stub.respond = () => ({ status: 429, headers: { 'retry-after': '30' } });
    const first = webhookNotification(`${stub.url}/hooks/orders?key=k-123`);
    expect(await push(notifier.url, pushEnvelope(first, { messageId: 'wh-429' }))).toBe(503);
    expect(notifier.logs.find((l) => l.messageId === 'wh-429')).toMatchObject({ message: 'delivery retry', code: 'RATE_LIMITED' });
    const second = webhookNotification(`${stub.url}/hooks/other`);
    expect(await push(notifier.url, pushEnvelope(second, { messageId: 'wh-429-next' }))).toBe(429);
    expect(notifier.logs.find((l) => l.messageId === 'wh-429-next')).toMatchObject({ message: 'delivery rate_limited' });
    expect(stub.requests).toHaveLength(1);
  });
});

describe('webhook SSRF refusal end to end (private networks refused, even for allowlisted hosts)', () => {
  test.each([
    ['the receiver on 127.0.0.1', (port: number) => `http://127.0.0.1:${port}/hooks/orders?key=k-123`],
    ['localhost', (port: number) => `http://localhost:${port}/hooks/orders?key=k-123`],
    ['the metadata server', () => 'http://169.254.169.254/computeMetadata/v1/instance'],
  ])('when the URL points at %s, then 204, dead-lettered DESTINATION_NOT_ALLOWED, failed, and no request', async (_, url) => {
    const stub = ssrfTarget;
    const n = webhookNotification(url(stub.port));
    const messageId = `wh-ssrf-${n.notificationId}`;
    expect(await push(guarded.url, pushEnvelope(n, { messageId }))).toBe(204);
    const [record] = await parts.topics.deadLetters.waitFor(1, bySource(messageId));
    expect(record!.attributes).toMatchObject({ notifier_failure_code: 'DESTINATION_NOT_ALLOWED', notifier_failure_class: 'permanent' });
    expect(record!.attributes.notifier_error).toContain('a private address');
    expect(record!.attributes.notifier_error).not.toMatch(/k-123|computeMetadata/);
    expect(await row(n)).toMatchObject({ status: 'failed', failure_code: 'DESTINATION_NOT_ALLOWED' });
    expect(stub.requests).toHaveLength(0);
  });
});
