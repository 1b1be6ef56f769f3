import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { emulatorAnswers, startEmulator } from '../../src/local/emulator';
import { MYSQL_ROOT_URL } from './env';
import { freePort } from './ports';

async function checkMariaDb(): Promise<void> {
  try {
    const conn = await mysql.createConnection(MYSQL_ROOT_URL);
    await conn.end();
  } catch (err) {
    throw new Error(
      `Tests need MariaDB/MySQL at ${MYSQL_ROOT_URL} (${(err as Error).message}). ` +
        'Start it (e.g. start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd) ' +
        'or set TEST_MYSQL_URL.',
    );
  }
}

/** Real parts for the whole run: MariaDB must answer; the Pub/Sub emulator is started; dist is built. */
export default async function globalSetup(): Promise<void> {
  // No GCE metadata server here: stop the Google client libraries from probing for one.
  process.env.METADATA_SERVER_DETECTION ??= 'none';
  await checkMariaDb();
  // Before the emulator starts, so that a build that fails leaves no emulator running.
  // Tests that run the notifier as a separate process (crash, SIGTERM) use the build.
  // From scratch: a file left from an earlier layout (dist/config.js beside dist/config/) would shadow the new one.
  rmSync(path.resolve(__dirname, '../../dist'), { recursive: true, force: true });
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    stdio: 'inherit',
  });
  const existing = process.env.PUBSUB_EMULATOR_HOST;
  if (existing) {
    if (!(await emulatorAnswers(existing))) {
      throw new Error(`PUBSUB_EMULATOR_HOST=${existing} is set but no emulator answers there`);
    }
  } else {
    const emulator = await startEmulator({ port: await freePort() });
    process.env.PUBSUB_EMULATOR_HOST = emulator.host;
    (globalThis as { __emulator?: typeof emulator }).__emulator = emulator;
  }
}
