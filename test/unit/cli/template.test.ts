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
