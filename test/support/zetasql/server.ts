import { ChildProcess, spawn } from 'node:child_process';
import { accessSync, chmodSync, constants } from 'node:fs';
import path from 'node:path';
import { ZetaSQLClient } from '@fivetrandevelopers/zetasql';
import { freePort } from '../ports';

/** The analyzer builds @fivetrandevelopers/zetasql ships, by platform. */
const BUILDS: Record<string, string> = {
  'linux-x64': 'remote_server.so',
  'linux-arm64': 'remote_server_arm.so',
  'darwin-x64': 'remote_server',
  'darwin-arm64': 'remote_server_arm',
};

/** How long a cold start (an 80 MB executable) may take before the tests give up on it. */
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;

function serverExecutable(): string {
  const build = BUILDS[`${process.platform}-${process.arch}`];
  if (!build) throw new Error(`@fivetrandevelopers/zetasql ships no ZetaSQL analyzer for ${process.platform}-${process.arch}`);
  const file = path.join(path.dirname(require.resolve('@fivetrandevelopers/zetasql')), 'zetasql', build);
  try {
    accessSync(file, constants.X_OK);
  } catch {
    // npm keeps the package's exec bit, but a copied or re-packed node_modules may not.
    chmodSync(file, 0o755);
  }
  return file;
}

export interface AnalyzerServer {
  client: ZetaSQLClient;
  stop(): Promise<void>;
}

function exitOf(child: ChildProcess): Promise<string> {
  return new Promise((resolve) => {
    child.once('error', (err) => resolve(`could not be started (${err.message})`));
    child.once('exit', (code, signal) => resolve(`exited (${signal ?? `code ${code}`})`));
  });
}

function ready(deadline: number): Promise<void> {
  return new Promise((resolve, reject) =>
    ZetaSQLClient.API.waitForReady(deadline, (err) => (err ? reject(new Error(`no answer within ${START_TIMEOUT_MS} ms: ${err.message}`)) : resolve())),
  );
}

/**
 * Starts the ZetaSQL analyzer (a gRPC server) on a free port and connects to it; rejects
 * with the reason, and what the server printed, when it does not come up.
 */
export async function startAnalyzerServer(): Promise<AnalyzerServer> {
  const executable = serverExecutable();
  const port = await freePort();
  const child = spawn(executable, ['127.0.0.1', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = exitOf(child);
  ZetaSQLClient.init(port);

  const stop = async () => {
    ZetaSQLClient.API.close();
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(killer);
  };

  try {
    await Promise.race([
      ready(Date.now() + START_TIMEOUT_MS),
      exited.then((how) => Promise.reject(new Error(`${how} before answering`))),
    ]);
  } catch (err) {
    await stop();
    throw new Error(`the ZetaSQL analyzer ${executable} on 127.0.0.1:${port}: ${(err as Error).message}\n${output.trim()}`);
  }
  return { client: ZetaSQLClient.getInstance(), stop };
}
