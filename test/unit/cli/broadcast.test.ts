import { makeKeyOf } from '../../../src/cli/broadcast';
import { runCli } from '../../../src/cli/main';
import { broadcastNotificationId } from '../../../src/client/broadcast';
import { captureIo, fakePubSub, stdinOf, tempFiles } from './fakes';

const files = tempFiles();
afterAll(() => files.remove());

const TEMPLATE = files.write(
  'spring.json',
  JSON.stringify({ type: 'promo.spring', channel: 'EMAIL', email: { to: '{{email}}', subject: 'Hello {{name}}', text: 'Spring sale!' } }),
);

function csvOf(count: number, email = (i: number) => `user${i}@example.com`): string {
  const rows = Array.from({ length: count }, (_, i) => `u${i + 1},${email(i + 1)},"Name, ${i + 1}"`);
  return `id,email,name\n${rows.join('\n')}\n`;
}

async function broadcast(args: string[], opts: { failAt?: number; overrides?: Parameters<typeof captureIo>[0] } = {}) {
  const fake = fakePubSub({ failAt: opts.failAt });
  const cap = captureIo({ createClient: fake.createClient, ...opts.overrides });
  const code = await runCli(['broadcast', ...args], cap.io);
  return { code, ...fake, stdout: cap.stdout(), stderr: cap.stderr() };
}

