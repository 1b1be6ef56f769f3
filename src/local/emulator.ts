import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';

const INSTALL_HINT =
  'The Pub/Sub emulator was not found. Install the google-cloud-cli and ' +
  'google-cloud-cli-pubsub-emulator packages (and a Java 17 runtime), or set ' +
  'PUBSUB_EMULATOR_LAUNCHER to the cloud-pubsub-emulator launcher script.';

/** The SDK's `platform/pubsub-emulator/bin/cloud-pubsub-emulator`, located through `gcloud`. */
export function findEmulatorLauncher(explicit?: string): string {
  if (explicit) {
    if (!existsSync(explicit)) throw new Error(`${explicit} does not exist. ${INSTALL_HINT}`);
    return explicit;
  }
  let gcloud: string;
  try {
    gcloud = execFileSync('sh', ['-c', 'command -v gcloud'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(INSTALL_HINT);
  }
  const sdkRoot = path.resolve(path.dirname(realpathSync(gcloud)), '..');
  const launcher = path.join(sdkRoot, 'platform/pubsub-emulator/bin/cloud-pubsub-emulator');
  if (!existsSync(launcher)) throw new Error(`gcloud is at ${gcloud} but ${launcher} is missing. ${INSTALL_HINT}`);
  return launcher;
}

export interface RunningEmulator {
  /** `host:port`, the value for PUBSUB_EMULATOR_HOST. */
  host: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** True when something answers the emulator's REST surface at `host`. */
export async function emulatorAnswers(host: string): Promise<boolean> {
  try {
    const res = await fetch(`http://${host}/v1/projects/probe/topics`, { signal: AbortSignal.timeout(1000) });
    return res.ok;
  } catch {
    return false;
  }
}

/** Starts the official emulator on 127.0.0.1:`port` and waits until it answers. */
export async function startEmulator(opts: { port: number; launcher?: string; timeoutMs?: number }): Promise<RunningEmulator> {
  const launcher = findEmulatorLauncher(opts.launcher);
  const host = `127.0.0.1:${opts.port}`;
  if (await emulatorAnswers(host)) throw new Error(`something already answers on ${host}`);
  const child = spawn(launcher, ['--host=127.0.0.1', `--port=${opts.port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const deadline = Date.now() + (opts.timeoutMs ?? 60000);
  while (!(await emulatorAnswers(host))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the Pub/Sub emulator did not start on ${host}:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    host,
    process: child,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
