import type { Browser, Page } from 'playwright-core';
import { ProviderSandbox, startProviderSandbox } from '../../src/local/provider-sandbox';
import { guardedPage, launchChromium } from '../support/chromium';
import { sandboxSender, SandboxSender } from '../support/sandbox-sender';
import { HOSTILE } from '../support/template-catalogue';

const LINE_USER = `U${'4af4980629'.padEnd(32, '0')}`;
/** Long enough for a few of the page's 2-second reloads. */
const ARRIVAL_TIMEOUT_MS = 10_000;

let sandbox: ProviderSandbox;
let send: SandboxSender;
let browser: Browser;
let page: Page;
/** The sandbox's printed lines: every send is accepted, and the page's own requests print nothing. */
const lines: string[] = [];
/** What the page opened and asked for (chromium.ts, guardedPage). */
let dialogs: string[];
let requested: string[];

/**
 * A read of the page, retried while it throws: the page reloads itself every 2 seconds, and a
 * read that meets a reload fails with "execution context was destroyed" rather than an answer.
 */
async function read<T>(what: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await what();
    } catch (err) {
      if (attempt === 5) throw err;
    }
  }
}

const channels = () => read(() => page.getByTestId('message').evaluateAll((els) => els.map((el) => el.getAttribute('data-channel'))));
const texts = (testId: string) => read(() => page.getByTestId(testId).allInnerTexts());

beforeAll(async () => {
  sandbox = await startProviderSandbox({ port: 0, host: '127.0.0.1', say: (line) => lines.push(line), mailUiUrl: 'http://127.0.0.1:1080' });
  send = sandboxSender(sandbox.url);
  await send.sms('+819012345678', 'Your code is 1234');
  await send.push({ token: 'fcm-device-token-0123456789abcdef', title: 'Shipped', body: 'Your order is on its way', data: { orderId: 'A-1001' } });
  await send.slack('#deploys', 'Deployed *v1.2.3*');
  await send.line(LINE_USER, 'こんにちは');
  await send.webhook('/orders', { type: 'order.shipped', data: { orderId: 'A-1001' } });
  await send.slack('#general', HOSTILE);

  browser = await launchChromium();
  ({ page, dialogs, requested } = await guardedPage(browser, sandbox.url));
  const response = await page.goto(`${sandbox.url}/`);
  expect(response?.status()).toBe(200);
});

afterAll(async () => {
  await browser?.close();
  await sandbox?.close();
});

describe('provider sandbox inbox in a browser', () => {
  test('when messages of every channel were accepted, then the page shows each with its text, newest first', async () => {
    expect(await channels()).toEqual(['SLACK', 'WEBHOOK', 'LINE', 'SLACK', 'PUSH', 'SMS']);
    expect(await texts('sms-text')).toEqual(['Your code is 1234']);
    expect(await texts('sms-segments')).toEqual(['1 segment · GSM-7 · 17 characters']);
    expect(await texts('push-title')).toEqual(['Shipped']);
    expect(await texts('push-body')).toEqual(['Your order is on its way']);
    expect(await texts('push-token')).toEqual(['fcm-device…cdef']);
    expect(await texts('slack-channel')).toEqual(['#general', '#deploys']);
    expect((await texts('slack-text'))[1]).toBe('Deployed *v1.2.3*');
    expect(await texts('line-text')).toEqual(['こんにちは']);
    expect(await texts('line-to')).toEqual(['U4af498062…0000']);
    expect(await texts('webhook-url')).toEqual([`${sandbox.webhookReceiverUrl}/orders`]);
    expect(JSON.parse((await texts('webhook-body'))[0]!)).toEqual({ type: 'order.shipped', data: { orderId: 'A-1001' } });
  });

  test('when a text holds a <script> and an <img onerror>, then it shows as text and nothing of it runs or loads', async () => {
    expect((await texts('slack-text'))[0]).toBe(HOSTILE);
    expect(await read(() => page.locator('body script, body img').count())).toBe(0);
    expect(await read(() => page.evaluate('typeof window.__pwned'))).toBe('undefined');
    expect(dialogs).toEqual([]);
    expect(requested.filter((p) => p !== '/' && p !== '/favicon.ico')).toEqual([]);
  });

  test('when a message is accepted while the page is open, then it appears at the top without any action', async () => {
    await send.sms('+819099999999', 'Arrived while the page was open');
    await page.getByTestId('sms-text').filter({ hasText: 'Arrived while the page was open' }).waitFor({ timeout: ARRIVAL_TIMEOUT_MS });
    expect((await channels())[0]).toBe('SMS');
    expect((await texts('sms-to'))[0]).toBe('+819099999999');
    expect(await read(() => page.evaluate('typeof window.__pwned'))).toBe('undefined');
    // The reloads asked for / again and again: the sandbox printed only the messages it accepted.
    expect(lines.filter((l) => !/^(SMS|PUSH|SLACK|LINE|WEBHOOK) to /.test(l))).toEqual([]);
  });

  test('when the SMS filter link is followed, then only SMS show, and a reload keeps the filter', async () => {
    await read(() => page.getByRole('link', { name: /^SMS \(\d+\)$/ }).click());
    await page.waitForURL(/\?channel=SMS$/);
    expect(await channels()).toEqual(['SMS', 'SMS']);
    await send.line(LINE_USER, 'not an SMS');
    await send.sms('+819011111111', 'After the filter');
    await page.getByTestId('sms-text').filter({ hasText: 'After the filter' }).waitFor({ timeout: ARRIVAL_TIMEOUT_MS });
    expect(await channels()).toEqual(['SMS', 'SMS', 'SMS']);
    expect(page.url()).toBe(`${sandbox.url}/?channel=SMS`);
  });
});
