import { createHmac } from 'node:crypto';
import { AddressInfo, createServer } from 'node:net';
import type { Resolve } from '../../../../src/channels/webhook/destination-guard';
import { makeWebhookChannel, WebhookChannelOptions } from '../../../../src/channels/webhook/channel';
import { WEBHOOK_OUTCOMES } from '../../../../src/channels/webhook/outcomes';
import { verifyWebhookSignature } from '../../../../src/channels/webhook/signature';
import { CHANNELS, Notification } from '../../../../src/codec/notification';
import type { Channel, ProviderGates } from '../../../../src/delivery/ports';
import { type DeliveryError, PermanentError, TransientError } from '../../../../src/delivery/failures';
import { makeProviderGates } from '../../../../src/gates/provider-gates';
import { HttpStub, startHttpStub } from '../../../support/http-stub';
import { aNotification, FakeClock } from '../../fakes';

const SECRET = 'whsec-0123456789abcdef0123456789abcdef';
const PAYLOAD = { order: { id: 'o-1', items: [1, 2] }, note: 'naïve ✓' };

function webhookNotification(url: string, overrides: Partial<Notification> = {}): Notification {
  return aNotification({ channel: CHANNELS.WEBHOOK, email: undefined, webhook: { url, payloadJson: JSON.stringify(PAYLOAD) }, ...overrides });
}

const channels: Channel[] = [];
const base = { signingSecret: SECRET, allowedHosts: [], allowPrivateNetworks: true, httpsOnly: false, timeoutMs: 2000 };
function channel(opts: Partial<WebhookChannelOptions> = {}): Channel {
  channels.push(makeWebhookChannel({ ...base, ...opts }));
  return channels.at(-1)!;
}

/** A URL where nothing listens any more. */
async function closedPortUrl(): Promise<string> {
  const closed = await startHttpStub();
  await closed.close();
  return `${closed.url}/h`;
}

let stub: HttpStub;
let other: HttpStub;
beforeAll(async () => void ([stub, other] = await Promise.all([startHttpStub(), startHttpStub()])));
beforeEach(() => {
  [stub.requests.length, other.requests.length] = [0, 0];
  stub.respond = () => ({ status: 204 });
});
afterAll(() => Promise.all([...channels.map((c) => c.close()), stub.close(), other.close()]));

