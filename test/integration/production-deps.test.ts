/**
 * The container's runtime stage as plain processes: the shipped files with production
 * dependencies only (the Dockerfile's `npm ci --omit=dev …`), then its command. A runtime
 * import of a package declared as a dev dependency fails here, where the rest of the suite,
 * running with every dependency installed, cannot notice.
 */
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { emailNotification, envelopeFor, push, pushEnvelope } from '../support/notifications';
import { eventually, LogLine, notifierEnv } from '../support/notifier';
import { RealParts, startRealParts } from '../support/real-parts';

const ROOT = path.resolve(__dirname, '../..');
/** What the image holds besides node_modules (the global setup has built dist). */
const SHIPPED = ['package.json', 'package-lock.json', 'dist', 'proto', 'migrations', 'templates'];
/** Pinned by test/unit/container/dockerfile.test.ts as the runtime stage's install. */
const NPM_CI = ['ci', '--omit=dev', '--no-audit', '--no-fund', '--ignore-scripts'];
/** What the image runs: the service, the migration job, the CLI, and what producers require. */
const ENTRY_POINTS = ['dist/main.js', 'dist/mysql/migrate-cli.js', 'dist/cli/main.js', 'dist/client/index.js'];
const run = promisify(execFile);

let dir: string;
let parts: RealParts;
const children: ChildProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'notifier-prod-'));
  for (const entry of SHIPPED) await cp(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
  // The outer `npm test` exports npm_* settings; the install must be the one a fresh shell (the Dockerfile) runs.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  await run('npm', NPM_CI, { cwd: dir, env, maxBuffer: 16 * 1024 * 1024 }).catch((err: Error & { stderr?: string }) => {
    throw new Error(`npm ${NPM_CI.join(' ')} failed in ${dir}: ${err.message}\n${err.stderr ?? ''}`);
  });
  parts = await startRealParts();
}, 300000);

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

afterAll(async () => {
  await parts?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** `node dist/main.js` from the copy, as the container's CMD; resolves once it logs `notifier listening`. */
async function startFromCopy(env: Record<string, string>) {
  const child = spawn(process.execPath, ['dist/main.js'], { cwd: dir, env: { PATH: process.env.PATH ?? '', ...env } });
  children.push(child);
  const logs: LogLine[] = [];
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    const lines = (stdout += c.toString()).split('\n');
    stdout = lines.pop()!;
    logs.push(...lines.filter(Boolean).map((l) => JSON.parse(l) as LogLine));
  });
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  const listening = await eventually('notifier listening', () => {
    if (child.exitCode !== null) throw new Error(`node dist/main.js exited ${child.exitCode}: ${stderr}`);
    return logs.find((l) => l.message === 'notifier listening');
  }, 20000);
  return { child, logs, exited, url: `http://127.0.0.1:${listening.port as number}` };
}

/** Bare module names that `file` and the files it requires (relatively, inside dist) require. */
function requiredPackages(entries: string[]): Map<string, string> {
  const packages = new Map<string, string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const [, , spec] of readFileSync(file, 'utf8').matchAll(/\brequire(?:\.resolve)?\((["'])([^"']+)\1\)/g)) {
      if (spec!.startsWith('.')) {
        const base = path.resolve(path.dirname(file), spec!);
        visit([`${base}.js`, path.join(base, 'index.js'), base].find((f) => existsSync(f) && f.endsWith('.js'))!);
      } else if (!builtinModules.includes(spec!.replace(/^node:/, '').split('/')[0]!)) {
        packages.set(spec!, path.relative(dir, file));
      }
    }
  };
  entries.forEach((e) => visit(path.join(dir, e)));
  return packages;
}

describe('the shipped package with production dependencies only (the runtime stage of the Dockerfile)', () => {
  test('when installed, then dev dependencies are absent and every package the shipped entry points require resolves', () => {
    expect(['jest', 'typescript', 'maildev', 'smtp-server'].filter((p) => existsSync(path.join(dir, 'node_modules', p)))).toEqual([]);
    const required = requiredPackages(ENTRY_POINTS);
    expect(required.size).toBeGreaterThan(5);
    const unresolved = [...required].filter(([spec, from]) => {
      try {
        require.resolve(spec, { paths: [path.dirname(path.join(dir, from))] });
        return false;
      } catch {
        return true;
      }
    });
    expect(unresolved).toEqual([]);
  });

  test('when node dist/main.js starts with NODE_ENV=production, then /healthz and /readyz answer 200, an unauthenticated push is refused, and SIGTERM exits 0', async () => {
    const notifier = await startFromCopy(
      notifierEnv(parts, {
        NODE_ENV: 'production',
        INTERNAL_SIGNING_KEYS: 'production-signing-key-of-at-least-32-characters',
        SUPPRESSION_KEY: 'production-suppression-key-of-at-least-32-characters',
        PUSH_AUTH: 'oidc',
        PUSH_AUDIENCE: 'https://notifier.example.run.app/pubsub/push',
        PUSH_SERVICE_ACCOUNT: 'pubsub-push@notifier-test.iam.gserviceaccount.com',
      }),
    );
    expect((await fetch(`${notifier.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${notifier.url}/readyz`)).status).toBe(200);
    expect(await push(notifier.url, pushEnvelope(emailNotification()))).toBe(401);
    notifier.child.kill('SIGTERM');
    expect(await notifier.exited).toEqual({ code: 0, signal: null });
  });

  test('when a notification and an undecodable payload are pushed, then the mail is sent over SMTP and the payload reaches the poison topic', async () => {
    const notifier = await startFromCopy(notifierEnv(parts));
    const n = emailNotification();
    expect(await push(notifier.url, pushEnvelope(n))).toBe(204);
    expect(parts.smtp.mailsFor(n.notificationId)).toHaveLength(1);
    expect(await push(notifier.url, envelopeFor(Buffer.from('{"notificationId": '), { messageId: 'prod-deps-poison' }))).toBe(204);
    const [record] = await parts.topics.poison.waitFor(1, (m) => m.attributes.notifier_source_message_id === 'prod-deps-poison');
    expect(record!.attributes.notifier_failure_code).toBe('UNDECODABLE_PAYLOAD');
    notifier.child.kill('SIGTERM');
    expect(await notifier.exited).toEqual({ code: 0, signal: null });
  });

  test("when the migration job's command runs on a new database, then it applies the shipped migrations", async () => {
    const url = parts.db.url.replace(parts.db.name, `${parts.db.name}_prod`);
    try {
      const { stdout } = await run(process.execPath, ['dist/mysql/migrate-cli.js'], { cwd: dir, env: { PATH: process.env.PATH ?? '', MYSQL_URL: url } });
      const shipped = readdirSync(path.join(dir, 'migrations')).filter((f) => f.endsWith('.sql')).sort();
      expect(shipped.length).toBeGreaterThan(0);
      expect(stdout).toBe(`applied: ${shipped.map((f) => f.replace(/\.sql$/, '')).join(', ')}\n`);
    } finally {
      await parts.db.pool.query(`DROP DATABASE IF EXISTS \`${parts.db.name}_prod\``);
    }
  });

  test('when the notifier CLI and the producer client are used from the package, then they load', async () => {
    const help = await run(process.execPath, ['dist/cli/main.js', '--help'], { cwd: dir });
    expect(help.stdout).toContain('Usage: notifier <command>');
    const client = await run(process.execPath, ['-e', "console.log(Object.keys(require('notifier/client')).sort().join(','))"], { cwd: dir });
    expect(client.stdout.trim()).toBe('BroadcastError,InvalidNotificationError,broadcastNotificationId,createNotifierClient,publishAttributes');
  });
});
