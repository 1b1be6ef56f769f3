import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { PubSub } from '@google-cloud/pubsub';
import mysql from 'mysql2/promise';
import { createNotifierClient, NotifierClient } from '../../src/client';
import { loadMigrations, migrate } from '../../src/mysql/migrate';
import { createPool, Pool } from '../../src/mysql/pool';
import { startBigQueryStandIn } from '../../src/local/bigquery-standin';
import { DeliverySettings } from '../../src/local/delivery-settings';
import { startEmulator } from '../../src/local/emulator';
import { ensureTopology, topologyNames, TopologyNames } from '../../src/local/topology';
import { MYSQL_ROOT_URL } from '../../test/support/env';
import { freePort } from '../../test/support/ports';
import { startTcpProxy, TcpProxy } from '../../test/support/tcp-proxy';
import { Cleanup } from './cleanup';
import { MailCounter, startMailCounter } from './mail-counter';
import { NotifierProcess, startNotifierProcess } from './notifier-process';
import { createNotifierUser, killConnectionsOf } from './notifier-user';
import { linkPackageFiles, REPO_ROOT } from './paths';
import { PushTracker, startPushTracker } from './push-tracker';
import { Evidence } from './reconcile';
import { gatherEvidence } from './witnesses';

/**
 * Terraform's shape with backoff short enough that a 10 s outage is survived by retries:
 * Pub/Sub (the emulator, measured) redelivers a nacked message after ~0.2, 1.6 and then
 * every 2 s, so 8 notifier attempts span ~12 s and 10 deliveries ~16 s.
 */
export const DRILL_SETTINGS: DeliverySettings = {
  maxDeliveryAttempts: 10,
  notifierMaxAttempts: 8,
  minimumBackoffSeconds: 0,
  maximumBackoffSeconds: 2,
  ackDeadlineSeconds: 60,
  schemaEncoding: 'JSON',
};

const PROJECT = 'notifier-drill';

export interface HarnessOptions {
  /** Push requests in flight at once (one Cloud Run instance's concurrency). */
  inFlight: number;
  /** Put a TCP proxy that the drill can cut between the notifier and MySQL / SMTP. */
  proxy?: { mysql?: boolean; smtp?: boolean };
  /** Settings the drill changes in the notifier's environment (e.g. SEND_TIMEOUT_MS). */
  notifierEnv?: Record<string, string>;
  say(line: string): void;
}

/** One notifier behind the local pipeline, with every part a drill observes or breaks. */
export interface Harness {
  client: NotifierClient;
  notifier: NotifierProcess;
  mail: MailCounter;
  push: PushTracker;
  mysqlProxy?: TcpProxy;
  smtpProxy?: TcpProxy;
  /** KILLs every MySQL connection the notifier has open now; resolves to how many. */
  killNotifierConnections(): Promise<number>;
  /** The three witnesses for these notification IDs, read now. */
  evidence(published: readonly string[]): Promise<Evidence>;
  close(): Promise<void>;
}

/** A fresh, migrated database; dropped by the cleanup. */
async function createDatabase(cleanup: Cleanup): Promise<{ url: string; pool: Pool }> {
  const name = `notifier_drill_${randomBytes(4).toString('hex')}`;
  const u = new URL(MYSQL_ROOT_URL);
  u.pathname = `/${name}`;
  const url = u.toString();
  cleanup.add(`drop database ${name}`, async () => {
    const conn = await mysql.createConnection({ uri: MYSQL_ROOT_URL });
    await conn.query(`DROP DATABASE IF EXISTS ${mysql.escapeId(name)}`);
    await conn.end();
  });
  await migrate(url, await loadMigrations(path.join(REPO_ROOT, 'migrations')));
  const pool = createPool({ url, size: 4, timeoutMs: 10000 });
  cleanup.add('database pool', () => pool.end());
  return { url, pool };
}

/** `url` with its host:port replaced by a proxy in front of it. */
async function proxied(url: string, cleanup: Cleanup): Promise<{ url: string; proxy: TcpProxy }> {
  const u = new URL(url);
  const proxy = await startTcpProxy(u.hostname, Number(u.port));
  cleanup.add('tcp proxy', () => proxy.close());
  u.host = `127.0.0.1:${proxy.port}`;
  return { url: u.toString(), proxy };
}

