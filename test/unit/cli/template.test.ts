import { CliError } from '../../../src/cli/errors';
import { fillTemplate, parseTemplate } from '../../../src/cli/template';

const TEMPLATE = JSON.stringify({
  type: 'promo.spring',
  channel: 'EMAIL',
  account_id: '{{id}}',
  email: { to: '{{email}}', subject: 'Hello {{ name }}, {{name}}!', text: 'Your code: {{code}} {not a placeholder}' },
});

describe('parseTemplate', () => {
  it('when the template uses snake_case keys, then they are renamed once', () => {
    expect(parseTemplate(TEMPLATE, 't.json')).toHaveProperty('accountId', '{{id}}');
  });

  it('when the template has a notificationId, then it is refused: the broadcast assigns IDs', () => {
    expect(() => parseTemplate(JSON.stringify({ notification_id: 'x', type: 't' }), 't.json')).toThrow(/^t\.json: remove notificationId/);
  });

  it('when the template is not JSON, then the error names the file', () => {
    expect(() => parseTemplate('{', 't.json')).toThrow(/^t\.json: not valid JSON/);
  });
});

describe('fillTemplate', () => {
  const template = parseTemplate(TEMPLATE, 't.json');

  it('when every placeholder has a field, then each is replaced in every string value', () => {
    const fields = { id: 'u1', email: 'a@example.com', name: 'Ann', code: 'X1', unused: 'z' };
    expect(fillTemplate(template, fields, 1)).toEqual({
      type: 'promo.spring',
      channel: 'EMAIL',
      accountId: 'u1',
      email: { to: 'a@example.com', subject: 'Hello Ann, Ann!', text: 'Your code: X1 {not a placeholder}' },
    });
  });

  it('when filled, then the template itself is unchanged for the next recipient', () => {
    fillTemplate(template, { id: 'u1', email: 'e', name: 'n', code: 'c' }, 1);
    expect(template.email).toEqual({ to: '{{email}}', subject: 'Hello {{ name }}, {{name}}!', text: 'Your code: {{code}} {not a placeholder}' });
  });

  it('when NDJSON fields are numbers or booleans, then they are written as text', () => {
    expect(fillTemplate({ type: '{{n}}-{{b}}' }, { n: 42, b: false }, 1)).toEqual({ type: '42-false' });
  });

  it('when a CSV cell is empty, then the placeholder becomes empty', () => {
    expect(fillTemplate({ type: 'a{{x}}b' }, { x: '' }, 1)).toEqual({ type: 'ab' });
  });

  it('when a placeholder names a missing field, then the error names the field and the record', () => {
    const fill = () => fillTemplate(template, { id: 'u1', email: 'e', name: 'n' }, 7);
    expect(fill).toThrow(CliError);
    expect(fill).toThrow('template placeholder {{code}}: record 7 has no column or field "code"');
  });

  it('when a field is null, then it counts as missing', () => {
    expect(() => fillTemplate({ type: '{{x}}' }, { x: null }, 3)).toThrow('record 3 has no column or field "x"');
  });

  it('when a field is an object, then the error says it is not text', () => {
    expect(() => fillTemplate({ type: '{{x}}' }, { x: { y: 1 } }, 2)).toThrow('in record 2 "x" is not text, a number or a boolean');
  });

  it('when values are not strings, then they are left as they are', () => {
    expect(fillTemplate({ channel: 1, email: null }, {}, 1)).toEqual({ channel: 1, email: null });
  });
});

/** Values a recipient row could carry to break out of where its placeholder stands. */
const HOSTILE = [
  '<script>alert(1)</script>',
  `"double" & 'single'`,
  '"},"admin":true,"x":"',
  'line one\nline two\r\n\ttabbed',
  'back\\slash \\u0022',
  '日本語 🎉 \u2028 é',
];

