import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import path from 'node:path';

/**
 * The container's entry point (src/main.ts) as compiled by the drill's own tsc step, so
 * a drill never runs a stale dist/. It is a separate process so that `crash` can SIGKILL it.
 */
const MAIN = path.resolve(__dirname, '../../src/main.js');

/** How many log lines of each message the notifier printed (it runs at LOG_LEVEL=warn). */
export type LogCounts = Map<string, number>;

export interface NotifierProcess {
  url: string;
  /** The running process's ID (it changes with each restart). */
  pid(): number | undefined;
  logCounts: LogCounts;
  /** The last few error-severity lines, for the report. */
  errors: string[];
  /** SIGKILL: no drain, no shutdown hooks — in-flight deliveries die where they are. */
  kill(): Promise<void>;
  /** Starts the process again on the same port (a new instance taking over). */
  restart(): Promise<void>;
  /** SIGTERM (graceful drain), SIGKILL after 10 s as Cloud Run does. */
  stop(): Promise<void>;
}

async function healthy(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
}

/**
 * Starts `node src/main.js` with `env` (PORT must be fixed so a restart keeps the URL).
 * With DRILL_NOTIFIER_LOG=file, its stdout is also written there (at LOG_LEVEL=info:
 * one line per delivery, with durationMs) for a closer look.
 */
export async function startNotifierProcess(env: Record<string, string>): Promise<NotifierProcess> {
  const logFile = process.env.DRILL_NOTIFIER_LOG ? createWriteStream(process.env.DRILL_NOTIFIER_LOG, { flags: 'a' }) : undefined;
  if (logFile) env = { ...env, LOG_LEVEL: 'info' };
  const url = `http://127.0.0.1:${env.PORT}`;
  const logCounts: LogCounts = new Map();
  const errors: string[] = [];
  let child: ChildProcess | undefined;
  let stderr = '';

  const countLines = (chunk: string) => {
    for (const line of chunk.split('\n').filter(Boolean)) {
      let parsed: { message?: string; severity?: string };
      try {
        parsed = JSON.parse(line) as typeof parsed;
      } catch {
        continue; // a line split across chunks: counting is best effort
      }
      const message = parsed.message ?? '?';
      logCounts.set(message, (logCounts.get(message) ?? 0) + 1);
      if (parsed.severity !== 'ERROR') continue;
      errors.push(line.slice(0, 400));
      if (errors.length > 5) errors.shift();
    }
  };

  const start = async () => {
    const proc = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: 'pipe' });
    child = proc;
    proc.stdout.setEncoding('utf8').on('data', countLines);
    if (logFile) proc.stdout.pipe(logFile, { end: false });
    proc.stderr.setEncoding('utf8').on('data', (c: string) => (stderr = (stderr + c).slice(-4000)));
    const deadline = Date.now() + 20000;
    while (!(await healthy(url))) {
      if (proc.exitCode !== null || Date.now() > deadline) {
        proc.kill('SIGKILL');
        throw new Error(`the notifier did not start at ${url}: ${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  const signal = async (sig: NodeJS.Signals, killAfterMs?: number) => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill(sig);
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => proc.kill('SIGKILL'), killAfterMs);
    await exited;
    clearTimeout(timer);
  };

  await start();
  // Whatever happens to the drill, the child does not outlive it.
  process.once('exit', () => child?.kill('SIGKILL'));
  return {
    url,
    pid: () => child?.pid,
    logCounts,
    errors,
    kill: () => signal('SIGKILL'),
    restart: start,
    stop: () => signal('SIGTERM', 10000),
  };
}