function notifierEnv(parts: { port: number; mysqlUrl: string; smtpUrl: string; emulatorHost: string; names: TopologyNames }) {
  return {
    NODE_ENV: 'development',
    PORT: String(parts.port),
    // warn: retries, dead letters and errors, without a line per sent mail.
    LOG_LEVEL: 'warn',
    METADATA_SERVER_DETECTION: 'none',
    MYSQL_URL: parts.mysqlUrl,
    SMTP_URL: parts.smtpUrl,
    EMAIL_FROM: 'Drill <drill@example.com>',
    PUSH_AUTH: 'none',
    GOOGLE_CLOUD_PROJECT: PROJECT,
    PUBSUB_EMULATOR_HOST: parts.emulatorHost,
    DEAD_LETTER_TOPIC: parts.names.deadLetterTopic,
    POISON_TOPIC: parts.names.poisonTopic,
    MAX_ATTEMPTS: String(DRILL_SETTINGS.notifierMaxAttempts),
    ACK_DEADLINE_SECONDS: String(DRILL_SETTINGS.ackDeadlineSeconds),
    // Timeouts scaled to the short backoff, as Terraform's checks relate them in production:
    // the delivery budget (3 + 1 + 2 + 2 s), during which a `sending` row left by a crash or a
    // lost lock is answered 409, and an open breaker end well inside Pub/Sub's ~16 s of
    // redeliveries, so neither makes Pub/Sub dead-letter a message the notifier would send.
    SEND_TIMEOUT_MS: '3000',
    MYSQL_TIMEOUT_MS: '2000',
    PUBLISH_TIMEOUT_MS: '2000',
    BREAKER_OPEN_MS: '5000',
  };
}

export async function startHarness(opts: HarnessOptions): Promise<Harness> {
  linkPackageFiles();
  // Only the emulator is used: no metadata server to look for credentials on.
  process.env.METADATA_SERVER_DETECTION ??= 'none';
  const cleanup = new Cleanup();
  try {
    return await assemble(opts, cleanup);
  } catch (err) {
    await cleanup.run(opts.say);
    throw err;
  }
}

/** Topics and subscriptions as Terraform makes them, and the BigQuery stand-in on the dead-letter side. */
async function startTopics(emulatorHost: string, pool: Pool, say: (line: string) => void, cleanup: Cleanup) {
  const pubsub = new PubSub({ projectId: PROJECT, apiEndpoint: emulatorHost, emulatorMode: true });
  cleanup.add('pubsub client', () => pubsub.close());
  const names = topologyNames(`drill-${randomBytes(3).toString('hex')}`);
  const topology = await ensureTopology(pubsub, names, DRILL_SETTINGS);
  // The stand-in is BigQuery: it writes to the database directly, never through a cut proxy.
  const standIn = await startBigQueryStandIn({
    pool,
    deadLetterSubscription: topology.deadLetterTable,
    poisonSubscription: topology.poisonTable,
    defaultEncoding: 'JSON',
    onError: (err) => say(`BigQuery stand-in: ${err.message}`),
  });
  cleanup.add('BigQuery stand-in', () => standIn.close());
  return { pubsub, names, push: topology.push };
}

async function assemble(opts: HarnessOptions, cleanup: Cleanup): Promise<Harness> {
  const emulator = await startEmulator({ port: await freePort() });
  cleanup.add('emulator', () => emulator.stop());
  const db = await createDatabase(cleanup);
  const user = await createNotifierUser(MYSQL_ROOT_URL, db.url, cleanup);
  const mail = await startMailCounter();
  cleanup.add('smtp server', () => mail.close());
  const mysqlSide = opts.proxy?.mysql ? await proxied(user.url, cleanup) : { url: user.url, proxy: undefined };
  const smtpSide = opts.proxy?.smtp ? await proxied(mail.url, cleanup) : { url: mail.url, proxy: undefined };
  const topics = await startTopics(emulator.host, db.pool, opts.say, cleanup);

  const port = await freePort();
  const notifier = await startNotifierProcess({
    ...notifierEnv({ port, mysqlUrl: mysqlSide.url, smtpUrl: smtpSide.url, emulatorHost: emulator.host, names: topics.names }),
    ...opts.notifierEnv,
  });
  cleanup.add('notifier', () => notifier.stop());
  const push = startPushTracker({
    subscription: topics.push,
    endpoint: `${notifier.url}/pubsub/push`,
    ackDeadlineSeconds: DRILL_SETTINGS.ackDeadlineSeconds,
    maxInFlight: opts.inFlight,
    onError: (err) => opts.say(`push bridge: ${err.message}`),
  });
  cleanup.add('push bridge', () => push.close());
  const client = createNotifierClient({ pubsub: topics.pubsub, topic: topics.names.topic, source: 'drill' });
  cleanup.add('producer client', () => client.close());
  return {
    client,
    notifier,
    mail,
    push,
    mysqlProxy: mysqlSide.proxy,
    smtpProxy: smtpSide.proxy,
    killNotifierConnections: () => killConnectionsOf(db.pool, user.name),
    evidence: (published) => gatherEvidence(db.pool, published, mail.counts),
    close: () => cleanup.run(opts.say),
  };
}
