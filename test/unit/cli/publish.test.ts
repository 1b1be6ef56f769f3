import { runCli } from '../../../src/cli/main';
import { notificationFromFlags } from '../../../src/cli/publish';
import { CHANNELS } from '../../../src/codec/notification';
import { captureIo, fakePubSub, NOW_MS, stdinOf, tempFiles, TEST_SIGNING_KEY } from './fakes';

const files = tempFiles();
afterAll(() => files.remove());

const EMAIL_FLAGS = ['--to', 'you@example.com', '--subject', 'Hello', '--text', 'It works'];

async function publish(args: string[], overrides: Parameters<typeof captureIo>[0] = {}) {
  const fake = fakePubSub();
  const cap = captureIo({ createClient: fake.createClient, ...overrides });
  const code = await runCli(['publish', ...args], cap.io);
  return { code, ...fake, stdout: cap.stdout(), stderr: cap.stderr() };
}

describe('notifier publish', () => {
  it('when given flags, then one notification is published and its IDs printed', async () => {
    const run = await publish(['--id', 'demo-1', '--type', 'demo.hello', '--account', 'acct-9', ...EMAIL_FLAGS]);
    expect(run.code).toBe(0);
    expect(run.published).toEqual([
      expect.objectContaining({
        notificationId: 'demo-1',
        type: 'demo.hello',
        accountId: 'acct-9',
        channel: CHANNELS.EMAIL,
        email: { to: 'you@example.com', subject: 'Hello', text: 'It works', html: '' },
      }),
    ]);
    expect(run.stdout).toBe('published notification demo-1 as Pub/Sub message m-1\n');
    expect(run.stderr).toBe('');
    expect(run.closed()).toBe(1);
  });

  it('when no --id is given, then a random UUID is used and printed', async () => {
    const run = await publish(['--type', 'demo.hello', ...EMAIL_FLAGS]);
    const id = run.published[0].notificationId;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(run.stdout).toContain(`published notification ${id} `);
  });

  it('when --expires-in is given, then the notification expires that long after now', async () => {
    const run = await publish(['--type', 'demo.hello', '--expires-in', '2h', ...EMAIL_FLAGS]);
    expect(run.published[0].expiresAtMicros).toBe(BigInt(NOW_MS + 2 * 3600_000) * 1000n);
  });

  it('when the connection flags are given, then the client is made for them', async () => {
    const run = await publish(['--project', 'p2', '--topic', 't2', '--encoding', 'BINARY', '--source', 'ops', '--type', 'x', ...EMAIL_FLAGS]);
    expect(run.connections).toEqual([{ projectId: 'p2', topic: 't2', encoding: 'BINARY', source: 'ops', signingKey: TEST_SIGNING_KEY }]);
    expect(run.published[0].source).toBe('ops');
  });

  it('when the notification is invalid, then every problem is printed, nothing published, exit code 2', async () => {
    const run = await publish(['--id', 'bad-1', '--type', 'demo.hello', '--to', 'bad', '--subject', 'Hi']);
    expect(run.code).toBe(2);
    expect(run.published).toEqual([]);
    expect(run.stderr).toBe(
      'notification bad-1 is invalid, nothing was published:\n' +
        '  email.to: is not a valid email address\n' +
        '  email.text: text or html is required\n',
    );
    expect(run.connections).toEqual([]);
  });

  it('when --file names a camelCase JSON file, then that notification is published', async () => {
    const path = files.write('n.json', JSON.stringify({ notificationId: 'f-1', type: 't', channel: 'EMAIL', expiresAt: '2025-06-01T00:00:00Z', email: { to: 'a@example.com', subject: 'S', html: '<b>x</b>' } }));
    const run = await publish(['--file', path]);
    expect(run.code).toBe(0);
    expect(run.published[0]).toMatchObject({ notificationId: 'f-1', expiresAtMicros: BigInt(Date.parse('2025-06-01T00:00:00Z')) * 1000n });
  });

  it('when --file is - and standard input holds snake_case JSON, then it is read from there', async () => {
    const json = JSON.stringify({ notification_id: 's-1', type: 't', channel: 'EMAIL', account_id: 'a1', email: { to: 'a@example.com', subject: 'S', text: 'T' } });
    const run = await publish(['--file', '-'], { stdin: stdinOf(json) });
    expect(run.code).toBe(0);
    expect(run.published[0]).toMatchObject({ notificationId: 's-1', accountId: 'a1' });
  });

  it('when --file is combined with notification flags, then it is a usage error', async () => {
    const run = await publish(['--file', 'n.json', '--type', 'x', '--to', 'a@example.com']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('notifier publish: --file cannot be combined with --type, --to\n');
  });

  it('when the file does not exist, then the error names it, exit code 2', async () => {
    const run = await publish(['--file', '/nonexistent/n.json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('cannot read /nonexistent/n.json: no such file\n');
  });

  it('when the file has an unknown field, then the error names it and nothing is published', async () => {
    const path = files.write('typo.json', JSON.stringify({ notificationId: 'x', type: 't', channel: 'EMAIL', emial: {} }));
    const run = await publish(['--file', path]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`${path}: unknown field "emial"\n`);
    expect(run.connections).toEqual([]);
  });

  it('when --type is missing, then the usage error names it', async () => {
    const run = await publish(EMAIL_FLAGS);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('notifier publish: --type is required (see notifier help publish)\n');
  });

  it('when no project is known, then the error says how to give one and no client is made', async () => {
    const run = await publish(['--type', 'x', ...EMAIL_FLAGS], { env: {} });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('no project: pass --project, set GOOGLE_CLOUD_PROJECT, or use --local for the npm start pipeline\n');
    expect(run.connections).toEqual([]);
  });

  it('when Pub/Sub refuses the message, then the error is printed without a stack, exit code 1', async () => {
    const fake = fakePubSub({ failAt: 1 });
    const cap = captureIo({ createClient: fake.createClient });
    expect(await runCli(['publish', '--type', 'x', ...EMAIL_FLAGS], cap.io)).toBe(1);
    expect(cap.stderr()).toBe('publishing failed: 14 UNAVAILABLE: connection refused\n');
    expect(fake.closed()).toBe(1);
  });

  it('when --help is given, then the command usage is printed and nothing published', async () => {
    const run = await publish(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^notifier publish /);
    expect(run.connections).toEqual([]);
  });
});

describe('notificationFromFlags', () => {
  it('when the channel is EMAIL and no email flags are given, then an empty email is built for the validator to name', () => {
    expect(notificationFromFlags({ id: 'n', type: 't' }, 0).email).toEqual({ to: '', subject: '', text: undefined, html: undefined });
  });

  it('when the channel is another one and no flags are given, then its empty payload (and no email) is built for the validator', () => {
    expect(notificationFromFlags({ id: 'n', type: 't', channel: 'SMS' }, 0)).toEqual({ notificationId: 'n', type: 't', channel: 'SMS', sms: { to: '', body: '' } });
  });

  it.each([
    ['sms', { to: '+819012345678', text: 'Code' }, { sms: { to: '+819012345678', body: 'Code' } }],
    ['PUSH', { to: 'tok', subject: 'T', text: 'B' }, { push: { deviceToken: 'tok', title: 'T', body: 'B' } }],
    ['SLACK', { text: 'Done' }, { slack: { channel: undefined, text: 'Done' } }],
    ['LINE', { to: 'U1', text: 'Hi' }, { line: { to: 'U1', text: 'Hi' } }],
    ['WEBHOOK', { to: 'https://h.example/x', payload: '{"a":1}' }, { webhook: { url: 'https://h.example/x', payloadJson: '{"a":1}' } }],
    ['6', { to: 'https://h.example/x', payload: '[]' }, { webhook: { url: 'https://h.example/x', payloadJson: '[]' } }],
  ])('when the channel is %s, then --to, --subject, --text and --payload fill its payload', (channel, flags, payload) => {
    expect(notificationFromFlags({ id: 'n', type: 't', channel, ...flags }, 0)).toMatchObject(payload);
  });

  it('when the channel name is unknown, then no payload is built and the validator names the channel', () => {
    expect(notificationFromFlags({ id: 'n', type: 't', channel: 'FAX', to: 'x' }, 0)).toEqual({ notificationId: 'n', type: 't', channel: 'FAX' });
  });

  it('when the channel is a number, then it is passed as the enum number', () => {
    expect(notificationFromFlags({ id: 'n', type: 't', channel: '2' }, 0).channel).toBe(2);
  });
});

describe('notifier publish --template', () => {
  it('when a template, data and locale are given with a recipient, then the notification names the template and carries only the recipient', async () => {
    const data = files.write('order.json', '{"orderId": "A-1", "total": {"amount": 5, "currency": "JPY"}}');
    const run = await publish(['--id', 't-1', '--type', 'order.shipped', '--to', 'you@example.com', '--template', 'order.shipped@2', '--data', data, '--locale', 'ja-JP']);
    expect([run.code, run.stderr]).toEqual([0, '']);
    expect(run.published[0]).toMatchObject({
      channel: CHANNELS.EMAIL,
      email: { to: 'you@example.com', subject: '', text: '', html: '' },
      template: { id: 'order.shipped', version: 2, dataJson: '{"orderId":"A-1","total":{"amount":5,"currency":"JPY"}}' },
      locale: 'ja-JP',
    });
  });

  it('when a template and an account are given without a channel, then the notification is routed', async () => {
    const run = await publish(['--id', 't-2', '--type', 'order.shipped', '--account', 'acct-1', '--template', 'order.shipped']);
    expect(run.code).toBe(0);
    expect(run.published[0]).toMatchObject({ channel: CHANNELS.CHANNEL_UNSPECIFIED, accountId: 'acct-1', template: { id: 'order.shipped', version: 0, dataJson: '{}' } });
    expect(run.published[0].email).toBeUndefined();
  });

  it('when the data is not a JSON object, or comes without a template, or the version is not a number, then nothing is published, exit code 2', async () => {
    const list = files.write('list.json', '[1, 2]');
    const cases = [
      [['--to', 'a@example.com', '--template', 'order.shipped', '--data', list], /--data .*list\.json: expected a JSON object/],
      [['--to', 'a@example.com', '--data', list], /--data needs --template/],
      [['--to', 'a@example.com', '--template', 'order.shipped@x'], /the version after @ must be a positive integer/],
    ] as const;
    for (const [args, error] of cases) {
      const run = await publish(['--type', 'order.shipped', ...args]);
      expect([run.code, run.published]).toEqual([2, []]);
      expect(run.stderr).toMatch(error);
    }
  });

  it('when a templated payload also gives text, then the validator names the field that the template fills', async () => {
    const run = await publish(['--id', 't-3', '--type', 'order.shipped', '--to', 'a@example.com', '--subject', 'Mine', '--template', 'order.shipped']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('email.subject: is rendered from the template: leave it empty');
  });
});
