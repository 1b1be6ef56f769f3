import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logging';
import { RunningNotifier, StartOptions, startNotifier } from '../../src/main';
import { TEST_PROJECT, TestTopics } from './pubsub';

export type LogLine = Record<string, unknown> & { message: string; severity: string };

/** The DESIGN §4.3 environment for a notifier wired to the test's real parts. */
export function notifierEnv(
  parts: { db: { url: string }; smtp: { url: string }; topics: Pick<TestTopics, 'deadLetterTopic' | 'poisonTopic'> & Partial<Pick<TestTopics, 'eventsTopic'>> },
  overrides: Record<string, string> = {},
): Record<string, string> {
  const emulator = process.env.PUBSUB_EMULATOR_HOST;
  if (!emulator) throw new Error('PUBSUB_EMULATOR_HOST is not set: the jest global setup starts the emulator');
  return {
    NODE_ENV: 'test',
    PORT: '0',
    MYSQL_URL: parts.db.url,
    SMTP_URL: parts.smtp.url,
    EMAIL_FROM: 'Notifier <notifier@example.com>',
    PUSH_AUTH: 'none',
    GOOGLE_CLOUD_PROJECT: TEST_PROJECT,
    PUBSUB_EMULATOR_HOST: emulator,
    DEAD_LETTER_TOPIC: parts.topics.deadLetterTopic,
    POISON_TOPIC: parts.topics.poisonTopic,
    ...(parts.topics.eventsTopic && { EVENTS_TOPIC: parts.topics.eventsTopic }),
    MAX_ATTEMPTS: '3',
    SEND_TIMEOUT_MS: '3000',
    MYSQL_TIMEOUT_MS: '2000',
    LOG_LEVEL: 'debug',
    ...overrides,
  };
}

export interface InProcessNotifier extends RunningNotifier {
  url: string;
  logs: LogLine[];
}

/** The notifier in this process on an ephemeral port; its log lines are collected. */
export async function startInProcess(env: Record<string, string>, opts: StartOptions = {}): Promise<InProcessNotifier> {
  const config = loadConfig(env);
  const logs: LogLine[] = [];
  const stream = new PassThrough();
  stream.on('data', (line: Buffer) => {
    for (const l of line.toString().split('\n').filter(Boolean)) logs.push(JSON.parse(l) as LogLine);
  });
  const running = await startNotifier(config, { log: createLogger(config.logLevel, stream), ...opts });
  return { ...running, url: `http://127.0.0.1:${running.port}`, logs };
}

export interface ChildNotifier {
  url: string;
  child: ChildProcess;
  logs: LogLine[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

const MAIN = path.resolve(__dirname, '../../dist/main.js');

/** `node dist/main.js` — the container's command — as a separate process. */
export async function spawnNotifier(env: Record<string, string>): Promise<ChildNotifier> {
  const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: 'pipe' });
  const logs: LogLine[] = [];
  let stderr = '';
  let buffered = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const l of lines.filter(Boolean)) logs.push(JSON.parse(l) as LogLine);
  });
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const deadline = Date.now() + 20000;
  let listening: LogLine | undefined;
  while (!(listening = logs.find((l) => l.message === 'notifier listening'))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`notifier did not start: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `http://127.0.0.1:${listening.port as number}`, child, logs, exited, stderr: () => stderr };
}

/** Polls until `check` returns a value, failing loudly with `what` after `timeoutMs`. */
export async function eventually<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 10000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
