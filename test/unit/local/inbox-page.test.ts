import type { SandboxMessage } from '../../../src/channels/sandbox-http';
import { escapeHtml } from '../../../src/local/escape-html';
import { INBOX_LIMIT, inboxPage } from '../../../src/local/inbox-page';
import { ProviderSandbox, startProviderSandbox } from '../../../src/local/provider-sandbox';
import { sandboxSender } from '../../support/sandbox-sender';

const HOSTILE = `<script>alert("x")</script><img src=x onerror='y'>&amp;`;
const SAFE = escapeHtml(HOSTILE);
const AT = '2026-03-01T09:30:00.000Z';
const LINE_USER = `U${'4af4980629'.padEnd(32, '0')}`;

/** One message of each channel with markup in every field a producer (or a provider's answer) fills. */
const HOSTILE_MESSAGES: SandboxMessage[] = [
  { channel: 'SMS', recipient: HOSTILE, text: HOSTILE, providerMessageId: HOSTILE, receivedAt: AT },
  { channel: 'PUSH', recipient: HOSTILE, title: HOSTILE, text: HOSTILE, data: { [HOSTILE]: HOSTILE }, providerMessageId: HOSTILE, receivedAt: AT },
  { channel: 'SLACK', recipient: HOSTILE, text: HOSTILE, providerMessageId: HOSTILE, receivedAt: AT },
  { channel: 'LINE', recipient: HOSTILE, text: HOSTILE, providerMessageId: HOSTILE, receivedAt: AT },
  { channel: 'WEBHOOK', recipient: HOSTILE, body: { [HOSTILE]: HOSTILE }, providerMessageId: HOSTILE, receivedAt: AT },
];

const sms = (n: number): SandboxMessage => ({ channel: 'SMS', recipient: `+8190000${String(n).padStart(5, '0')}`, text: `message ${n}`, receivedAt: AT });
/** What the page shows between `data-testid="…">` and the next tag, in page order. */
const shown = (page: string, testId: string) => [...page.matchAll(new RegExp(`data-testid="${testId}"[^>]*>([^<]*)<`, 'g'))].map((m) => m[1]);
const channelsOn = (page: string) => [...page.matchAll(/data-testid="message" data-channel="([^"]*)"/g)].map((m) => m[1]);

describe('inbox page', () => {
  test('when every field of every channel holds markup, then the page has no tag from it and shows each value escaped', () => {
    const page = inboxPage(HOSTILE_MESSAGES, undefined, { mailUiUrl: `http://127.0.0.1:1080/"><script>` });
    expect(page).not.toMatch(/<script|<img/);
    expect(page).toContain('href="http://127.0.0.1:1080/&quot;&gt;&lt;script&gt;"');
    for (const testId of ['sms-to', 'sms-text', 'push-title', 'push-body', 'slack-channel', 'slack-text', 'line-text', 'webhook-url']) {
      expect([testId, shown(page, testId)]).toEqual([testId, [SAFE]]);
    }
    expect(shown(page, 'provider-id')).toEqual(Array(5).fill(SAFE));
    expect(page).toContain(`<dl data-testid="push-data"><dt>${SAFE}</dt><dd>${SAFE}</dd></dl>`);
    expect(page).toContain(`<pre data-testid="webhook-body">${escapeHtml(JSON.stringify({ [HOSTILE]: HOSTILE }, null, 2))}</pre>`);
    // A shortened ID shows its escaped head and keeps the whole, escaped, in the tooltip.
    for (const testId of ['push-token', 'line-to']) {
      expect(page).toContain(`<code title="${SAFE}" data-testid="${testId}">${escapeHtml(`${HOSTILE.slice(0, 10)}…${HOSTILE.slice(-4)}`)}</code>`);
    }
  });

  test('when a channel shows a message, then it looks as a person sees it: SMS with its segments, push with its data, LINE with its ID shortened', () => {
    const page = inboxPage([
      { channel: 'SMS', recipient: '+819012345678', text: 'Your code is 1234', providerMessageId: 'SM1', receivedAt: AT },
      { channel: 'PUSH', recipient: 'fcm-device-token-0123456789abcdef', title: 'Shipped', text: 'On its way', data: { orderId: 'A-1' }, receivedAt: AT },
      { channel: 'LINE', recipient: LINE_USER, text: 'line one\nline two', receivedAt: AT },
      { channel: 'SLACK', recipient: 'incoming-webhook', text: '*bold* <https://x.example|x>', receivedAt: AT },
    ]);
    expect(shown(page, 'sms-segments')).toEqual(['1 segment · GSM-7 · 17 characters']);
    expect(shown(page, 'push-token')).toEqual(['fcm-device…cdef']);
    expect(page).toContain('<dl data-testid="push-data"><dt>orderId</dt><dd>A-1</dd></dl>');
    expect(shown(page, 'line-to')).toEqual(['U4af498062…0000']);
    expect(shown(page, 'line-text')).toEqual(['line one\nline two']);
    // mrkdwn is shown as sent, never turned into markup or a link.
    expect(shown(page, 'slack-text')).toEqual(['*bold* &lt;https://x.example|x&gt;']);
    expect(shown(page, 'received-at')).toEqual(Array(4).fill('2026-03-01 09:30:00 UTC'));
    expect(shown(page, 'provider-id')).toEqual(['SM1']);
  });

  test(`when there are more than ${INBOX_LIMIT} messages, then the newest ${INBOX_LIMIT} are shown, newest first, and the page says how many are hidden`, () => {
    const messages = Array.from({ length: INBOX_LIMIT + 5 }, (_, i) => sms(i + 1));
    const page = inboxPage(messages);
    const recipients = shown(page, 'sms-to');
    expect(recipients).toHaveLength(INBOX_LIMIT);
    expect([recipients[0], recipients.at(-1)]).toEqual([sms(INBOX_LIMIT + 5).recipient, sms(6).recipient]);
    expect(shown(page, 'hidden')).toEqual([`5 older messages not shown: the page keeps the newest ${INBOX_LIMIT}; `]);
    expect(inboxPage(messages.slice(0, INBOX_LIMIT))).not.toContain('data-testid="hidden"');
  });
});