describe('notifier broadcast', () => {
  const csv = files.write('people.csv', csvOf(30));

  it('when given a CSV file, then every recipient gets a notification with an ID from the broadcast ID and the key', async () => {
    const run = await broadcast(['--id', 'spring', '--recipients', csv, '--template', TEMPLATE]);
    expect(run.code).toBe(0);
    expect(run.published).toHaveLength(30);
    expect(run.published.find((n) => n.email?.to === 'user7@example.com')).toMatchObject({
      notificationId: broadcastNotificationId('spring', 'u7'),
      email: { subject: 'Hello Name, 7' },
    });
    expect(run.stdout).toMatch(/^broadcast spring: read 30, published 30, rejected 0 in \d+\.\d s \(\d+\/s\)\n/);
    expect(run.stdout).toContain('Re-running the same command is safe: no one is notified twice.\n');
    expect(run.closed()).toBe(1);
  });

  it('when run twice, then the same notification IDs are published', async () => {
    const ids = async () => (await broadcast(['--id', 'spring', '--recipients', csv, '--template', TEMPLATE])).published.map((n) => n.notificationId).sort();
    expect(await ids()).toEqual(await ids());
  });

  it('when --key names a column, then that column identifies recipients', async () => {
    const run = await broadcast(['--id', 'b', '--recipients', csv, '--template', TEMPLATE, '--key', 'email']);
    expect(run.published[0].notificationId).toBe(broadcastNotificationId('b', 'user1@example.com'));
  });

  it('when NDJSON comes from standard input, then it is streamed and the total stays unknown', async () => {
    const ndjson = '{"email":"a@example.com","name":"Ann"}\n\n{"email":"b@example.com","name":"Bob"}\n';
    const progress: string[] = [];
    const run = await broadcast(['--id', 'b', '--recipients', '-', '--format', 'ndjson', '--template', TEMPLATE], {
      overrides: { stdin: stdinOf(ndjson), stderr: { isTTY: true, write: (s: string) => void progress.push(s) } },
    });
    expect(run.code).toBe(0);
    expect(run.published.map((n) => n.notificationId)).toEqual([broadcastNotificationId('b', 'a@example.com'), broadcastNotificationId('b', 'b@example.com')]);
    expect(progress.join('')).toMatch(/^\rpublished \d .*\n$/s);
  });

  it('when stderr is a terminal and the total is known, then a progress bar is drawn and its line ended', async () => {
    const lines: string[] = [];
    await broadcast(['--id', 'b', '--recipients', csv, '--template', TEMPLATE], {
      overrides: { stderr: { isTTY: true, write: (s: string) => void lines.push(s) } },
    });
    const text = lines.join('');
    expect(text).toContain('100.0%  30/30');
    expect(text.endsWith('\x1b[K\n')).toBe(true);
  });

  it('when recipients are invalid, then they are skipped and listed up to the cap, and the rest published', async () => {
    const path = files.write('some-bad.csv', csvOf(30, (i) => (i <= 25 ? `bad${i}` : `user${i}@example.com`)));
    const run = await broadcast(['--id', 'b', '--recipients', path, '--template', TEMPLATE]);
    expect(run.code).toBe(0);
    expect(run.published).toHaveLength(5);
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe('  rejected record 1 (key u1): email.to is not a valid email address');
    expect(lines).toHaveLength(21);
    expect(lines[20]).toBe('  … and 5 more rejected recipients (25 in all)');
    expect(run.stdout).toMatch(/^broadcast b: read 30, published 5, rejected 25 in /);
  });

  describe('values written by where they stand', () => {
    const hostile = ['<script>alert(1)</script>', '"},"admin":true,"x":"', 'O\'Brien & "Sons"\nline 2', '日本語 🎉'];
    const ndjson = files.write('hostile.ndjson', hostile.map((name, i) => JSON.stringify({ id: `u${i}`, email: `u${i}@example.com`, name })).join('\n'));
    const valueOf = (key: string) => hostile[Number(key.slice(1))]!;

    it('when names are hostile, then the email HTML gets them escaped, the subject as they are (a newline there is rejected)', async () => {
      const template = files.write('html.json', JSON.stringify({
        type: 'promo.spring', channel: 'EMAIL', email: { to: '{{email}}', subject: 'Hi {{name}}', text: 'Hi {{name}}', html: '<p class="greeting">Hi {{name}}</p>' },
      }));
      const run = await broadcast(['--id', 'b', '--recipients', ndjson, '--template', template]);
      expect([run.code, run.published.length]).toEqual([0, hostile.length - 1]);
      expect(run.stderr).toContain('rejected record 3 (key u2): email.subject must be a single line');
      for (const n of run.published) {
        const name = valueOf(n.email!.to.split('@')[0]!);
        expect(n.email).toMatchObject({ subject: `Hi ${name}`, text: `Hi ${name}` });
        expect(n.email!.html.replace('<p class="greeting">Hi ', '').replace(/<\/p>$/, '')).not.toMatch(/[<>"']/);
      }
      expect(run.published.find((n) => n.email!.to === 'u0@example.com')!.email!.html).toBe('<p class="greeting">Hi &lt;script&gt;alert(1)&lt;/script&gt;</p>');
    });

    it('when names are hostile, then each webhook payload is valid JSON with the template\'s keys and the name as a string', async () => {
      const template = files.write('webhook.json', JSON.stringify({
        type: 'promo.spring', channel: 'WEBHOOK', webhook: { url: 'https://hooks.example.com/in/{{id}}', payload_json: '{"name": "{{name}}", "admin": false}' },
      }));
      const run = await broadcast(['--id', 'b', '--recipients', ndjson, '--template', template]);
      expect([run.code, run.published.length]).toEqual([0, hostile.length]);
      for (const n of run.published) {
        const key = n.webhook!.url.split('/').at(-1)!;
        expect(JSON.parse(n.webhook!.payloadJson)).toEqual({ name: valueOf(key), admin: false });
      }
    });

    it('when the payload_json template has a placeholder outside a string, then it is refused before connecting, exit code 2', async () => {
      const template = files.write('bare.json', JSON.stringify({
        type: 'promo.spring', channel: 'WEBHOOK', webhook: { url: 'https://hooks.example.com/in', payload_json: '{"admin": {{name}}}' },
      }));
      const run = await broadcast(['--id', 'b', '--recipients', ndjson, '--template', template]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(new RegExp(`^${template}: webhook\\.payload_json: with placeholders it must be valid JSON as written`));
      expect([run.published, run.connections]).toEqual([[], []]);
    });
  });

  it('when a placeholder names a missing column, then the error names it and the record, and nothing is published', async () => {
    const path = files.write('no-name.csv', 'id,email\nu1,a@example.com\n');
    const run = await broadcast(['--id', 'b', '--recipients', path, '--template', TEMPLATE]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('template placeholder {{name}}: record 1 has no column or field "name"\n');
    expect(run.published).toEqual([]);
  });

  it('when an NDJSON line is bad after some were published, then the error names the line and says re-running is safe', async () => {
    const path = files.write('bad-line.ndjson', '{"id":"1","email":"a@example.com","name":"A"}\n{"id":"2",\n');
    const run = await broadcast(['--id', 'b', '--recipients', path, '--template', TEMPLATE]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`^${path} line 2: not valid JSON .*\\nThe records before it may have been published\\. Fix the input and run the same command again: no one is notified twice\\.\\n$`));
    expect(run.closed()).toBe(1);
  });

  it('when publishing fails mid-way, then the BroadcastError message is printed, exit code 1', async () => {
    const run = await broadcast(['--id', 'b', '--recipients', csv, '--template', TEMPLATE], { failAt: 10 });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^broadcast stopped after \d+ of \d+ read recipients were published: 14 UNAVAILABLE: connection refused\. Run the same broadcast again/);
    expect(run.stdout).toBe('');
  });

  it('when a recipient has an empty key, then it is an error naming the record', async () => {
    const path = files.write('no-key.csv', 'id,email,name\nu1,a@example.com,A\n,b@example.com,B\n');
    const run = await broadcast(['--id', 'b', '--recipients', path, '--template', TEMPLATE]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^record 2: key column "id" is missing or empty\n/);
  });

  it.each([
    [['--recipients', 'x.csv', '--template', 't.json'], 'notifier broadcast: --id is required (see notifier help broadcast)'],
    [['--id', 'b', '--template', 't.json'], 'notifier broadcast: --recipients is required (see notifier help broadcast)'],
    [['--id', 'b'.repeat(65), '--recipients', 'x.csv', '--template', 't.json'], '--id: must be 1–64 printable characters'],
    [['--id', 'b', '--recipients', 'x.txt', '--template', 't.json'], 'cannot tell the format of x.txt: pass --format csv or --format ndjson'],
    [['--id', 'b', '--recipients', 'x.csv', '--template', 't.json', '--rate', 'fast'], '--rate: "fast" is not a positive number'],
    [['--id', 'b', '--recipients', '-', '--template', '-', '--format', 'csv'], '--recipients and --template cannot both read standard input'],
    [['--id', 'b', '--recipients', 'x.csv', '--template', '/nonexistent/t.json'], 'cannot read /nonexistent/t.json: no such file'],
    [['--id', 'b', '--recipients', '/nonexistent/x.csv', '--template', TEMPLATE], 'cannot read /nonexistent/x.csv: no such file'],
  ])('when the arguments are %j, then the usage error says %p, exit code 2', async (args, message) => {
    const run = await broadcast(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`${message}\n`);
    expect(run.connections).toEqual([]);
  });
});

describe('makeKeyOf', () => {
  it('when there is no id column, then email is the key', () => {
    expect(makeKeyOf(undefined)({ number: 1, fields: { email: 'a@example.com' } })).toBe('a@example.com');
  });

  it('when there is neither id nor email, then the error asks for --key', () => {
    expect(() => makeKeyOf(undefined)({ number: 1, fields: { phone: '1' } })).toThrow('pass --key <column>');
  });

  it('when the key is a number in NDJSON, then it is used as text', () => {
    expect(makeKeyOf('n')({ number: 1, fields: { n: 42 } })).toBe('42');
  });
});
