import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { eventually } from '../support/notifier';
import { LocalPipeline, ROOT, startLocalPipeline } from '../support/npm-start';

const run = promisify(execFile);

interface SandboxMessage {
  channel: string;
  recipient: string;
  text?: string;
  body?: { notification_id: string; data: unknown };
}

interface MaildevMail {
  subject: string;
  to: { address: string }[];
  headers: Record<string, string>;
}

let local: LocalPipeline | undefined;
afterAll(async () => {
  await local?.close();
});

test('when `npm start` runs, then notifications published with the documented commands arrive in the mail UI and the provider sandbox, and Ctrl-C stops everything', async () => {
  local = await startLocalPipeline('start');
  const { env, uiPort, providers, child } = local;
  const ready = await local.ready();
  // One short line with the URLs, then one sample command.
  expect(ready).toMatch(new RegExp(`ready: notifier http://127\\.0\\.0\\.1:\\d+ · mail http://127\\.0\\.0\\.1:${uiPort} · inbox ${providers} · templates ${providers}/templates · Ctrl-C stops$`));
  expect(ready.length).toBeLessThan(200);
  expect(local.output()).toContain('[local] try: npm run notifier -- publish --local');

  // The documented commands (`npm run notifier --` is `node dist/cli/main.js`); --local follows
  // GOOGLE_CLOUD_PROJECT and PUBSUB_EMULATOR_HOST like npm start.
  const publish = (...args: string[]) => run(process.execPath, ['dist/cli/main.js', 'publish', '--local', ...args], { cwd: ROOT, env });
  const published = await Promise.all([
    publish('--id', 'start-test-1', '--type', 'demo.hello', '--to', 'you@example.com', '--subject', 'Hello', '--text', 'It works'),
    publish('--id', 'start-test-sms', '--type', 'otp.sent', '--channel', 'SMS', '--to', '+819012345678', '--text', 'Your code is 1234'),
    publish('--id', 'start-test-webhook', '--type', 'order.shipped', '--channel', 'WEBHOOK', '--to', `${providers}/webhook/orders`, '--payload', '{"a":1}'),
    // PUSH takes its access token from the sandbox's metadata server, as the library would on Cloud Run.
    publish('--id', 'start-test-push', '--type', 'order.shipped', '--channel', 'PUSH', '--to', 'device-token-1', '--subject', 'Shipped', '--text', 'On its way'),
  ]);
  expect(published.map((p) => p.stdout)).toEqual([
    expect.stringContaining('start-test-1'),
    expect.stringContaining('start-test-sms'),
    expect.stringContaining('start-test-webhook'),
    expect.stringContaining('start-test-push'),
  ]);

  const mail = await eventually('the mail in the mail UI', async () => {
    const mails = (await (await fetch(`http://127.0.0.1:${uiPort}/email`)).json()) as MaildevMail[];
    return mails.find((m) => m.headers['x-notification-id'] === 'start-test-1');
  }, 20000);
  expect(mail.subject).toBe('Hello');
  expect(mail.to.map((t) => t.address)).toEqual(['you@example.com']);

  const received = await eventually('the SMS, webhook and push in the provider sandbox', async () => {
    const messages = (await (await fetch(`${providers}/messages`)).json()) as SandboxMessage[];
    return messages.length >= 3 ? messages : undefined;
  }, 20000).catch((err: Error) => {
    throw new Error(`${err.message}\n${local!.output()}`);
  });
  expect(received).toHaveLength(3);
  expect(received).toEqual(expect.arrayContaining([
    expect.objectContaining({ channel: 'SMS', recipient: '+819012345678', text: 'Your code is 1234' }),
    expect.objectContaining({ channel: 'WEBHOOK', recipient: `${providers}/webhook/orders`, body: expect.objectContaining({ notification_id: 'start-test-webhook', data: { a: 1 } }) }),
    expect.objectContaining({ channel: 'PUSH', recipient: 'device-token-1', text: 'On its way' }),
  ]));
  const output = local.output;
  expect(output()).toContain('[local] SMS to +819012345678: Your code is 1234');
  // One readable line per outcome, not a push's HTTP status.
  await eventually('the outcome lines', () => ['start-test-1 EMAIL: sent', 'start-test-sms SMS: sent', 'start-test-push PUSH: sent', 'start-test-webhook WEBHOOK: sent'].every((l) => output().includes(`[local] ${l}`)) || undefined);
  expect(output()).not.toContain('provider sandbox refused');

  child.kill('SIGINT');
  expect(await local.exited).toBe(0);
  expect(output()).toContain('[local] stopped');
  await expect(fetch(`http://127.0.0.1:${uiPort}/healthz`)).rejects.toThrow();
  await expect(fetch(`${providers}/messages`)).rejects.toThrow();
});
