import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runInNewContext } from 'node:vm';
import type { Message } from '@google-cloud/pubsub';
import { CHANNELS, Notification } from '../../../src/codec/notification';
import type { RecordedRequest } from '../../support/http-stub';
import { emailNotification, push, pushEnvelope } from '../../support/notifications';
import { InProcessNotifier, notifierEnv, startInProcess } from '../../support/notifier';
import { signatureEntries, startWebhookReceiver, v1Signature, v2Signature, WebhookReceiver } from '../../support/providers/webhook';
import { RealParts, startRealParts } from '../../support/real-parts';

/**
 * Where webhooks go, end to end: the v2 signature binds the destination URL, the allowlist
 * decides ports, and one site gets one rate limit and breaker however many subdomains it uses.
 * Receivers are real HTTP servers on random ports, so the allowlist names their ports.
 */
const SECRET = 'whsec-dest-0123456789abcdef0123456789';

let parts: RealParts;
/** The receiver whose port the allowlist names; `elsewhere` and `unnamed` are not named. */
let named: WebhookReceiver;
let elsewhere: WebhookReceiver;
let unnamed: WebhookReceiver;
/** Private networks allowed (the receivers are on 127.0.0.1), allowlist `127.0.0.1:<named>,localhost`. */
let notifier: InProcessNotifier;
const extra: InProcessNotifier[] = [];

const webhookEnv = (more: Record<string, string>) => ({ WEBHOOK_SIGNING_SECRET: SECRET, WEBHOOK_RATE_LIMIT: '0', SEND_TIMEOUT_MS: '1000', ...more });

