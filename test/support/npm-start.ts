/** `npm start` as a child process on this test run's database, emulator and free ports. */
import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createTestDatabase, TestDatabase } from './db';
import { eventually } from './notifier';
import { freePort } from './ports';

export const ROOT = path.resolve(__dirname, '../..');

export interface LocalPipeline {
  /** The environment it runs with: the documented commands run with it too (`--local` follows it). */
  env: Record<string, string>;
  uiPort: number;
  /** The provider sandbox, `http://127.0.0.1:<port>`. */
  providers: string;
  /** Everything it printed so far. */
  output(): string;
  /** Resolves with the `ready:` line; throws with the output when it does not come. */
  ready(): Promise<string>;
  /** Resolves with its exit code. */
  exited: Promise<number | null>;
  child: ChildProcess;
  /** Kills it if still running, and drops its database. */
  close(): Promise<void>;
}

/** Starts `npm start` (`npm run build && node dist/local/start.js`; the global setup has built dist). */
export async function startLocalPipeline(prefix: string): Promise<LocalPipeline> {
  const db: TestDatabase = await createTestDatabase();
  const [smtpPort, uiPort, providersPort] = [await freePort(), await freePort(), await freePort()];
  const env = {
    PATH: process.env.PATH ?? '',
    METADATA_SERVER_DETECTION: 'none',
    PUBSUB_EMULATOR_HOST: process.env.PUBSUB_EMULATOR_HOST!,
    GOOGLE_CLOUD_PROJECT: `${prefix}-${randomBytes(3).toString('hex')}`,
    MYSQL_URL: db.url,
    PORT: '0',
    LOCAL_MAIL_SMTP_PORT: String(smtpPort),
    LOCAL_MAIL_UI_PORT: String(uiPort),
    LOCAL_PROVIDERS_PORT: String(providersPort),
  };
  const child = spawn(process.execPath, ['dist/local/start.js'], { cwd: ROOT, env, stdio: 'pipe' });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    env,
    uiPort,
    providers: `http://127.0.0.1:${providersPort}`,
    output: () => output,
    ready: () =>
      eventually('the ready line', () => output.split('\n').find((l) => l.includes('ready:')), 30000).catch((err: Error) => {
        throw new Error(`${err.message}\n${output}`);
      }),
    exited,
    child,
    async close() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await db.drop();
    },
  };
}
