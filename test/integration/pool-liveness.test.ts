import { makePoolProbes } from '../../src/ledger/health';
import { createPool, Pool } from '../../src/ledger/pool';
import { acquire } from '../../src/ledger/sql';
import { createTestDatabase, TestDatabase } from '../support/db';
import { freePort } from '../support/ports';

/** Liveness and readiness of the notifier's pool, on real MariaDB. */
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

describe('makePoolProbes', () => {
  test('when callers get no connection for longer than the budget, then the pool is not live; once one is handed out, it is again', async () => {
    const probes = makePoolProbes(pool, { budgetMs: 1000, probeTimeoutMs: 100 });
    const held = await acquire(pool, 1000); // the only connection, as a leaked one would be
    try {
      await expect(acquire(pool, 200)).rejects.toMatchObject({ code: 'DATABASE_UNAVAILABLE' });
      expect(await probes.isLive()).toBe(true); // starved, but not for the whole budget yet
      await expect(probes.isReady()).rejects.toMatchObject({ code: 'DATABASE_UNAVAILABLE' }); // bounded, not hanging
      await sleep(1000);
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
});
