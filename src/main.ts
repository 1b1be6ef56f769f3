import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PubSub } from '@google-cloud/pubsub';
import { createChannels } from './channels/registry';
import { Config, ConfigError, deliveryBudgetMs, loadConfig } from './config';
import { makePubSubDeadLetterPublisher } from './pubsub/dead-letter';
import { makePubSubNotificationPublisher } from './pubsub/republish';
import { makePubSubEventPublisher } from './pubsub/events';
import { makeDeliver } from './delivery/deliver';
import { makeAddressHasher } from './delivery/suppression';
import { makePublicTarget } from './delivery/routing';
import { makeProviderGates } from './gates/provider-gates';
import { makeMysqlLedger } from './mysql/ledger';
import { createPool } from './mysql/pool';
import { makePoolProbes } from './mysql/health';
import { createLogger, Logger } from './logging';
import { makeAuthenticator } from './http/auth';
import { createApp } from './http/app';
import { makeReleaseHeld } from './delivery/release-held';
import { makeMysqlHeldQueue } from './mysql/held-queue';
import { createTasksRouter } from './http/tasks';
import { createSettingsRouter } from './http/settings';
import { makeMysqlSettingsStore } from './mysql/settings-store';
import { createStatusRouter } from './http/status';
import { makeMysqlStatusStore } from './mysql/status-store';
import { createSuppressionsRouter } from './http/suppressions';
import { createCallbacksRouter } from './http/callbacks';
import { makeProviderReports } from './delivery/provider-reports';
import { makeMysqlProviderReportStore } from './mysql/provider-reports';
import { makeMysqlSuppressionStore } from './mysql/suppressions';
import { Catalogue, CatalogueError, loadCatalogue } from './templates';

export interface RunningNotifier {
  server: Server;
  port: number;
  /** Stops accepting, lets in-flight deliveries finish, closes every pool. */
  stop(): Promise<void>;
}

export interface StartOptions {
  log?: Logger;
  /** Overrides where OIDC signing certificates come from (tests). */
  oidcCertsUrl?: string;
}

/** How long /readyz and /healthz wait for MySQL. */
const PROBE_TIMEOUT_MS = 1000;

/** Lifecycle events wait at most this long to be batched: a delivery never waits for them. */
const EVENT_BATCH_MS = 50;

/** A provider's Retry-After pauses calls to it at most this long (Pub/Sub's longest backoff). */
const MAX_RETRY_AFTER_MS = 600_000;