describe('the signed request', () => {
  test('when a notification is sent, then one POST of the documented shape arrives and its signature verifies independently', async () => {
    const n = webhookNotification(`${stub.url}/hooks/orders?token=s3cr3t`);
    await channel().send(n);
    expect(stub.requests).toHaveLength(1);
    const req = stub.requests[0]!;
    expect(req).toMatchObject({ method: 'POST', path: '/hooks/orders?token=s3cr3t' });
    const documented = { 'content-type': 'application/json', 'user-agent': 'notifier-webhook/1', 'x-notifier-notification-id': 'n-1' };
    expect(req.headers).toMatchObject({ ...documented, 'content-length': String(Buffer.byteLength(req.body)) });
    // Unix seconds, well inside the receivers' 5-minute window.
    expect(Math.abs(Number(req.headers['x-notifier-timestamp']) - Date.now() / 1000)).toBeLessThan(300);
    // What a receiver does, with node:crypto alone (not the channel's code), over the body as
    // received and, for v2, the URL it was addressed to.
    const timestamp = req.headers['x-notifier-timestamp'] as string;
    const v1 = createHmac('sha256', SECRET).update(`${timestamp}.${req.body}`).digest('hex');
    const v2 = createHmac('sha256', SECRET).update(`${timestamp}\n${stub.url}/hooks/orders?token=s3cr3t\n${req.body}`).digest('hex');
    expect(req.headers['x-notifier-signature']).toBe(`v1=${v1},v2=${v2}`);
    // Byte for byte: the body signed is the compact JSON received.
    const expected = { notification_id: 'n-1', type: 'order.shipped', account_id: 'acct-1', source: 'orders', created_at: '2023-11-14T22:13:20.000Z', data: PAYLOAD };
    expect(req.body).toBe(JSON.stringify(expected));
  });

  test.each([
    ['注文-42', '%E6%B3%A8%E6%96%87-42'],
    ['100%-done', '100%25-done'],
    ['tab\there', 'tab%09here'],
    ['order:7 (retry)', 'order:7 (retry)'],
  ])('when the notification ID is %j, then the header carries %j, which decodes back to it, and the body the ID itself', async (id, header) => {
    await channel().send(webhookNotification(`${stub.url}/h`, { notificationId: id }));
    const req = stub.requests[0]!;
    expect(req.headers['x-notifier-notification-id']).toBe(header);
    expect(header.includes('%') ? decodeURIComponent(header) : header).toBe(id);
    expect(JSON.parse(req.body)).toMatchObject({ notification_id: id });
  });

  test('when the notification has no creation time, then created_at is null', async () => {
    await channel().send(webhookNotification(`${stub.url}/h`, { createdAtMicros: 0n }));
    expect(JSON.parse(stub.requests[0]!.body)).toMatchObject({ created_at: null });
  });

  test('when a receiver uses verifyWebhookSignature, then genuine requests pass and altered, stale, foreign or misaddressed ones fail', async () => {
    await channel().send(webhookNotification(`${stub.url}/h?tenant=a`));
    const req = stub.requests[0]!;
    const signature = req.headers['x-notifier-signature'] as string;
    const received = { timestamp: req.headers['x-notifier-timestamp'] as string, signature, body: req.body, url: `${stub.url}${req.path}` };
    expect(verifyWebhookSignature(SECRET, received)).toBe(true);
    expect(verifyWebhookSignature(SECRET, { ...received, body: Buffer.from(req.body) })).toBe(true);
    expect(verifyWebhookSignature(SECRET, { ...received, body: req.body.replace('o-1', 'o-2') })).toBe(false);
    expect(verifyWebhookSignature(`${SECRET}x`, received)).toBe(false);
    expect([300, 301, -300, -301].map((skew) => verifyWebhookSignature(SECRET, received, Number(received.timestamp) + skew))).toEqual([true, false, true, false]);
    const elsewhere = [`${other.url}/h?tenant=a`, `${stub.url}/h?tenant=b`, `${stub.url}/h`, `https://127.0.0.1:${stub.port}/h?tenant=a`];
    expect(elsewhere.map((url) => verifyWebhookSignature(SECRET, { ...received, url }))).toEqual([false, false, false, false]);
    const v2Only = signature.split(',').find((e) => e.startsWith('v2='))!;
    const malformed = [{ signature: v2Only }, { signature: 'v2=abc' }, { signature: signature.split(',')[0] }, { signature: v2Only.replace('v2=', 'v3=') }, { timestamp: undefined }];
    expect(malformed.map((change) => verifyWebhookSignature(SECRET, { ...received, ...change }))).toEqual([true, false, false, false, false]);
  });

  test('when the URL has an upper-case host, dot segments, an encoded query and a fragment, then v2 signs it as the request line and Host header carry it', async () => {
    const resolve: Resolve = async () => [{ address: '127.0.0.1', family: 4 }];
    const url = `http://Hooks.TEST:${stub.port}/a/./b/../c?q=x%20y&r#fragment`;
    await channel({ resolve }).send(webhookNotification(url));
    const req = stub.requests[0]!;
    expect(req.path).toBe('/a/c?q=x%20y&r');
    expect(req.headers.host).toBe(`hooks.test:${stub.port}`);
    const received = { timestamp: req.headers['x-notifier-timestamp'] as string, signature: req.headers['x-notifier-signature'] as string, body: req.body };
    expect(verifyWebhookSignature(SECRET, { ...received, url: `http://${req.headers.host}${req.path}` })).toBe(true);
  });

  test('when a name is resolved, then the connection goes to the checked address, the Host header keeps the name, and DNS is asked once', async () => {
    const asked: string[] = [];
    const resolve: Resolve = async (host) => (asked.push(host), [{ address: '127.0.0.1', family: 4 }]);
    await channel({ resolve, allowedHosts: [`*.test:${stub.port}`] }).send(webhookNotification(`http://hooks.test:${stub.port}/h`));
    expect(stub.requests[0]!.headers.host).toBe(`hooks.test:${stub.port}`);
    expect(asked).toEqual(['hooks.test']);
  });

  test('when describing the recipient and the provider, then only scheme and host show, never the path or query', () => {
    const n = webhookNotification('https://Hooks.Example.com:8443/t/s3cr3t?token=x');
    expect(channel().describeRecipient(n)).toBe('https://hooks.example.com:8443/…');
    expect(channel().provider(n)).toBe('example.com:8443');
  });

  test.each([
    ['an allowlist entry *.example.com', '*.example.com', ['*.example.com']],
    ['no allowlist (the registrable domain)', 'example.com', []],
  ])('when two subdomains are sent to under %s, then both have one provider key, %s', (_, key, allowedHosts) => {
    const ch = channel({ allowedHosts });
    const keys = ['https://a.example.com/x', 'https://b.c.example.com/y?t=1'].map((url) => ch.provider(webhookNotification(url)));
    expect(keys).toEqual([key, key]);
  });

  test('when the webhook payload is absent, then send fails with INVALID_PAYLOAD and the recipient is fully masked', async () => {
    const n = aNotification({ channel: CHANNELS.WEBHOOK, email: undefined });
    await expect(channel().send(n)).rejects.toMatchObject({ kind: 'permanent', code: 'INVALID_PAYLOAD' });
    expect(channel().describeRecipient(n)).toBe('***');
  });
});

