import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A small template catalogue in a temporary directory, laid out as src/templates reads it:
 * the tests of the `templates` command and of the preview render it, so they do not depend
 * on the wording of the shipped templates. Its sample data is hostile on purpose
 * (`giftMessage` holds markup and a script) and its ja SMS costs a known number of segments.
 *
 * - order.shipped@1: EMAIL en, SMS en (an older wording)
 * - order.shipped@2 (latest): EMAIL en ja, SMS en ja, PUSH en, SLACK en, LINE en
 * - otp.sent@1 (latest): SMS en ja
 */

/** What a script in the sample would set if it ran. */
export const HOSTILE = '<script>window.__pwned = true</script><img src=x onerror="window.__pwned = true">';

/** order.shipped@2's sample.json. */
export const SAMPLE = {
  customerName: '山田 太郎',
  orderId: 'A-1001',
  shippedAt: '2026-03-01T09:30:00Z',
  total: { amount: 1200, currency: 'JPY' },
  trackingUrl: 'https://track.example.com/A-1001',
  giftMessage: HOSTILE,
};

const LAYOUT = `<mjml>
  <mj-body>
    <!-- content -->
  </mj-body>
</mjml>
`;

const FILES: Readonly<Record<string, string>> = {
  'catalogue.json': JSON.stringify({ defaultLocale: 'en' }),
  'layouts/default.mjml': LAYOUT,

  'order.shipped/1/template.json': JSON.stringify({ description: 'Order shipped (first wording)', layout: 'default', variables: { orderId: 'string' } }),
  'order.shipped/1/sample.json': JSON.stringify({ orderId: 'A-1001' }),
  'order.shipped/1/email.en.mjml': `---
subject: Order {{ orderId }} shipped
---
<mj-section><mj-column><mj-text>Order {{ orderId }} shipped.</mj-text></mj-column></mj-section>
`,
  'order.shipped/1/sms.en.liquid': 'Order {{ orderId }} shipped.',

  'order.shipped/2/template.json': JSON.stringify({
    description: 'Order shipped',
    layout: 'default',
    variables: { customerName: 'string', orderId: 'string', shippedAt: 'datetime', total: 'money', trackingUrl: 'url?', giftMessage: 'string?' },
  }),
  'order.shipped/2/sample.json': JSON.stringify(SAMPLE),
  'order.shipped/2/email.en.mjml': `---
subject: {{ customerName }}, order {{ orderId }} has shipped
---
<mj-section><mj-column>
<mj-text>Dear {{ customerName }}, order {{ orderId }} ({{ total }}) shipped on {{ shippedAt }}.</mj-text>
<mj-text>{% if giftMessage %}Gift message: {{ giftMessage }}{% endif %}</mj-text>
<mj-text>{% if trackingUrl %}<a href="{{ trackingUrl }}">Track it</a>{% endif %}</mj-text>
</mj-column></mj-section>
`,
  'order.shipped/2/email.en.txt': 'Dear {{ customerName }}, order {{ orderId }} ({{ total }}) shipped on {{ shippedAt }}.\n',
  'order.shipped/2/email.ja.mjml': `---
subject: {{ customerName }}様、ご注文 {{ orderId }} を発送しました
---
<mj-section><mj-column>
<mj-text>{{ customerName }}様</mj-text>
<mj-text>ご注文 {{ orderId }}（{{ total }}）を {{ shippedAt }} に発送しました。</mj-text>
<mj-text>{% if giftMessage %}ギフトメッセージ: {{ giftMessage }}{% endif %}</mj-text>
<mj-text>{% if trackingUrl %}<a href="{{ trackingUrl }}">配送状況を見る</a>{% endif %}</mj-text>
</mj-column></mj-section>
`,
  'order.shipped/2/email.ja.txt': '{{ customerName }}様\nご注文 {{ orderId }}（{{ total }}）を {{ shippedAt }} に発送しました。\n',
  'order.shipped/2/sms.en.liquid': 'Order {{ orderId }} has shipped.{% if trackingUrl %} Track it: {{ trackingUrl }}{% endif %}',
  'order.shipped/2/sms.ja.liquid': '{{ customerName }}様、ご注文{{ orderId }}を発送しました。{% if giftMessage %}{{ giftMessage }}{% endif %}',
  'order.shipped/2/push.en.liquid': `---
title: Order {{ orderId }} shipped
---
{{ customerName }}, it is on its way. {% if giftMessage %}{{ giftMessage }}{% endif %}`,
  'order.shipped/2/slack.en.liquid': '*Order {{ orderId }}* shipped to {{ customerName }}. {% if giftMessage %}{{ giftMessage }}{% endif %}',
  'order.shipped/2/line.en.liquid': '{{ customerName }}: order {{ orderId }} shipped. {% if giftMessage %}{{ giftMessage }}{% endif %}',

  'otp.sent/1/template.json': JSON.stringify({ description: 'One-time code', variables: { code: 'string' } }),
  'otp.sent/1/sample.json': JSON.stringify({ code: '123456' }),
  'otp.sent/1/sms.en.liquid': 'Your code is {{ code }}',
  'otp.sent/1/sms.ja.liquid': '認証コード: {{ code }}',
};

/** Writes the catalogue (plus `extra` files, path → content) and returns its directory and a remover. */
export function writeTemplateCatalogue(extra: Readonly<Record<string, string>> = {}): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'notifier-templates-'));
  for (const [file, content] of Object.entries({ ...FILES, ...extra })) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