describe('inbox page on the provider sandbox', () => {
  let sandbox: ProviderSandbox;
  let lines: string[];
  beforeEach(async () => {
    lines = [];
    sandbox = await startProviderSandbox({ port: 0, say: (line) => lines.push(line), mailUiUrl: 'http://127.0.0.1:1080' });
  });
  afterEach(() => sandbox.close());

  async function page(path = '/'): Promise<string> {
    const res = await fetch(`${sandbox.url}${path}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'unsafe-inline'");
    return res.text();
  }

  test('when nothing was received, then the page says how to send an SMS and links to the mail UI, the templates and /messages', async () => {
    const html = await page();
    expect(html).toContain('<meta http-equiv="refresh" content="2">');
    expect(html).toContain('Nothing received yet.');
    expect(html).toContain(escapeHtml('npm run notifier -- publish --local --type otp.sent --channel SMS --to +819012345678 --text "Your code is 1234"'));
    for (const href of ['http://127.0.0.1:1080', '/templates', '/messages']) expect(html).toContain(`href="${href}"`);
    expect(channelsOn(html)).toEqual([]);
  });

  test('when messages of every channel arrive, then / and /inbox list them newest first', async () => {
    const send = sandboxSender(sandbox.url);
    await send.sms('+819012345678', 'first');
    await send.push({ token: 'device-1', title: 'Shipped', body: 'second' });
    await send.slack('#general', 'third');
    await send.line(LINE_USER, 'fourth');
    await send.webhook('/orders', { n: 5 });
    await send.slackHook('sixth');
    const html = await page();
    expect(channelsOn(html)).toEqual(['SLACK', 'WEBHOOK', 'LINE', 'SLACK', 'PUSH', 'SMS']);
    expect(shown(html, 'slack-channel')).toEqual(['incoming-webhook', '#general']);
    expect(shown(html, 'webhook-url')).toEqual([`${sandbox.webhookReceiverUrl}/orders`]);
    expect(shown(html, 'webhook-body')).toEqual([escapeHtml('{\n  "n": 5\n}')]);
    expect(channelsOn(await page('/inbox'))).toEqual(channelsOn(html));
  });

  test('when ?channel= names a channel, then only its messages are listed and its link is the current one', async () => {
    const send = sandboxSender(sandbox.url);
    await send.sms('+819000000001', 'one');
    await send.line(LINE_USER, 'between');
    await send.sms('+819000000002', 'two');
    const html = await page('/?channel=sms');
    expect(shown(html, 'sms-to')).toEqual(['+819000000002', '+819000000001']);
    expect(channelsOn(html)).toEqual(['SMS', 'SMS']);
    expect(html).toContain('<a href="/?channel=SMS" aria-current="page">SMS (2)</a>');
    expect(html).toContain('<a href="/">all (3)</a>');
    expect(shown(await page('/?channel=PUSH'), 'empty')).toEqual(['No PUSH message yet. Send one, e.g. an SMS: ']);
  });

  test('when ?channel= holds markup, then it is shown escaped as no channel the sandbox receives', async () => {
    const html = await page(`/?channel=${encodeURIComponent(HOSTILE)}`);
    expect(html).not.toMatch(/<script|<img/);
    expect(shown(html, 'empty')[0]).toBe(`${escapeHtml(HOSTILE.toUpperCase())} is not a channel the sandbox receives: it has SMS, PUSH, SLACK, LINE, WEBHOOK (email is in the mail UI).`);
  });

  test('when a browser asks for /favicon.ico, then it gets 204 and nothing is printed; other paths answer as before', async () => {
    const favicon = await fetch(`${sandbox.url}/favicon.ico`);
    expect([favicon.status, await favicon.text()]).toEqual([204, '']);
    expect(lines).toEqual([]);

    const json = await fetch(`${sandbox.url}/messages`);
    expect([json.headers.get('content-type'), await json.json()]).toEqual(['application/json', []]);
    const posted = await fetch(`${sandbox.url}/`, { method: 'POST' });
    expect(posted.status).toBe(404);
    expect(await posted.json()).toEqual({ error: expect.stringContaining('GET /messages') });
    expect(lines).toEqual(['provider sandbox refused POST / with 404: unknown path']);
  });
});