describe('the receiver answers', () => {
  const answering = (status: number, headers: Record<string, string> = {}) => {
    stub.respond = () => ({ status, headers, body: 'recipient alice@example.com is unknown' });
    return channel().send(webhookNotification(`${stub.url}/t/s3cr3t`));
  };

  test.each(Object.entries(WEBHOOK_OUTCOMES.statuses))('when the receiver answers %s, then it is %j', async (status, verdict) => {
    const failure = await answering(Number(status)).catch((e: unknown) => e);
    expect(failure).toMatchObject({ kind: verdict.kind, code: verdict.code });
    expect((failure as Error).message).toMatch(new RegExp(`^webhook 127\\.0\\.0\\.1:${stub.port} answered HTTP ${status}`));
    expect((failure as Error).message).not.toMatch(/alice|s3cr3t/);
    if (Number(status) < 400) expect((failure as Error).message).toContain('redirects are not followed');
  });

  const successes = [[200, 'req-42', 'req-42'], [201, 'req-42', 'req-42'], [202, 'req-42', 'req-42'], [204, 'a b', undefined]] as const;
  test.each(successes)('when the receiver answers %i with request ID %j, then it is sent with provider message ID %j', async (status, id, kept) => {
    await expect(answering(status, { 'x-request-id': id })).resolves.toEqual({ providerMessageId: kept });
  });

  const [rejected, unavailable] = [['permanent', 'PROVIDER_REJECTED'], ['transient', 'PROVIDER_UNAVAILABLE']] as const;
  const unlisted = [[418, ...rejected], [451, ...rejected], [507, ...unavailable], [599, ...unavailable]] as const;
  test.each(unlisted)('when the receiver answers the unlisted %i, then it is %s %s', async (status, kind, code) => {
    await expect(answering(status)).rejects.toMatchObject({ kind, code });
  });

  test('when the receiver answers 429 with Retry-After: 30, then it is transient RATE_LIMITED for 30 s', async () => {
    const failure = await answering(429, { 'retry-after': '30' }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(TransientError);
    expect(failure).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 30000 });
  });

  test('when the answer is slower than the timeout, then it is transient PROVIDER_TIMEOUT (receivers deduplicate retries)', async () => {
    stub.respond = () => ({ status: 204, delayMs: 3000 });
    const sending = channel({ timeoutMs: 200 }).send(webhookNotification(`${stub.url}/h`));
    await expect(sending).rejects.toMatchObject({ kind: 'transient', code: 'PROVIDER_TIMEOUT' });
    expect(stub.requests).toHaveLength(1);
  });

  const notFound: Resolve = () => Promise.reject(Object.assign(new Error('getaddrinfo ENOTFOUND hooks.test'), { code: 'ENOTFOUND' }));
  test.each([
    ['nothing listens at the port', 'ECONNREFUSED', closedPortUrl, undefined],
    ['the name does not resolve', 'ENOTFOUND', async () => 'http://hooks.test/h', notFound],
  ])('when %s (%s), then it is transient PROVIDER_UNAVAILABLE', async (_, errCode, url, resolve) => {
    const sending = channel({ resolve }).send(webhookNotification(await url()));
    await expect(sending).rejects.toMatchObject({ kind: 'transient', code: 'PROVIDER_UNAVAILABLE', message: expect.stringContaining(errCode) });
  });
});

