import { ChildProcess, execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { createTestDatabase, TestDatabase } from '../support/db';
import { eventually } from '../support/notifier';
import { freePort } from '../support/ports';

const ROOT = path.resolve(__dirname, '../..');
const run = promisify(execFile);

interface MaildevMail {
  subject: string;
  to: { address: string }[];
  headers: Record<string, string>;
}

let db: TestDatabase;
let child: ChildProcess | undefined;
afterAll(async () => {
  child?.kill('SIGKILL');
  await db?.drop();
});

test('when `npm start` runs, then a notification published with the documented command arrives in the mail UI, and Ctrl-C stops everything', async () => {
  db = await createTestDatabase();
  const [smtpPort, uiPort] = [await freePort(), await freePort()];
  const project = `start-${randomBytes(3).toString('hex')}`;
  const env = {
    PATH: process.env.PATH ?? '',
    METADATA_SERVER_DETECTION: 'none',
    PUBSUB_EMULATOR_HOST: process.env.PUBSUB_EMULATOR_HOST!,
    GOOGLE_CLOUD_PROJECT: project,
    MYSQL_URL: db.url,
    PORT: '0',
    LOCAL_MAIL_SMTP_PORT: String(smtpPort),
    LOCAL_MAIL_UI_PORT: String(uiPort),
  };
  // `npm start` is `npm run build && node dist/local/start.js`; the global setup has built dist.
  child = spawn(process.execPath, ['dist/local/start.js'], { cwd: ROOT, env, stdio: 'pipe' });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));

  const ready = await eventually('the ready line', () => output.split('\n').find((l) => l.includes('ready:')), 30000).catch(
    (err: Error) => {
      throw new Error(`${err.message}\n${output}`);
    },
  );
  expect(ready).toContain(`mail UI http://127.0.0.1:${uiPort}`);
  expect(ready).toContain('npm run notifier -- publish --local');

  // The documented command; --local follows GOOGLE_CLOUD_PROJECT and PUBSUB_EMULATOR_HOST like npm start.
  const published = await run(
    process.execPath,
    ['dist/cli/main.js', 'publish', '--local', '--id', 'start-test-1', '--type', 'demo.hello',
      '--to', 'you@example.com', '--subject', 'Hello', '--text', 'It works'],
    { cwd: ROOT, env },
  );
  expect(published.stdout).toContain('start-test-1');

  const mail = await eventually('the mail in the mail UI', async () => {
    const mails = (await (await fetch(`http://127.0.0.1:${uiPort}/email`)).json()) as MaildevMail[];
    return mails.find((m) => m.headers['x-notification-id'] === 'start-test-1');
  }, 20000);
  expect(mail.subject).toBe('Hello');
  expect(mail.to.map((t) => t.address)).toEqual(['you@example.com']);

  child.kill('SIGINT');
  expect(await exited).toBe(0);
  child = undefined;
  expect(output).toContain('[local] stopped');
  await expect(fetch(`http://127.0.0.1:${uiPort}/healthz`)).rejects.toThrow();
});