describe('fillTemplate: email.html is HTML-escaped', () => {
  const template = parseTemplate(
    JSON.stringify({ type: 't', email: { to: 'a@example.com', subject: 'Hi {{v}}', text: 'Hi {{v}}', html: '<p title="{{v}}">Hi {{v}}</p>' } }),
    't.json',
  );

  it('when a value holds & < > " \', then each is written as its entity in the HTML, and as it is in the subject and text', () => {
    const { email } = fillTemplate(template, { v: `<b>"Tom" & 'Jerry'</b>` }, 1) as { email: Record<string, string> };
    expect(email.html).toBe('<p title="&lt;b&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/b&gt;">Hi &lt;b&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/b&gt;</p>');
    expect([email.subject, email.text]).toEqual([`Hi <b>"Tom" & 'Jerry'</b>`, `Hi <b>"Tom" & 'Jerry'</b>`]);
  });

  it.each(HOSTILE)('when the value is %j, then the HTML holds no tag, quote or raw & from it', (value) => {
    const { email } = fillTemplate(template, { v: value }, 1) as { email: Record<string, string> };
    const fromValue = email.html.replace(/^<p title="/, '').replace(/">Hi /, '').replace(/<\/p>$/, '');
    expect(fromValue).not.toMatch(/[<>"']|&(?!(amp|lt|gt|quot|#39);)/);
    expect(email.html.startsWith('<p title="')).toBe(true);
  });
});

describe('fillTemplate: webhook.payload_json gets JSON string content', () => {
  const template = parseTemplate(
    JSON.stringify({
      type: 't',
      webhook: { url: 'https://hooks.example.com/in', payload_json: '{"greeting": "Hi {{v}}!", "id": 12345678901234567890, "admin": false}' },
    }),
    't.json',
  );

  it.each(HOSTILE)('when the value is %j, then the payload is valid JSON with the template\'s keys and the value as a string', (value) => {
    const { webhook } = fillTemplate(template, { v: value }, 1) as { webhook: Record<string, string> };
    const parsed = JSON.parse(webhook.payloadJson!);
    expect(Object.keys(parsed)).toEqual(['greeting', 'id', 'admin']);
    expect(parsed).toMatchObject({ greeting: `Hi ${value}!`, admin: false });
  });

  it('when filled, then the rest of the text is kept as written (spacing, a number beyond double precision)', () => {
    const { webhook } = fillTemplate(template, { v: 'Ann' }, 1) as { webhook: Record<string, string> };
    expect(webhook.payloadJson).toBe('{"greeting": "Hi Ann!", "id": 12345678901234567890, "admin": false}');
  });

  it.each([
    ['a placeholder stands for a JSON value', '{"count": {{n}}}', 'with placeholders it must be valid JSON as written, each placeholder inside a string value as in {"name": "{{column}}"}'],
    ['a placeholder is an object key', '{"{{k}}": "v"}', 'placeholder {{k}} is in an object key; a value cannot name keys, put it in a string value'],
    ['a placeholder spans two strings', '{"a": "x{{", "b": "}}"}', 'placeholder {{", "b": "}} must sit inside one JSON string value, as in {"name": "{{column}}"}'],
  ])('when %s, then the template is refused naming webhook.payload_json', (_, payloadJson, message) => {
    const text = JSON.stringify({ type: 't', webhook: { url: 'https://h.example.com/', payload_json: payloadJson } });
    expect(() => parseTemplate(text, 't.json')).toThrow(CliError);
    expect(() => parseTemplate(text, 't.json')).toThrow(`t.json: webhook.payload_json: ${message}`);
  });

  it('when payload_json has no placeholder, then it is not judged here (the validator judges it per recipient)', () => {
    expect(() => parseTemplate(JSON.stringify({ type: 't', webhook: { payload_json: '{not json' } }), 't.json')).not.toThrow();
  });

  it('when the payload is given as a JSON value, then values fill its strings only, keys stay as written', () => {
    const t = parseTemplate(JSON.stringify({ type: 't', webhook: { url: 'https://h.example.com/', payload: { '{{v}}': 1, greeting: 'Hi {{v}}', list: ['{{v}}'] } } }), 't.json');
    const value = '"},"admin":true,"x":"';
    expect(fillTemplate(t, { v: value }, 1)).toMatchObject({ webhook: { payload: { '{{v}}': 1, greeting: `Hi ${value}`, list: [value] } } });
  });
});

describe('fillTemplate: URLs', () => {
  const withUrl = (url: string, field: 'webhook' | 'content' = 'webhook') =>
    parseTemplate(JSON.stringify({ type: 't', [field]: field === 'webhook' ? { url, payload_json: '{}' } : { body: 'b', url } }), 't.json');
  const urlOf = (t: ReturnType<typeof withUrl>, fields: Record<string, unknown>) =>
    (fillTemplate(t, fields, 1) as { webhook?: { url: string }; content?: { url: string } });

  it('when the placeholder is the whole URL, then the value is the URL as it is (the validator checks it)', () => {
    expect(urlOf(withUrl('{{hook}}'), { hook: 'https://hooks.example.com/a?b=c&d=e#f' }).webhook?.url).toBe('https://hooks.example.com/a?b=c&d=e#f');
  });

  it.each(HOSTILE.concat(['../../admin', 'x?admin=1#frag', 'evil.example/', '%2F']))(
    'when the value is %j after the host, then it is percent-encoded and the host, path and query keys stay the template\'s',
    (value) => {
      const url = new URL(urlOf(withUrl('https://hooks.example.com/t/{{v}}/in?user={{v}}'), { v: value }).webhook!.url);
      expect([url.host, url.pathname.split('/').length, [...url.searchParams.keys()], url.hash]).toEqual(['hooks.example.com', 4, ['user'], '']);
      expect(decodeURIComponent(url.pathname.split('/')[2]!)).toBe(value);
      expect(url.searchParams.get('user')).toBe(value);
    },
  );

  it('when content.url has a placeholder after the host, then it is percent-encoded too', () => {
    expect(urlOf(withUrl('https://shop.example.com/orders/{{id}}', 'content'), { id: 'a b/c' }).content?.url).toBe('https://shop.example.com/orders/a%20b%2Fc');
  });

  it.each([
    ['in the host', 'https://{{tenant}}.example.com/in', '{{tenant}}'],
    ['right after the host', 'https://hooks.example.com{{path}}', '{{path}}'],
    ['before a fixed path', '{{base}}/in', '{{base}}'],
    ['in the scheme', '{{scheme}}://hooks.example.com/', '{{scheme}}'],
  ])('when a placeholder is %s, then the template is refused naming the field', (_, url, placeholder) => {
    expect(() => withUrl(url)).toThrow(
      new CliError(`t.json: webhook.url: placeholder ${placeholder} must be the whole URL, or come after the host (https://host/…/${placeholder}), where its value is percent-encoded`),
    );
  });

  it.each(['.', '..'])('when the value after the host is %j (a dot segment URL parsing would resolve), then it is refused naming the field and the record', (value) => {
    expect(() => urlOf(withUrl('https://h.example.com/t/{{v}}/x'), { v: value })).toThrow(
      new CliError(`template placeholder {{v}}: in record 1 "v" is "${value}", which a URL path would resolve away`),
    );
  });

  it('when a value after the host is not valid Unicode, then the error names the field and the record', () => {
    expect(() => urlOf(withUrl('https://h.example.com/{{v}}'), { v: 'a\ud800' })).toThrow(new CliError('template placeholder {{v}}: in record 1 "v" is not valid Unicode'));
  });
});

describe('fillTemplate: every other string is written as it is', () => {
  const fields = {
    email: ['subject', 'text'],
    sms: ['body'],
    slack: ['text'],
    line: ['text'],
    push: ['title', 'body'],
    content: ['title', 'body'],
  } as const;
  const cases = Object.entries(fields).flatMap(([payload, keys]) => keys.map((key) => [`${payload}.${key}`, payload, key] as const));

  it.each(cases)('when %s holds a placeholder, then every hostile value is written unchanged', (_, payload, key) => {
    const template = parseTemplate(JSON.stringify({ type: 't', [payload]: { [key]: '[{{v}}]' } }), 't.json');
    for (const value of HOSTILE) {
      expect((fillTemplate(template, { v: value }, 1) as Record<string, Record<string, string>>)[payload]![key]).toBe(`[${value}]`);
    }
  });

  it('when push data values hold a placeholder, then they are written unchanged (the app reads them)', () => {
    const template = parseTemplate(JSON.stringify({ type: 't', push: { device_token: 'd', data: { link: 'app://x/{{v}}' } } }), 't.json');
    expect(fillTemplate(template, { v: 'a b&c' }, 1)).toMatchObject({ push: { data: { link: 'app://x/a b&c' } } });
  });
});
