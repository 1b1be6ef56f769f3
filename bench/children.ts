import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '../test/support/ports';

/**
 * The SMTP and MySQL pool sizes every server gets: the notifier's own defaults, stated
 * here so the naive skeleton and the ceiling run with exactly the same.
 */
export const POOLS = { MYSQL_POOL_SIZE: '10', SMTP_POOL_SIZE: '5', SEND_TIMEOUT_MS: '8000' };
export const EMAIL_FROM = 'Notifier <notifier@example.com>';

export interface Child {
  name: string;
  port: number;
  process: ChildProcess;
  /** Log lines at WARNING or ERROR so far, and the last few of them. */
  problems: { count: number; last: string[] };
}

/**
 * Watches a child's JSON log lines for warnings and errors without parsing each one
 * (the bench shares 2 cores with the notifier; it should not spend them on logs).
 */
function watchProblems(proc: ChildProcess): Child['problems'] {
  const problems = { count: 0, last: [] as string[] };
  let partial = '';
  proc.stdout?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!/"severity":"(WARNING|ERROR)"/.test(line)) continue;
      problems.count++;
      problems.last = [...problems.last.slice(-4), line.slice(0, 400)];
    }
  });
  return problems;
}

export interface NotifierParts {
  mysqlUrl: string;
  smtpUrl: string;
  emulatorHost: string;
  projectId: string;
  deadLetterTopic: string;
  poisonTopic: string;
  /** Lifecycle events: the notifier publishes them in every batch, as in production; none without. */
  eventsTopic?: string;
  logLevel: string;
  profileDir?: string;
}

/** True once anything answers HTTP on the port (the reference servers have no /healthz: 404 will do). */
const answers = (port: number) =>
  fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1000) }).then(
    () => true,
    () => false,
  );

/**
 * Spawns `node script` on a free port and resolves once it answers there — whatever its
 * LOG_LEVEL. stderr is kept for the error message.
 */
async function spawnChild(name: string, script: string, env: Record<string, string>, nodeArgs: string[] = []): Promise<Child> {
  const port = await freePort();
  const proc = spawn(process.execPath, [...nodeArgs, script], {
    env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  const problems = watchProblems(proc);
  const deadline = Date.now() + 30000;
  while (!(await answers(port))) {
    if (proc.exitCode !== null || Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`${name} did not start: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { name, port, process: proc, problems };
}

const NOTIFIER_MAIN = path.resolve(__dirname, '../../dist/main.js');
const NAIVE_MAIN = path.resolve(__dirname, 'naive-server.js');
const CEILING_MAIN = path.resolve(__dirname, 'ceiling-server.js');

/** Node refuses --cpu-prof in NODE_OPTIONS: it goes on the command line. The profile is written at exit. */
const profiling = (dir?: string) => (dir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(dir)}`] : []);

/** `node dist/main.js` with production defaults except push auth (no OIDC on loopback). */
export function startNotifierChild(name: string, p: NotifierParts): Promise<Child> {
  const env = {
    NODE_ENV: 'development',
    MYSQL_URL: p.mysqlUrl,
    SMTP_URL: p.smtpUrl,
    EMAIL_FROM,
    PUSH_AUTH: 'none',
    GOOGLE_CLOUD_PROJECT: p.projectId,
    PUBSUB_EMULATOR_HOST: p.emulatorHost,
    DEAD_LETTER_TOPIC: p.deadLetterTopic,
    POISON_TOPIC: p.poisonTopic,
    ...(p.eventsTopic && { EVENTS_TOPIC: p.eventsTopic }),
    LOG_LEVEL: p.logLevel,
    // No GCE metadata server on this machine: do not let the Google clients probe for one.
    METADATA_SERVER_DETECTION: 'none',
    ...POOLS,
  };
  return spawnChild(name, NOTIFIER_MAIN, env, profiling(p.profileDir));
}

/** The naive skeleton as a child process. */
export function startNaiveChild(mysqlUrl: string, smtpUrl: string, profileDir?: string): Promise<Child> {
  const env = { MYSQL_URL: mysqlUrl, SMTP_URL: smtpUrl, EMAIL_FROM, ...POOLS };
  return spawnChild('naive', NAIVE_MAIN, env, profiling(profileDir));
}

/** The ceiling (HTTP, decode, SMTP; no MySQL) as a child process. */
export function startCeilingChild(smtpUrl: string, profileDir?: string): Promise<Child> {
  const env = { SMTP_URL: smtpUrl, EMAIL_FROM, ...POOLS };
  return spawnChild('ceiling', CEILING_MAIN, env, profiling(profileDir));
}

/** A memory figure of a live process from /proc/<pid>/status, in MB. */
function statusMb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const kb = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  if (!kb) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(kb) / 1024;
}

/** VmHWM: the peak resident set since the process started. */
export const peakRssMb = (pid: number) => statusMb(pid, 'VmHWM');
/** VmRSS: the resident set now (its trend across rounds tells growth from a plateau). */
export const rssMb = (pid: number) => statusMb(pid, 'VmRSS');

/** SIGTERM (the notifier drains and exits; a CPU profile is written), SIGKILL after `graceMs`. */
export async function stopChild(child: Child, graceMs = 10000): Promise<void> {
  const proc = child.process;
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
