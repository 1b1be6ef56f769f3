import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { runCli } from '../../../src/cli/main';
import { writeTemplateCatalogue } from '../../support/template-catalogue';

const catalogue = writeTemplateCatalogue();
const work = mkdtempSync(path.join(tmpdir(), 'notifier-templates-cli-'));
afterAll(() => {
  catalogue.remove();
  rmSync(work, { recursive: true, force: true });
});

async function cli(args: string[], opts: { env?: Record<string, string>; stdin?: string } = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['templates', ...args], {
    env: opts.env ?? {},
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    ...(opts.stdin !== undefined && { stdin: Readable.from([opts.stdin]) }),
  });
  return { code, stdout, stderr };
}

function dataFile(name: string, data: unknown): string {
  const file = path.join(work, name);
  writeFileSync(file, JSON.stringify(data));
  return file;
}

const ORDER = { customerName: '佐藤 花子', orderId: 'B-2002', shippedAt: '2026-04-10T01:05:00Z', total: { amount: 3480, currency: 'JPY' } };
const T = ['--templates', catalogue.dir];

describe('notifier templates render', () => {
  test('when an EMAIL is rendered for ja-JP in Tokyo with a data file, then the ref, subject, text and HTML are printed in Japanese', async () => {
    const result = await cli(['render', 'order.shipped', '--channel', 'EMAIL', '--locale', 'ja-JP', '--time-zone', 'Asia/Tokyo', '--data', dataFile('order.json', ORDER), ...T]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^order\.shipped@2 ja \(format ja-JP\) digest [0-9a-f]{12} · time zone Asia\/Tokyo$/);
    expect(lines[1]).toBe('subject: 佐藤 花子様、ご注文 B-2002 を発送しました');
    // The engine's contract: datetime dateStyle long + timeStyle short, money as currency, both in the format locale.
    const shippedAt = new Intl.DateTimeFormat('ja-JP', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Asia/Tokyo' }).format(new Date(ORDER.shippedAt));
    const total = new Intl.NumberFormat('ja-JP', { style: 'currency', currency: 'JPY' }).format(3480);
    expect(result.stdout).toContain(`--- text\n佐藤 花子様\nご注文 B-2002（${total}）を ${shippedAt} に発送しました。\n--- html\n`);
    const html = result.stdout.slice(result.stdout.indexOf('--- html\n'));
    expect(html).toMatch(/<html/i);
    expect(html).toContain('佐藤 花子様');
    expect(html).not.toContain('配送状況を見る'); // no trackingUrl in the data: the optional block is left out
  });

  test('when --version names an older version without ja, then the default locale is rendered and the ref says so', async () => {
    const result = await cli(['render', 'order.shipped', '--version', '1', '--channel', 'EMAIL', '--locale', 'ja-JP', ...T]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^order\.shipped@1 en \(format en\) digest [0-9a-f]{12} · time zone UTC\nsubject: Order A-1001 shipped\n/);
  });

  test('when an SMS is rendered with the sample data, then the body is followed by its segment count', async () => {
    const result = await cli(['render', 'order.shipped', '--channel', 'SMS', '--locale', 'ja-JP', ...T]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--- body\n山田 太郎様、ご注文A-1001を発送しました。<script>window.__pwned = true</script>');
    expect(result.stdout.trimEnd().split('\n').pop()).toBe('2 segments (UCS-2, 105 characters)');
  });

  test('when a GSM-7 SMS is rendered, with the channel in lower case and the data on stdin, then it is one GSM-7 segment', async () => {
    const result = await cli(['render', 'otp.sent', '--channel', 'sms', '--data', '-', ...T], { stdin: '{"code": "123456"}' });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^otp\.sent@1 en \(format en\) digest [0-9a-f]{12} · time zone UTC\n--- body\nYour code is 123456\n1 segment \(GSM-7, 19 characters\)\n$/);
  });

  test('when the template does not exist, then exit 2 naming it, with or without --data', async () => {
    for (const extra of [[], ['--data', dataFile('any.json', {})]]) {
      const result = await cli(['render', 'no.such', '--channel', 'EMAIL', ...extra, ...T]);
      expect(result).toMatchObject({ code: 2, stdout: '' });
      expect(result.stderr).toContain('no.such');
    }
  });

  test('when the data does not fit the variables, then exit 2 naming each variable and the problem, never the value', async () => {
    const bad = { ...ORDER, shippedAt: 'next tuesday', total: { amount: 3480, currency: 'yen' } };
    const result = await cli(['render', 'order.shipped', '--channel', 'EMAIL', '--data', dataFile('bad.json', bad), ...T]);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toContain('data.shippedAt');
    expect(result.stderr).toContain('data.total.currency');
    expect(result.stderr).not.toContain('next tuesday');
  });

  test('when the data file is not JSON, or is missing, then exit 2 naming the file', async () => {
    const notJson = path.join(work, 'not.json');
    writeFileSync(notJson, '{"orderId": ');
    const missing = path.join(work, 'missing.json');
    for (const [file, message] of [[notJson, `--data ${notJson}: not valid JSON`], [missing, `cannot read ${missing}: no such file`]]) {
      const result = await cli(['render', 'order.shipped', '--channel', 'SMS', '--data', file!, ...T]);
      expect(result).toMatchObject({ code: 2, stdout: '' });
      expect(result.stderr).toContain(message);
    }
  });

  test.each([
    [['render', '--channel', 'EMAIL'], 'notifier templates render: name one template ID'],
    [['render', 'order.shipped'], 'notifier templates render: --channel is required'],
    [['render', 'order.shipped', '--channel', 'WEBHOOK'], 'notifier templates render: --channel must be one of EMAIL, SMS, PUSH, SLACK, LINE, got "WEBHOOK"'],
    [['render', 'order.shipped', '--channel', 'SMS', '--version', '0'], '--version: "0" is not a positive integer'],
    [['render', 'order.shipped', '--channel', 'SMS', '--locale', 'ja_JP!'], '--locale "ja_JP!" is not a BCP 47 language tag'],
    [['render', 'order.shipped', '--channel', 'SMS', '--time-zone', 'Mars/Olympus'], '--time-zone "Mars/Olympus" is not an IANA time zone'],
    [['list', '--channel', 'SMS'], 'notifier templates list: --channel does not apply'],
    [['preview'], 'notifier templates: name one action, list or render'],
  ])('when run with %p, then it is a usage error naming the problem, exit 2', async (args, message) => {
    const result = await cli([...args, ...T]);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toContain(message);
  });
});

describe('notifier templates list', () => {
  test('when listed, then there is one line per version with its channels, locales and variables, the latest marked', async () => {
    const result = await cli(['list', ...T]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('order.shipped@1  EMAIL(en) SMS(en)  orderId:string  — Order shipped (first wording)');
    expect(lines[1]).toBe(
      'order.shipped@2 (latest)  EMAIL(en, ja) SMS(en, ja) PUSH(en) SLACK(en) LINE(en)  ' +
        'customerName:string orderId:string shippedAt:datetime total:money trackingUrl:url? giftMessage:string?  — Order shipped',
    );
    expect(lines[2]).toBe('otp.sent@1 (latest)  SMS(en, ja)  code:string  — One-time code');
  });

  test('when --templates is not given, then TEMPLATES_DIR names the catalogue', async () => {
    const result = await cli(['list'], { env: { TEMPLATES_DIR: catalogue.dir } });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('otp.sent@1 (latest)');
  });

  test('when the catalogue directory does not exist, then exit 2 naming it', async () => {
    const missing = path.join(work, 'no-templates-here');
    const result = await cli(['list', '--templates', missing]);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toContain(missing);
  });

  test('when a template file is broken, then exit 2 naming the file', async () => {
    const broken = writeTemplateCatalogue({ 'otp.sent/1/template.json': '{"variables": ' });
    try {
      const result = await cli(['list', '--templates', broken.dir]);
      expect(result).toMatchObject({ code: 2, stdout: '' });
      expect(result.stderr).toContain(path.join('otp.sent', '1', 'template.json'));
    } finally {
      broken.remove();
    }
  });

  test('when asked for help, then the usage names both actions and the default catalogue', async () => {
    const result = await cli(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('notifier templates list');
    expect(result.stdout).toContain('notifier templates render <id> --channel');
    expect(result.stdout).toContain('env TEMPLATES_DIR');
  });
});