beforeAll(async () => {
  [parts, named, elsewhere, unnamed] = await Promise.all([startRealParts(), ...[1, 2, 3].map(() => startWebhookReceiver(SECRET))] as const);
  const allowed = `127.0.0.1:${named.port},localhost`;
  notifier = await startInProcess(notifierEnv(parts, webhookEnv({ WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', WEBHOOK_ALLOWED_HOSTS: allowed })));
});

afterAll(async () => {
  await Promise.all([notifier, ...extra].map((n) => n?.stop()));
  await Promise.all([named, elsewhere, unnamed].map((r) => r?.close()));
  await parts?.close();
});

function webhookNotification(url: string): Notification {
  return emailNotification({ channel: CHANNELS.WEBHOOK, email: undefined, webhook: { url, payloadJson: '{"order_id":"o-9"}' } });
}

const bySource = (messageId: string) => (m: Message) => m.attributes.notifier_source_message_id === messageId;

/** Sends a captured request again, headers and body untouched, to another URL; returns the status. */
async function replay(req: RecordedRequest, url: string): Promise<number> {
  const keep = ['content-type', 'x-notifier-notification-id', 'x-notifier-timestamp', 'x-notifier-signature'];
  const headers = Object.fromEntries(keep.map((h) => [h, String(req.headers[h])]));
  const res = await fetch(url, { method: 'POST', headers, body: req.body });
  await res.arrayBuffer();
  return res.status;
}

/** The `verify` function of docs/channels.md's Webhooks section, as a receiver would paste it. */
function readmeVerify(): (secret: string, origin: string, target: string, headers: unknown, body: Buffer) => boolean {
  const guide = readFileSync(path.resolve(__dirname, '../../../docs/channels.md'), 'utf8');
  const start = guide.search(/^## Webhooks\s*$/m);
  if (start === -1) throw new Error('docs/channels.md has no "## Webhooks" section');
  const rest = guide.slice(start + 1);
  const end = rest.search(/^## /m);
  const section = end === -1 ? rest : rest.slice(0, end);
  const code = /```js\n([\s\S]*?)```/.exec(section)?.[1];
  if (!code) throw new Error("docs/channels.md's Webhooks section has no js block");
  return runInNewContext(`${code}\nverify`, { require, URL, Buffer });
}

describe('the v2 signature binds the destination URL', () => {
  const target = '/hooks/orders?key=k-123';
  let n: Notification;
  /** The request the notifier delivered, as the receiver captured it. */
  let captured: RecordedRequest;
  beforeAll(async () => {
    n = webhookNotification(`${named.url}${target}`);
    expect(await push(notifier.url, pushEnvelope(n, { messageId: 'dst-sig' }))).toBe(204);
    expect(named.requests).toHaveLength(1);
    captured = named.requests[0]!;
  });

  test('when a webhook is delivered, then the header is v1=…,v2=… and both verify independently at the receiver’s own URL', async () => {
    expect(captured).toMatchObject({ path: target, headers: { host: `127.0.0.1:${named.port}` } });
    const timestamp = String(captured.headers['x-notifier-timestamp']);
    const v1 = v1Signature(SECRET, timestamp, captured.body);
    const v2 = v2Signature(SECRET, timestamp, `${named.url}${target}`, captured.body);
    expect(captured.headers['x-notifier-signature']).toBe(`v1=${v1},v2=${v2}`);
    expect(await parts.db.row(n.notificationId, 'WEBHOOK')).toMatchObject({ status: 'sent' });
  });

  test('when the captured request is replayed to another receiver, path or query, then v2 fails there (401) though v1 would pass; at its own URL it verifies', async () => {
    // v1 binds no destination: it is the same wherever the request goes.
    const header = signatureEntries(captured.headers['x-notifier-signature']);
    expect(header.v1).toEqual([v1Signature(SECRET, String(captured.headers['x-notifier-timestamp']), captured.body)]);
    expect(await replay(captured, `${elsewhere.url}${target}`)).toBe(401);
    expect(await replay(captured, `${named.url}/hooks/other?key=k-123`)).toBe(401);
    expect(await replay(captured, `${named.url}/hooks/orders?key=k-999`)).toBe(401);
    expect(await replay(captured, `${named.url}${target}`)).toBe(204);
  });

  test('when a receiver built on the previous README’s v1 snippet checks the delivered request, then it still verifies (this release only)', () => {
    // The snippet as the previous README gave it, verbatim.
    function verify(secret: string, timestamp: string, signature: string, rawBody: Buffer) {
      if (!/^\d+$/.test(timestamp) || Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
      const expected = createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest();
      const given = Buffer.from(String(signature).replace(/^v1=/, ''), 'hex');
      return given.length === expected.length && timingSafeEqual(given, expected);
    }
    const [timestamp, signature] = [String(captured.headers['x-notifier-timestamp']), String(captured.headers['x-notifier-signature'])];
    expect(verify(SECRET, timestamp, signature, Buffer.from(captured.body))).toBe(true);
  });

  test('when the documented verification snippet (docs/channels.md) checks the delivered request, then it accepts it at its URL and refuses it at another', () => {
    const verify = readmeVerify();
    const body = Buffer.from(captured.body);
    expect(verify(SECRET, named.url, captured.path, captured.headers, body)).toBe(true);
    expect(verify(SECRET, elsewhere.url, captured.path, captured.headers, body)).toBe(false);
    expect(verify(SECRET, named.url, '/hooks/orders', captured.headers, body)).toBe(false);
    expect(verify(`${SECRET}x`, named.url, captured.path, captured.headers, body)).toBe(false);
  });
});

describe('ports: the default one unless the allowlist entry names another', () => {
  test.each([
    ['a port no entry names (127.0.0.1 is listed with another port)', () => `http://127.0.0.1:${unnamed.port}/h`, () => unnamed.port],
    ['a host listed without a port (localhost), on a non-default port', () => `http://localhost:${named.port}/h`, () => named.port],
  ])('when the URL uses %s, then 204, dead-lettered DESTINATION_NOT_ALLOWED, failed, and no request is made', async (_, url, port) => {
    const before = named.requests.length;
    const n = webhookNotification(url());
    const messageId = `dst-port-${n.notificationId}`;
    expect(await push(notifier.url, pushEnvelope(n, { messageId }))).toBe(204);
    const [record] = await parts.topics.deadLetters.waitFor(1, bySource(messageId));
    expect(record!.attributes).toMatchObject({ notifier_failure_code: 'DESTINATION_NOT_ALLOWED', notifier_failure_class: 'permanent' });
    expect(record!.attributes.notifier_error).toContain(`port ${port()} is not allowed`);
    expect(await parts.db.row(n.notificationId, 'WEBHOOK')).toMatchObject({ status: 'failed', attempts: 1, failure_code: 'DESTINATION_NOT_ALLOWED' });
    expect(unnamed.requests).toHaveLength(0);
    expect(named.requests).toHaveLength(before);
  });
});

describe('one rate limit and breaker per site, not per subdomain', () => {
  // Names under .invalid (RFC 6761) never resolve: each call fails as the provider unavailable.
  test.each([
    ['the allowlist entry *.hooks.invalid', { WEBHOOK_ALLOWED_HOSTS: '*.hooks.invalid' }, '*.hooks.invalid'],
    ['no allowlist: the registrable domain hooks.invalid', {}, 'hooks.invalid'],
  ])('when a.hooks.invalid fails until the breaker opens, then b.x.hooks.invalid is refused circuit_open without a call (key: %s)', async (_, env, key) => {
    const gated = await startInProcess(notifierEnv(parts, webhookEnv({ ...env, BREAKER_FAILURES: '2', BREAKER_OPEN_MS: '600000', MYSQL_POOL_SIZE: '2' })));
    extra.push(gated);
    for (const i of [1, 2]) expect(await push(gated.url, pushEnvelope(webhookNotification(`https://a.hooks.invalid/h${i}`)))).toBe(503);
    expect(gated.logs.find((l) => l.message === 'circuit breaker open')).toMatchObject({ channel: 'WEBHOOK', provider: key, failures: 2 });

    const other = webhookNotification('https://b.x.hooks.invalid/h');
    expect(await push(gated.url, pushEnvelope(other))).toBe(503);
    expect(gated.logs.find((l) => l.notificationId === other.notificationId)).toMatchObject({ message: 'delivery circuit_open' });
    // Refused before the lock: no attempt was recorded.
    expect(await parts.db.row(other.notificationId, 'WEBHOOK')).toBeUndefined();
  });
});
