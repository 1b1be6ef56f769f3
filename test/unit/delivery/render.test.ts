import { CHANNELS, Notification } from '../../../src/codec/notification';
import { PermanentError } from '../../../src/delivery/failures';
import { pinTemplate, renderNotification, Templates } from '../../../src/delivery/render';
import { routeToContacts } from '../../../src/delivery/routing';
import { TEMPLATES_DIR } from '../../../src/paths';
import { loadCatalogue } from '../../../src/templates';

const catalogue = loadCatalogue(TEMPLATES_DIR);
const DATA = {
  customerName: 'Hanako',
  orderId: 'A-1',
  shippedAt: '2026-12-07T15:30:00Z',
  total: { amount: 12800, currency: 'JPY' },
  items: ['Notebook'],
};

const templated = (overrides: Partial<Notification> = {}): Notification => ({
  notificationId: 'n-1',
  accountId: 'acct-1',
  type: 'order.shipped',
  channel: CHANNELS.SMS,
  source: '',
  createdAtMicros: 0n,
  expiresAtMicros: 0n,
  sms: { to: '+819012345678', body: '' },
  template: { id: 'order.shipped', version: 0, dataJson: JSON.stringify(DATA) },
  ...overrides,
});

function failure(render: () => unknown): { code: string; message: string } {
  try {
    render();
  } catch (err) {
    if (err instanceof PermanentError) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected a PermanentError');
}

describe('renderNotification', () => {
  test('when the account has a locale, then it wins over the notification’s, and the rendering is named id@version/locale/digest', () => {
    const r = renderNotification(catalogue, templated({ locale: 'en-US' }), 'SMS', { locale: 'ja-JP', timeZone: 'Asia/Tokyo', rules: [] });
    expect(r.n.sms!.body).toMatch(/[\u3040-\u30ff]/);
    expect(r.n.sms!.to).toBe('+819012345678');
    expect(r.n.template).toBeUndefined();
    expect(r.template).toMatch(/^order\.shipped@1\/ja\/[0-9a-f]{12}$/);
  });

  test('when the account has no locale, then the notification’s is used, else the catalogue’s default', () => {
    expect(renderNotification(catalogue, templated({ locale: 'ja' }), 'SMS', { rules: [] }).template).toMatch(/\/ja\//);
    expect(renderNotification(catalogue, templated(), 'SMS').template).toMatch(/\/en\//);
  });

  test('when the notification is not templated, then it is returned as it is', () => {
    const n = templated({ template: undefined, sms: { to: '+819012345678', body: 'Hi' } });
    expect(renderNotification(undefined, n, 'SMS')).toEqual({ n });
  });

  test('when the channel is WEBHOOK, then the checked data itself is the payload and the rendering is id@version', () => {
    const n = templated({ channel: CHANNELS.WEBHOOK, sms: undefined, webhook: { url: 'https://hooks.example.com/x', payloadJson: '' } });
    const r = renderNotification(catalogue, n, 'WEBHOOK');
    expect(r.n.webhook).toEqual({ url: 'https://hooks.example.com/x', payloadJson: JSON.stringify(DATA) });
    expect(r.template).toBe('order.shipped@1');
  });

  test('when the data lacks a variable, then TEMPLATE_DATA_INVALID names it and no value', () => {
    const { orderId: _omit, ...rest } = DATA;
    const f = failure(() => renderNotification(catalogue, templated({ template: { id: 'order.shipped', version: 0, dataJson: JSON.stringify(rest) } }), 'SMS'));
    expect(f.code).toBe('TEMPLATE_DATA_INVALID');
    expect(f.message).toMatch(/orderId/);
    expect(f.message).not.toMatch(/Hanako|Notebook/);
  });

  test('when the template or the catalogue is missing, then TEMPLATE_NOT_FOUND', () => {
    expect(failure(() => renderNotification(catalogue, templated({ template: { id: 'nope', version: 0, dataJson: '{}' } }), 'SMS')).code).toBe('TEMPLATE_NOT_FOUND');
    expect(failure(() => renderNotification(undefined, templated(), 'SMS'))).toEqual({ code: 'TEMPLATE_NOT_FOUND', message: 'no template catalogue is loaded' });
  });

  test('when the rendering breaks the channel’s limits, then it fails as a producer’s text would, naming the rendering', () => {
    const long: Templates = {
      describe: catalogue.describe,
      render: () => ({ id: 'order.shipped', version: 1, locale: 'en', formatLocale: 'en', digest: '0123456789ab', parts: { body: 'x'.repeat(1601) } }),
    };
    expect(failure(() => renderNotification(long, templated(), 'SMS'))).toEqual({
      code: 'INVALID_PAYLOAD',
      message: 'rendered from order.shipped@1/en/0123456789ab: sms.body is longer than 1600 characters',
    });
  });
});

describe('a routed templated notification', () => {
  const routed = templated({ channel: CHANNELS.CHANNEL_UNSPECIFIED, sms: undefined });

  test('when pinned, then the latest version is written into it, and only the channels the template renders (and webhooks) are accepted', () => {
    const { n, renders } = pinTemplate(catalogue, routed);
    expect(n.template!.version).toBe(1);
    expect((['EMAIL', 'SMS', 'WEBHOOK'] as const).every(renders)).toBe(true);
  });

  test('when fanned out, then each contact’s message carries the template and only its recipient', () => {
    const { n } = pinTemplate(catalogue, routed);
    const messages = routeToContacts(n, [{ channel: 'EMAIL', address: 'a@example.com' }, { channel: 'SMS', address: '+819012345678' }], () => true);
    expect(messages.map((m) => m.notification)).toEqual([
      expect.objectContaining({ channel: CHANNELS.EMAIL, email: { to: 'a@example.com', subject: '', text: '', html: '' }, template: n.template }),
      expect.objectContaining({ channel: CHANNELS.SMS, sms: { to: '+819012345678', body: '' }, template: n.template }),
    ]);
  });

  test('when its data is invalid, then pinning fails once for every contact with TEMPLATE_DATA_INVALID', () => {
    expect(failure(() => pinTemplate(catalogue, { ...routed, template: { id: 'order.shipped', version: 0, dataJson: '{}' } })).code).toBe('TEMPLATE_DATA_INVALID');
  });
});

describe('a template version this catalogue does not have yet', () => {
  test('when a routed notification pins a version above the latest (a deploy rolling out), then pinning fails transiently: retried, not dead-lettered', () => {
    const n = templated({ channel: CHANNELS.CHANNEL_UNSPECIFIED, sms: undefined, template: { id: 'order.shipped', version: 2, dataJson: JSON.stringify(DATA) } });
    expect(() => pinTemplate(catalogue, n)).toThrow(expect.objectContaining({ kind: 'transient', code: 'TEMPLATE_NOT_DEPLOYED' }));
  });

  test('when a notification names such a version, then rendering it fails transiently too', () => {
    const n = templated({ template: { id: 'order.shipped', version: 9, dataJson: JSON.stringify(DATA) } });
    expect(() => renderNotification(catalogue, n, 'SMS')).toThrow(expect.objectContaining({ kind: 'transient', code: 'TEMPLATE_NOT_DEPLOYED' }));
  });
});
