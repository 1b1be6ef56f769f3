import net from 'node:net';
import { makePoolProbes } from '../../src/mysql/health';
import { createPool, Pool } from '../../src/mysql/pool';
import { acquire } from '../../src/mysql/sql';
import { createTestDatabase, TestDatabase } from '../support/db';
import { freePort } from '../support/ports';

/** Liveness and readiness of the notifier's pool, on real MariaDB and MySQL servers that fail. */
let db: TestDatabase;
let pool: Pool;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool({ url: db.url, size: 1, timeoutMs: 2000 });
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A server that accepts connections and never sends MySQL's handshake: a hung MySQL, or a dead host behind a proxy. */
async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

describe('makePoolProbes', () => {
  test('when a connection is held longer than the budget (leaked, stuck), then the pool is not live; once given back, it is again', async () => {
    const probes = makePoolProbes(pool, { budgetMs: 500, probeTimeoutMs: 100 });
    const held = await acquire(pool, 1000); // the only connection, as a leaked one would be
    try {
      expect(await probes.isLive()).toBe(true); // held, but not for the whole budget yet
      await expect(acquire(pool, 200)).rejects.toMatchObject({ code: 'DATABASE_UNAVAILABLE' }); // bounded, not hanging
      await expect(probes.isReady()).rejects.toMatchObject({ code: 'DATABASE_UNAVAILABLE' });
      await sleep(600);
      expect(await probes.isLive()).toBe(false);
    } finally {
      held.release();
    }
    expect(await probes.isLive()).toBe(true);
    expect(await probes.isReady()).toBe(true);
  });

  test('when MySQL refuses connections, then the pool is not ready but still live: another instance could not do better', async () => {
    const down = createPool({ url: `mysql://root@127.0.0.1:${await freePort()}/none`, size: 1, timeoutMs: 2000 });
    try {
      const probes = makePoolProbes(down, { budgetMs: 100, probeTimeoutMs: 100 });
      await expect(probes.isReady()).rejects.toMatchObject({ code: 'DATABASE_UNAVAILABLE' });
      await sleep(200);
      expect(await probes.isLive()).toBe(true);
    } finally {
      await down.end();
    }
  });

  test('when MySQL accepts connections but never answers and more deliveries wait than the pool holds, then the pool is still live', async () => {
    const silent = await silentServer();
    const hung = createPool({ url: `mysql://root@127.0.0.1:${silent.port}/none`, size: 2, timeoutMs: 2000 });
    try {
      const probes = makePoolProbes(hung, { budgetMs: 500, probeTimeoutMs: 100 });
      const results = await Promise.allSettled([1, 2, 3, 4].map(() => acquire(hung, 2000)));
      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected']);
      await expect(probes.isReady()).rejects.toMatchObject({ code: 'DATABASE_UNAVAILABLE' });
      await sleep(600);
      expect(await probes.isLive()).toBe(true);
    } finally {
      await silent.close();
      await hung.end().catch(() => undefined);
    }
  }, 20_000);
});
