import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { runCli } from '../../src/cli/main';
import type { Deliver } from '../../src/delivery/deliver';
import { makeAddressHasher } from '../../src/delivery/suppression';
import { createApp } from '../../src/http/app';
import { Authenticator, noAuthentication } from '../../src/http/auth';
import { createSuppressionsRouter } from '../../src/http/suppressions';
import { createLogger } from '../../src/logging';
import { createPool } from '../../src/mysql/pool';
import { makeMysqlSuppressionStore } from '../../src/mysql/suppressions';

/** A key of the notifier's, as SUPPRESSION_KEY would hold it in a deployment. */
export const TEST_SUPPRESSION_KEY = 'test-suppression-key-0123456789abcdef';

export interface SuppressionsApi {
  url: string;
  /** Every log line the API wrote, parsed. */
  logs: Record<string, unknown>[];
  /** Every line the API wrote, as written. */
  text(): string;
  close(): Promise<void>;
}

/**
 * The suppression API on 127.0.0.1:0 over the given database, mounted on the notifier's app
 * beside its own routes, with its own pool as the notifier's settings pool would be.
 */
export async function startSuppressionsApi(
  mysqlUrl: string,
  opts: { authenticator?: Authenticator; key?: string; timeoutMs?: number } = {},
): Promise<SuppressionsApi> {
  const raw: string[] = [];
  const logs: Record<string, unknown>[] = [];
  const stream = new PassThrough();
  stream.on('data', (b: Buffer) => {
    raw.push(b.toString());
    for (const l of b.toString().split('\n').filter(Boolean)) logs.push(JSON.parse(l) as Record<string, unknown>);
  });
  const log = createLogger('info', stream);
  const timeoutMs = opts.timeoutMs ?? 5000;
  const pool = createPool({ url: mysqlUrl, size: 2, timeoutMs });
  const router = createSuppressionsRouter({
    store: makeMysqlSuppressionStore(pool, { timeoutMs }),
    hash: makeAddressHasher(opts.key ?? TEST_SUPPRESSION_KEY),
    authenticator: opts.authenticator ?? noAuthentication,
    log,
  });
  const deliver = (async () => Promise.reject(new Error('no deliveries here'))) as unknown as Deliver;
  const app = createApp({ deliver, authenticator: noAuthentication, log, projectId: 'p', isReady: async () => true });
  app.use(router);
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    logs,
    text: () => raw.join(''),
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await pool.end();
    },
  };
}

/** `POST` (or `GET` without a body) on the API, the answer parsed. */
export async function callApi(base: string, path: string, body?: unknown, opts: { token?: string; raw?: string; method?: string } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const method = opts.method ?? (body === undefined && opts.raw === undefined ? 'GET' : 'POST');
  const res = await fetch(`${base}${path}`, { method, headers, body: opts.raw ?? (body === undefined ? undefined : JSON.stringify(body)) });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, any>) : undefined, text, allow: res.headers.get('allow') };
}

/** `notifier suppressions <args>` on a database; the environment holds the test key unless given. */
export async function suppressionsCli(mysqlUrl: string, args: string[], env: Record<string, string> = { SUPPRESSION_KEY: TEST_SUPPRESSION_KEY }) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['suppressions', ...args, '--mysql-url', mysqlUrl], {
    env,
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
  return { code, stdout, stderr };
}