/** Wires config → adapters → use case → HTTP app, and listens. */
export async function startNotifier(config: Config, opts: StartOptions = {}): Promise<RunningNotifier> {
  const log = opts.log ?? createLogger(config.logLevel);
  const templates = loadTemplates(config.templatesDir);
  const poolOptions = { url: config.mysql.url, size: config.mysql.poolSize, timeoutMs: config.mysql.queryTimeoutMs };
  const pool = createPool(poolOptions);
  // The delivery path's own pool: several statements per round trip (ledger.ts), nowhere else.
  const ledgerPool = createPool({ ...poolOptions, multipleStatements: true });
  const { projectId, emulatorHost } = config.pubsub;
  const pubsub = new PubSub(emulatorHost ? { projectId, apiEndpoint: emulatorHost, emulatorMode: true } : { projectId });
  const channels = createChannels(config);
  const clock = { nowMs: () => Date.now() };
  let draining = false;

  const gates = makeProviderGates({
    ratePerSecond: config.gates.ratePerSecond,
    breaker: { failureThreshold: config.gates.breakerFailures, openMs: config.gates.breakerOpenMs },
    maxRetryAfterMs: MAX_RETRY_AFTER_MS,
    clock,
    onBreakerChange: ({ to, ...change }) =>
      log.log(to === 'open' ? 'warn' : 'info', `circuit breaker ${to}`, { ...change, state: to }),
  });

  const probes = makePoolProbes([ledgerPool, pool], { budgetMs: deliveryBudgetMs(config), probeTimeoutMs: PROBE_TIMEOUT_MS });
  const settingsStore = makeMysqlSettingsStore(pool, { timeoutMs: config.mysql.queryTimeoutMs });
  // Routed notifications' per-contact messages and released held ones go back to the topic.
  const publisher = makePubSubNotificationPublisher(pubsub, {
    topic: config.pubsub.notificationsTopic,
    publishTimeoutMs: config.pubsub.publishTimeoutMs,
    signingKey: config.pubsub.signingKeys[0]!,
  });

  // Contact targets leave the service keyed, never as the ledger's reversible hash.
  const publicTarget = makePublicTarget(config.suppressionKey);
  const { eventsTopic } = config.pubsub;
  const events = eventsTopic
    ? makePubSubEventPublisher(pubsub, log, {
        topic: eventsTopic,
        maxPending: config.pubsub.eventsMaxPending,
        batchMs: EVENT_BATCH_MS,
        publishTimeoutMs: config.pubsub.publishTimeoutMs,
        publicTarget,
      })
    : undefined;

  const addressHasher = makeAddressHasher(config.suppressionKey);
  const suppressions = makeMysqlSuppressionStore(pool, { timeoutMs: config.mysql.queryTimeoutMs });

  const deliver = makeDeliver({
    ledger: makeMysqlLedger(ledgerPool, {
      lockWaitSeconds: config.mysql.lockWaitSeconds,
      timeoutMs: config.mysql.queryTimeoutMs,
    }),
    channels,
    gates,
    deadLetters: makePubSubDeadLetterPublisher(pubsub, config.pubsub),
    accounts: settingsStore,
    publisher,
    mandatoryTypes: config.delivery.mandatoryTypes,
    clock,
    defaultEncoding: config.pubsub.defaultEncoding,
    maxAttempts: config.delivery.maxAttempts,
    maxReplays: config.delivery.maxReplays,
    resendSafeTypes: config.delivery.resendSafeTypes,
    inFlightMs: deliveryBudgetMs(config),
    events,
    addressHasher,
    templates,
  });

  // Releasing held notifications (POST /tasks/release-held), called by Cloud Scheduler as TASKS_CALLER.
  const releaseHeld = makeReleaseHeld({
    queue: makeMysqlHeldQueue(pool, { timeoutMs: config.mysql.queryTimeoutMs }),
    publisher,
    clock,
    batchSize: config.release.batchSize,
    claimTimeoutMs: config.release.claimTimeoutMs,
    events,
  });
  const { api, push } = config;
  const certsUrl = opts.oidcCertsUrl;
  const tasksCallers = api.tasksCaller ? [api.tasksCaller] : [];

  const app = createApp({
    deliver,
    tasks: createTasksRouter({
      releaseHeld,
      authenticator: makeAuthenticator(api.auth, { audience: api.audience, serviceAccounts: tasksCallers, callers: 'the scheduler (TASKS_CALLER)', certsUrl }),
      log,
    }),
    log,
    projectId: config.pubsub.projectId,
    signingKeys: config.pubsub.signingKeys,
    unsignedUntilMs: config.pubsub.unsignedUntilMs,
    authenticator: makeAuthenticator(push.auth, {
      audience: push.audience,
      serviceAccounts: push.serviceAccount ? [push.serviceAccount] : [],
      callers: 'the push service account',
      certsUrl,
    }),
    settings: createSettingsRouter({
      store: settingsStore,
      authenticator: makeAuthenticator(api.auth, { audience: api.audience, serviceAccounts: api.settingsCallers, callers: 'a settings caller (SETTINGS_CALLERS)', certsUrl }),
      log,
    }),
    status: createStatusRouter({
      store: makeMysqlStatusStore(pool, { timeoutMs: config.mysql.queryTimeoutMs }),
      publicTarget,
      authenticator: makeAuthenticator(api.auth, { audience: api.audience, serviceAccounts: api.statusCallers, callers: 'a status caller (STATUS_CALLERS)', certsUrl }),
      log,
    }),
    suppressions: createSuppressionsRouter({
      store: suppressions,
      hash: addressHasher,
      authenticator: makeAuthenticator(api.auth, { audience: api.audience, serviceAccounts: api.suppressionCallers, callers: 'a suppression caller (SUPPRESSION_CALLERS)', certsUrl }),
      log,
    }),
    // Verified by Twilio's and SendGrid's signatures, not OIDC; each one not configured answers 404.
    callbacks: createCallbacksRouter({
      reports: makeProviderReports({
        store: makeMysqlProviderReportStore(pool, { timeoutMs: config.mysql.queryTimeoutMs }),
        suppressions,
        hash: addressHasher,
        events,
      }),
      twilioAuthToken: config.channels.sms?.authToken,
      sendgridPublicKey: config.callbacks.sendgridPublicKey,
      publicUrl: config.callbacks.publicUrl,
      log,
    }),
    isReady: async () => !draining && probes.isReady(),
    isLive: probes.isLive,
  });

  const server = config.host === undefined ? app.listen(config.port) : app.listen(config.port, config.host);
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  log.info('notifier listening', { port, pushAuth: config.push.auth });

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      draining = true;
      // close() stops accepting and resolves once in-flight requests have answered.
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await events?.flush();
      await Promise.allSettled([
        pool.end(),
        ledgerPool.end(),
        pubsub.close(),
        ...[...channels.values()].map((c) => c.close()),
      ]);
    })());
  return { server, port, stop };
}

/** The catalogue, or a ConfigError naming the file at fault: the service does not start with a broken one. */
function loadTemplates(dir: string): Catalogue {
  try {
    return loadCatalogue(dir);
  } catch (err) {
    if (err instanceof CatalogueError) throw new ConfigError('TEMPLATES_DIR', err.message);
    throw err;
  }
}

/** `start`'s result; a configuration error ends the process with exit code 2, naming the variable. */
async function configured<T>(start: () => T | Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`notifier: configuration error: ${err.message}\n`);
    process.exit(2);
  }
}

async function main(): Promise<void> {
  const config = await configured(loadConfig);
  const log = createLogger(config.logLevel);
  const notifier = await configured(() => startNotifier(config, { log }));

  const shutdown = (signal: string) => {
    log.info('shutting down', { signal, graceMs: config.shutdownGraceMs });
    setTimeout(() => {
      log.error('in-flight deliveries did not finish within the grace period; exiting');
      process.exit(1);
    }, config.shutdownGraceMs).unref();
    notifier.stop().then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
      (err: Error) => {
        log.error('shutdown failed', { error: err.message });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

if (require.main === module) {
  main().catch((err: Error) => {
    process.stderr.write(`notifier: failed to start: ${err.message}\n`);
    process.exit(1);
  });
}