/** A TCP listener that only counts connections: whatever reaches it, reached the local network. */
async function connectionCounter(): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let connections = 0;
  const server = createServer((socket) => (connections++, socket.destroy()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { port, connections: () => connections, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('SSRF: with private networks not allowed', () => {
  const refused = { kind: 'permanent', code: 'DESTINATION_NOT_ALLOWED' };
  const answers = (...addresses: string[]): Resolve => async () => addresses.map((address) => ({ address, family: 4 }));
  let counter: Awaited<ReturnType<typeof connectionCounter>>;
  beforeAll(async () => void (counter = await connectionCounter()));
  afterAll(() => counter.close());

  // IP literals, then names: localhost through the system resolver (/etc/hosts), then injected answers.
  const systemResolved = ['127.0.0.1:PORT', '[::1]:PORT', '[::ffff:127.0.0.1]:PORT', '10.0.0.1', '169.254.169.254/computeMetadata/v1', 'localhost:PORT'];
  test.each([
    ...systemResolved.map((hostAndPath) => [`http://${hostAndPath}/`, undefined] as const),
    ['http://internal.test:PORT/', answers('10.1.2.3')],
    ['http://mixed.test:PORT/', answers('93.184.215.14', '127.0.0.1')],
  ] as const)('when the URL is %s, then it is refused DESTINATION_NOT_ALLOWED and no connection is made', async (url, resolve) => {
    const n = webhookNotification(url.replace('PORT', String(counter.port)));
    // Allowlisted with their ports, so that the address check is what refuses them.
    const allowedHosts = [new URL(n.webhook!.url).host];
    const failure = await channel({ allowPrivateNetworks: false, resolve, allowedHosts }).send(n).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(PermanentError);
    expect(failure).toMatchObject({ ...refused, message: expect.stringContaining('a private address') });
    expect((failure as Error).message).not.toContain('computeMetadata');
    expect(counter.connections()).toBe(0); // across every case so far
  });

  test.each([
    ['httpsOnly is set and the URL is http', { httpsOnly: true }, 'https is required'],
    ['the host is not on the allowlist', { allowedHosts: ['*.example.com'] }, 'host not allowed'],
  ] as const)('when %s, then it is refused before any connection', async (_, opts, reason) => {
    const sending = channel(opts).send(webhookNotification(`${stub.url}/h`));
    await expect(sending).rejects.toMatchObject({ ...refused, message: expect.stringContaining(reason) });
    expect(stub.requests).toHaveLength(0);
  });

  test.each([
    ['the metadata server', () => 'http://169.254.169.254/computeMetadata/v1/'],
    ['a second local server', () => `${other.url}/internal`],
  ])('when an allowed receiver redirects (302) to %s, then the redirect is not followed and it fails permanently', async (_, location) => {
    stub.respond = () => ({ status: 302, headers: { location: location() } });
    const sending = channel().send(webhookNotification(`${stub.url}/h`));
    await expect(sending).rejects.toMatchObject({ kind: 'permanent', code: 'PROVIDER_REJECTED', message: expect.stringContaining('redirects are not followed') });
    expect(stub.requests).toHaveLength(1);
    expect(other.requests).toHaveLength(0);
  });
});

describe('one rate limit and breaker per site, through the real gates', () => {
  const resolve: Resolve = async () => [{ address: '127.0.0.1', family: 4 }];
  const subdomains = () => [`http://a.hooks.test:${stub.port}/h`, `http://b.x.hooks.test:${stub.port}/h`].map((url) => webhookNotification(url));
  const gatesWith = (ratePerSecond: number, clock = new FakeClock()) =>
    makeProviderGates({ ratePerSecond: { WEBHOOK: ratePerSecond }, breaker: { failureThreshold: 2, openMs: 1000 }, maxRetryAfterMs: 60_000, clock });

  /** What the delivery use case does around a send: admit, send, settle. Returns the refusal, the failure code or 'sent'. */
  async function throughGates(gates: ProviderGates, ch: Channel, n: Notification): Promise<string> {
    const permit = gates.admit('WEBHOOK', ch.provider(n));
    if (!permit.admitted) return permit.outcome;
    try {
      await ch.send(n);
      permit.settle();
      return 'sent';
    } catch (err) {
      permit.settle(err as DeliveryError);
      return (err as DeliveryError).code;
    }
  }

  test.each([
    ['the allowlist entry *.hooks.test:PORT', (port: number) => [`*.hooks.test:${port}`]],
    ['no allowlist (the site hooks.test:PORT)', () => []],
  ])('when a.hooks.test fails until the breaker opens, then b.x.hooks.test is refused circuit_open without a request (key: %s)', async (_, allowedHosts) => {
    stub.respond = () => ({ status: 503 });
    const [gates, ch] = [gatesWith(0), channel({ resolve, allowedHosts: allowedHosts(stub.port) })];
    const [a, b] = subdomains() as [Notification, Notification];
    expect([await throughGates(gates, ch, a), await throughGates(gates, ch, a)]).toEqual(['PROVIDER_UNAVAILABLE', 'PROVIDER_UNAVAILABLE']);
    expect(await throughGates(gates, ch, b)).toBe('circuit_open');
    expect(stub.requests).toHaveLength(2);
  });

  test('when the rate is 1 per second and a.hooks.test took the token, then b.x.hooks.test is rate_limited until the next second', async () => {
    const clock = new FakeClock();
    const [gates, ch] = [gatesWith(1, clock), channel({ resolve, allowedHosts: [`*.hooks.test:${stub.port}`] })];
    const [a, b] = subdomains() as [Notification, Notification];
    expect(await throughGates(gates, ch, a)).toBe('sent');
    expect(await throughGates(gates, ch, b)).toBe('rate_limited');
    clock.now += 1000;
    expect(await throughGates(gates, ch, b)).toBe('sent');
    expect(stub.requests.map((r) => r.headers.host)).toEqual([`a.hooks.test:${stub.port}`, `b.x.hooks.test:${stub.port}`]);
  });
});
