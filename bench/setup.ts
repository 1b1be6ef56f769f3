import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { startEmulator } from '../src/local/emulator';
import { MYSQL_ROOT_URL } from '../test/support/env';
import { freePort } from '../test/support/ports';
import { createTestTopics, TEST_PROJECT, TestTopics } from '../test/support/pubsub';
import { SmtpSink, startSmtpSink } from '../test/support/smtp-sink';
import { Child, rssMb, startCeilingChild, startNaiveChild, startNotifierChild, stopChild } from './children';
import type { Cleanup } from './cleanup';
import { findDatabasePid } from './cpu';
import { createBenchDatabases, ledgerFootprint, seedLedger, waitForFlush } from './databases';
import { makeTarget } from './load';
import { noLockTimes, startCountingProxy } from './mysql-counter';
import type { BenchOptions } from './options';
import type { Server, Servers } from './rounds';

const REPO = path.resolve(__dirname, '../..');

export interface Setup {
  servers: Servers;
  children: { naive: Child; ceiling: Child; empty: Child; large: Child };
  sink: SmtpSink;
  topics: TestTopics;
}

type Log = (line: string) => void;

/** `npm run bench` compiles only dist-bench/: the child must run the current source too. */
async function buildDist(log: Log): Promise<void> {
  const started = Date.now();
  const tsc = [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'];
  await promisify(execFile)(process.execPath, tsc, { cwd: REPO }).catch((err: { stdout?: string }) => {
    throw new Error(`building dist/ failed (tsc -p tsconfig.build.json):\n${err.stdout ?? String(err)}`);
  });
  log(`built dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** Databases, the seeded 1M ledger, the emulator and the build, side by side. */
async function startBackends(opts: BenchOptions, cleanup: Cleanup, log: Log) {
  const rootUrl = process.env.BENCH_MYSQL_URL ?? MYSQL_ROOT_URL;
  const seeded = createBenchDatabases(rootUrl).then(async (dbs) => {
    cleanup.defer('drop bench databases', () => dbs.drop());
    const started = Date.now();
    await seedLedger(dbs.large, opts.ledgerRows, (n) => log(`seeding ledger: ${n} rows`));
    const size = await ledgerFootprint(dbs.large);
    log(`seeded ${opts.ledgerRows} ledger rows in ${((Date.now() - started) / 1000).toFixed(1)} s: ` +
      `${size.tableMb.toFixed(0)} MB of data and indexes, InnoDB buffer pool ${size.bufferPoolMb.toFixed(0)} MB`);
    log(`InnoDB flushing after the seed: ${await waitForFlush(dbs.large, 60000)}`);
    return dbs;
  });
  const emulator = freePort()
    .then((port) => startEmulator({ port }))
    .then((e) => {
      cleanup.defer('stop the Pub/Sub emulator', () => e.stop());
      log(`Pub/Sub emulator on ${e.host}`);
      return e;
    });
  const built = opts.build ? buildDist(log) : Promise.resolve();
  // Settle all first: whatever did start is registered for cleanup before an error surfaces.
  const failed = (await Promise.allSettled([seeded, emulator, built])).find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  return { dbs: await seeded, emulator: await emulator };
}

/** A database URL that goes through a counting proxy on `port`. */
const viaProxy = (url: string, port: number) => {
  const u = new URL(url);
  u.hostname = '127.0.0.1';
  u.port = String(port);
  return u.toString();
};

/** A counting proxy in front of the database at `dbUrl`, closed by `cleanup`. */
async function proxyFor(dbUrl: string, cleanup: Cleanup) {
  const db = new URL(dbUrl);
  const proxy = await startCountingProxy(db.hostname, Number(db.port || 3306));
  cleanup.defer(`close the MySQL proxy on ${proxy.port}`, () => proxy.close());
  return { url: viaProxy(dbUrl, proxy.port), counts: proxy.counts, locks: proxy.locks };
}

/** A server under test: its own counting proxy to MySQL (none without `dbUrl`), the child behind it, connections to it. */
async function startServer(dbUrl: string | undefined, start: (mysqlUrl: string) => Promise<Child>, opts: BenchOptions, cleanup: Cleanup) {
  const proxy = dbUrl === undefined ? { url: '', counts: {}, locks: noLockTimes() } : await proxyFor(dbUrl, cleanup);
  const child = await start(proxy.url);
  cleanup.defer(`stop the ${child.name} child`, () => stopChild(child));
  const target = makeTarget(child.name, child.port, opts.concurrency);
  cleanup.defer(`close ${child.name} connections`, async () => target.agent.destroy());
  const server: Server = { target, mysqlCommands: proxy.counts, locks: proxy.locks, pid: child.process.pid, databasePid: findDatabasePid() };
  return { child, server };
}

const describeChild = (c: Child) => `${c.name} pid ${c.process.pid} (${rssMb(c.process.pid!).toFixed(0)} MB resident at start)`;

/** Everything the measured rounds need; every piece is registered with `cleanup`. */
export async function setUp(opts: BenchOptions, cleanup: Cleanup, log: Log): Promise<Setup> {
  const { dbs, emulator } = await startBackends(opts, cleanup, log);
  const sink = await startSmtpSink();
  cleanup.defer('close the SMTP sink', () => sink.close());
  process.env.PUBSUB_EMULATOR_HOST = emulator.host;
  // No GCE metadata server here: stop the Google client from probing for one (as the tests do).
  process.env.METADATA_SERVER_DETECTION ??= 'none';
  const topics = await createTestTopics();
  cleanup.defer('close the Pub/Sub topics', () => topics.close());

  const parts = {
    smtpUrl: sink.url,
    emulatorHost: emulator.host,
    projectId: TEST_PROJECT,
    deadLetterTopic: topics.deadLetterTopic,
    poisonTopic: topics.poisonTopic,
    eventsTopic: opts.events ? topics.eventsTopic : undefined,
    logLevel: opts.logLevel,
    profileDir: opts.profileDir,
  };
  const naive = await startServer(dbs.naive, (url) => startNaiveChild(url, sink.url, opts.profileDir), opts, cleanup);
  const ceiling = await startServer(undefined, () => startCeilingChild(sink.url, opts.profileDir), opts, cleanup);
  const empty = await startServer(dbs.empty, (url) => startNotifierChild('notifier', { ...parts, mysqlUrl: url }), opts, cleanup);
  const large = await startServer(dbs.large, (url) => startNotifierChild('notifier@1M', { ...parts, mysqlUrl: url }), opts, cleanup);
  log(`children: ${[naive, ceiling, empty, large].map((s) => describeChild(s.child)).join(', ')}`);
  return {
    servers: { naive: naive.server, ceiling: ceiling.server, empty: empty.server, large: large.server },
    children: { naive: naive.child, ceiling: ceiling.child, empty: empty.child, large: large.child },
    sink,
    topics,
  };
}
