import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { escapeHtml } from '../../../src/local/escape-html';
import { startProviderSandbox } from '../../../src/local/provider-sandbox';
import { makeTemplatePreview } from '../../../src/local/template-preview';
import { previewPage, previewTimeZone } from '../../../src/local/template-preview-page';
import type { Catalogue, RenderedTemplate, TemplateRequest, TemplateVersionInfo } from '../../../src/templates';
import { TemplateError } from '../../../src/templates';

const HOSTILE = `<script>alert("x")</script>'&amp;`;

const VERSION: TemplateVersionInfo = {
  id: 'order.shipped',
  version: 1,
  latest: true,
  description: `Shipped ${HOSTILE}`,
  layout: 'default',
  variables: { name: 'string' },
  channels: [
    { channel: 'EMAIL', locales: ['en', 'ja'] },
    { channel: 'SMS', locales: ['ja'] },
    { channel: 'PUSH', locales: ['en'] },
    { channel: 'LINE', locales: ['en'] },
  ],
  sample: { name: HOSTILE },
};

/** A catalogue that renders the request back as parts; LINE fails, as a template could at render time. */
function fakeCatalogue(): Catalogue & { requests: TemplateRequest[] } {
  const requests: TemplateRequest[] = [];
  return {
    dir: '/templates',
    defaultLocale: 'en',
    requests,
    describe: (id, version) => (id === VERSION.id && (!version || version === 1) ? VERSION : undefined),
    list: () => [VERSION],
    render(req): RenderedTemplate {
      requests.push(req);
      if (req.channel === 'LINE') throw new TemplateError('TEMPLATE_DATA_INVALID', `order.shipped@1 LINE: <b>broken</b> at ${HOSTILE}`);
      const name = (req.data as { name: string }).name;
      const parts = req.channel === 'EMAIL'
        ? { subject: `Hi ${name}`, html: `<p class="x">Hello ${escapeHtml(name)}</p>`, text: `Hello ${name}` }
        : req.channel === 'PUSH' ? { title: `T ${name}`, body: `B ${name}` } : { body: `ご注文を発送しました ${name}` };
      return { id: req.id, version: 1, locale: req.locales[0]!, formatLocale: req.locales[0]!, digest: '0123456789ab', parts };
    },
  };
}

describe('template preview page', () => {
  test('when sample data holds markup, then every text and the srcdoc attribute are escaped: the page has no tag from the data', () => {
    const page = previewPage(fakeCatalogue());
    expect(page).not.toContain('<script');
    expect(page).not.toContain('<b>');
    expect(page).toContain(`<p class="subject" data-testid="email-subject">Hi ${escapeHtml(HOSTILE)}</p>`);
    // The email's HTML, itself escaped by the engine, is escaped once more into the attribute.
    expect(page).toContain(`srcdoc="${escapeHtml(`<p class="x">Hello ${escapeHtml(HOSTILE)}</p>`)}"`);
    expect(page).toContain(`<h2 data-testid="template-heading">order.shipped@1 <small>latest</small></h2>`);
    expect(page).toContain(`<p>Shipped ${escapeHtml(HOSTILE)}</p>`);
  });

  test('when one card fails to render, then that card shows the error and the others still render', () => {
    const page = previewPage(fakeCatalogue());
    expect(page.match(/data-testid="card"/g)).toHaveLength(5);
    expect(page).toMatch(/<section class="card failed" [^>]*data-channel="LINE" data-locale="en" lang="en"><h3>LINE · en<\/h3>\n<p class="error" data-testid="render-error">order\.shipped@1 LINE: &lt;b&gt;broken&lt;\/b&gt; at /);
    expect(page).toContain('data-testid="push-title">T ');
  });

  test('when an SMS card renders, then it shows the body and its segments, encoding and length', () => {
    const page = previewPage(fakeCatalogue());
    // `ご注文を発送しました ` (11) + HOSTILE (33): UCS-2, 44 code units, one segment.
    expect(page).toContain('<p class="note" data-testid="sms-segments">1 segment · UCS-2 · 44 characters</p>');
  });

  test('when no zone is asked for, then ja locales render in Asia/Tokyo and the others in UTC; an asked zone wins', () => {
    const catalogue = fakeCatalogue();
    previewPage(catalogue);
    expect(catalogue.requests.map((r) => `${r.channel} ${r.locales.join()} ${r.timeZone}`)).toEqual([
      'EMAIL en UTC', 'EMAIL ja Asia/Tokyo', 'SMS ja Asia/Tokyo', 'PUSH en UTC', 'LINE en UTC',
    ]);
    expect(catalogue.requests.every((r) => r.data === VERSION.sample && r.version === 1)).toBe(true);
    expect([previewTimeZone('ja-JP'), previewTimeZone('jam'), previewTimeZone('ja', 'Europe/Paris')]).toEqual(['Asia/Tokyo', 'UTC', 'Europe/Paris']);
  });
});

describe('template preview handler', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    const preview = makeTemplatePreview(fakeCatalogue());
    server = createServer((req, res) => void (preview(req, res) || res.writeHead(418).end('not mine')));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('when /templates is asked for, then the page is served as HTML under a policy that runs no script', async () => {
    const res = await fetch(`${base}/templates?tz=Asia/Tokyo`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toMatch(/^default-src 'none';/);
    expect(await res.text()).toContain('every card in Asia/Tokyo');
  });

  test.each([
    ['GET', '/messages', 418, 'not mine'],
    ['GET', '/templatesque', 418, 'not mine'],
    ['POST', '/templates', 405, 'POST is not allowed on /templates'],
    ['GET', '/templates?tz=Mars/Olympus', 400, 'tz: "Mars/Olympus" is not an IANA time zone'],
    ['GET', '/templates/order.shipped', 404, 'no /templates/order.shipped: the preview is at /templates'],
    ['GET', '/templates/order.shipped/9/EMAIL/en.html', 404, 'no template order.shipped@9'],
    ['GET', '/templates/order.shipped/1/EMAIL/%E0.html', 400, 'malformed percent-encoding'],
  ])('when %s %s, then %i', async (method, pathname, status, text) => {
    const res = await fetch(`${base}${pathname}`, { method });
    expect(res.status).toBe(status);
    expect(await res.text()).toContain(text);
  });

  test("when an email's HTML is asked for alone, then it is served sandboxed", async () => {
    const res = await fetch(`${base}/templates/order.shipped/1/EMAIL/ja.html`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toMatch(/^sandbox; /);
    expect(await res.text()).toBe(`<p class="x">Hello ${escapeHtml(HOSTILE)}</p>`);
  });
});

describe('template preview on the provider sandbox', () => {
  test('when mounted as the sandbox\'s pages, then /templates is the preview and the provider routes still answer', async () => {
    const sandbox = await startProviderSandbox({ port: 0, pages: makeTemplatePreview(fakeCatalogue()) });
    try {
      const page = await fetch(`${sandbox.url}/templates`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('data-testid="template-heading">order.shipped@1');
      const messages = await fetch(`${sandbox.url}/messages`);
      expect([messages.status, await messages.json()]).toEqual([200, []]);
    } finally {
      await sandbox.close();
    }
  });
});
