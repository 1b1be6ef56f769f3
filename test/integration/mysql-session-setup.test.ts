import net from 'node:net';
import mysql from 'mysql2/promise';
import { makeMysqlLedger } from '../../src/mysql/ledger';
import { createPool, Pool } from '../../src/mysql/pool';
import { acquire, query } from '../../src/mysql/sql';
import { createTestDatabase, TestDatabase } from '../support/db';
import { MYSQL_ROOT_URL } from '../support/env';

/**
 * The session setup every pooled connection gets (lock-wait timeouts below MYSQL_TIMEOUT_MS)
 * is a statement like any other: bounded by the timeout, so a connection that goes silent
 * right after its handshake fails the caller within MYSQL_TIMEOUT_MS instead of holding
 * everything queued behind it for good (mysql2 starts a statement's timeout only when it
 * reaches the head of its connection's queue).
 */
const TIMEOUT_MS = 2000;
let db: TestDatabase;

/**
 * A TCP proxy to MariaDB that forwards the handshake, then goes silent (both ways, socket
 * kept open) from the first client packet carrying `marker` on.
 */
async function silentAfter(marker: string) {
  const target = new URL(MYSQL_ROOT_URL);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 3306), target.hostname);
    let silent = false;
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    client.on('data', (chunk: Buffer) => {
      if (chunk.toString('binary').includes(marker)) silent = true;
      if (!silent) upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!silent) client.write(chunk);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = new URL(db.url);
  url.host = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return {
    url: url.toString(),
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

/** How a promise settles within `withinMs`: 'resolved', 'rejected <code>', or 'still pending'. */
async function settlesWithin(p: Promise<unknown>, withinMs: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const pending = new Promise<string>((resolve) => (timer = setTimeout(() => resolve(`still pending after ${withinMs} ms`), withinMs)));
  try {
    return await Promise.race([
      p.then(
        () => 'resolved',
        (err: { code?: string }) => `rejected ${err.code ?? ''}`.trim(),
      ),
      pending,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db?.drop();
});

describe('a MySQL connection that goes silent right after its handshake', () => {
  test("control: a pool without the session setup gives up within the statement's timeout", async () => {
    // Silent from the first statement on (the caller's own).
    const proxy = await silentAfter('SELECT 1');
    const pool = mysql.createPool({ uri: proxy.url, connectionLimit: 2, connectTimeout: TIMEOUT_MS }) as unknown as Pool;
    try {
      expect(await settlesWithin(query(pool, 'SELECT 1', [], TIMEOUT_MS), 4 * TIMEOUT_MS)).toBe('rejected DATABASE_UNAVAILABLE');
    } finally {
      await proxy.close();
      await pool.end().catch(() => undefined);
    }
  });

  test("when it goes silent during the session setup, then the ledger's statements still give up within MYSQL_TIMEOUT_MS", async () => {
    const proxy = await silentAfter('SET SESSION innodb_lock_wait_timeout');
    const pool = createPool({ url: proxy.url, size: 2, timeoutMs: TIMEOUT_MS, multipleStatements: true });
    const ledger = makeMysqlLedger(pool, { lockWaitSeconds: 1, timeoutMs: TIMEOUT_MS });
    try {
      // acquire (<= TIMEOUT_MS) + the statement (<= TIMEOUT_MS): 4 × TIMEOUT_MS is ample.
      const find = settlesWithin(ledger.find({ notificationId: 'n-wedge', channel: 'EMAIL' }), 4 * TIMEOUT_MS);
      const lock = settlesWithin(ledger.withLock({ notificationId: 'n-wedge-2', channel: 'EMAIL' }, async () => 'locked'), 4 * TIMEOUT_MS);
      expect({ find: await find, withLock: await lock }).toEqual({
        find: 'rejected DATABASE_UNAVAILABLE',
        withLock: 'rejected DATABASE_UNAVAILABLE',
      });
    } finally {
      await proxy.close();
      await pool.end().catch(() => undefined);
    }
  });
});

describe("the ledger's pool reads committed data", () => {
  test('when two first claims of keys in one gap overlap, then neither waits for the other (REPEATABLE READ would deadlock them)', async () => {
    const pool = createPool({ url: db.url, size: 2, timeoutMs: TIMEOUT_MS, multipleStatements: true });
    const [a, b] = [await acquire(pool, TIMEOUT_MS), await acquire(pool, TIMEOUT_MS)];
    // The first claim's shape: a row inserted only where none exists.
    const claim = (id: string) => `INSERT INTO suppressions (channel, address_hash, reason, mandatory_too, source)
      SELECT 'EMAIL', '${id}', 'manual', FALSE, 'test' FROM DUAL
      WHERE NOT EXISTS (SELECT 1 FROM suppressions WHERE channel = 'EMAIL' AND address_hash = '${id}')`;
    try {
      expect(await query<{ iso: string }[]>(a, 'SELECT @@tx_isolation AS iso', [], TIMEOUT_MS)).toEqual([{ iso: 'READ-COMMITTED' }]);
      await query(a, 'START TRANSACTION', [], TIMEOUT_MS);
      await query(a, claim('m'.repeat(64)), [], TIMEOUT_MS);
      // Under REPEATABLE READ, `a` now holds a shared lock on the gap `b` inserts into: b would wait, then time out.
      await query(b, claim('n'.repeat(64)), [], TIMEOUT_MS);
      await query(a, 'ROLLBACK', [], TIMEOUT_MS);
    } finally {
      a.release();
      b.release();
      await pool.end();
    }
  });
});
