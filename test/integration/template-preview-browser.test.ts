import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { smsSegments } from '../../src/channels/sms/segments';
import { makeTemplatePreview } from '../../src/local/template-preview';
import { loadCatalogue } from '../../src/templates';
import { guardedPage, launchChromium } from '../support/chromium';
import { HOSTILE, writeTemplateCatalogue } from '../support/template-catalogue';

const catalogue = writeTemplateCatalogue();
let server: Server;
let browser: Browser;
let page: Page;
/** What the page opened and asked for (chromium.ts, guardedPage). */
let dialogs: string[];
let requested: string[];

beforeAll(async () => {
  const preview = makeTemplatePreview(loadCatalogue(catalogue.dir));
  server = createServer((req, res) => void (preview(req, res) || res.writeHead(404).end()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
  // The test runs offline: the page must not need the network to show the templates.
  ({ page, dialogs, requested } = await guardedPage(browser, base));
  const response = await page.goto(`${base}/templates`);
  expect(response?.status()).toBe(200);
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  catalogue.remove();
});

const card = (template: string, version: number, channel: string, locale: string) =>
  page.locator(`[data-testid="card"][data-template="${template}"][data-version="${version}"][data-channel="${channel}"][data-locale="${locale}"]`);

describe('template preview in a browser', () => {
  test('when the page opens, then there is a heading per template version and a card per channel × locale, none failed', async () => {
    expect(await page.getByTestId('template-heading').allInnerTexts()).toEqual(['order.shipped@1', 'order.shipped@2 latest', 'otp.sent@1 latest']);
    expect(await page.getByTestId('card').count()).toBe(11);
    expect(await page.getByTestId('render-error').count()).toBe(0);
  });

  test('when the ja email card is shown, then its subject is the Japanese subject, visible', async () => {
    const subject = card('order.shipped', 2, 'EMAIL', 'ja').getByTestId('email-subject');
    expect(await subject.isVisible()).toBe(true);
    expect(await subject.innerText()).toBe('山田 太郎様、ご注文 A-1001 を発送しました');
  });

  test("when the ja email's HTML is shown in its frame, then the frame's document holds the customer's name and the hostile message as text", async () => {
    const email = card('order.shipped', 2, 'EMAIL', 'ja');
    expect(await email.getByTestId('email-html').isVisible()).toBe(true);
    const body = email.frameLocator('iframe[data-testid="email-html"]').locator('body');
    const text = await body.innerText();
    expect(text).toContain('山田 太郎様');
    expect(text).toContain(`ギフトメッセージ: ${HOSTILE}`);
    expect(await body.locator('script').count()).toBe(0);
    expect(await email.getByTestId('email-text').innerText()).toContain('山田 太郎様');
  });

  test('when the ja SMS card is shown, then it shows the body and its segment count', async () => {
    const sms = card('order.shipped', 2, 'SMS', 'ja');
    const body = await sms.getByTestId('sms-body').innerText();
    expect(body).toBe(`山田 太郎様、ご注文A-1001を発送しました。${HOSTILE}`);
    expect(smsSegments(body)).toEqual({ encoding: 'UCS-2', characters: 105, segments: 2 });
    expect(await sms.getByTestId('sms-segments').innerText()).toBe('2 segments · UCS-2 · 105 characters');
    expect(await card('otp.sent', 1, 'SMS', 'en').getByTestId('sms-segments').innerText()).toBe('1 segment · GSM-7 · 19 characters');
  });

  test('when sample data holds a script, then it is shown as text on every card and never runs', async () => {
    expect(await card('order.shipped', 2, 'PUSH', 'en').getByTestId('push-body').innerText()).toContain(HOSTILE);
    expect(await card('order.shipped', 2, 'LINE', 'en').getByTestId('line-text').innerText()).toContain(HOSTILE);
    // Slack text is escaped by the engine for mrkdwn; the page shows those entities as they are sent.
    expect(await card('order.shipped', 2, 'SLACK', 'en').getByTestId('slack-text').innerText()).toContain('&lt;script&gt;window.__pwned = true&lt;/script&gt;');
    expect(await page.locator('body script').count()).toBe(0);
    for (const frame of page.frames()) expect(await frame.evaluate('typeof window.__pwned')).toBe('undefined');
    expect(dialogs).toEqual([]);
  });

  test('when sample data holds an <img onerror>, then no image was asked for: only the page was', () => {
    expect(requested.filter((p) => p !== '/favicon.ico')).toEqual(['/templates']);
  });
});
