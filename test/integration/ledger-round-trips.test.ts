import { randomBytes } from 'node:crypto';
import type { LedgerWrite } from '../../src/delivery/ports';
import { LOCK_BUSY } from '../../src/delivery/ports';
import { lockName, makeMysqlLedger } from '../../src/mysql/ledger';
import { createPool, Pool } from '../../src/mysql/pool';
import { createTestDatabase, TestDatabase } from '../support/db';

/**
 * The MySQL ledger's combined round trips on real MariaDB: the row with the account's
 * policy, the lock with the row and a first delivery's claim, the outcome with the lock's
 * release — and what each does when the row or the lock is not what the caller expected.
 */
let db: TestDatabase;
let pool: Pool;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool({ url: db.url, size: 4, timeoutMs: 5000, multipleStatements: true });
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

const ledger = () => makeMysqlLedger(pool, { lockWaitSeconds: 1, timeoutMs: 5000 });
const newKey = () => ({ notificationId: `rt-${randomBytes(6).toString('hex')}`, channel: 'EMAIL' });
const claimOf = (messageId: string): Omit<LedgerWrite, 'status'> => ({ attempts: 1, type: 'order.shipped', accountId: 'acct-rt', messageId, replays: 0 });

describe('makeMysqlLedger', () => {
  test('when given a pool without multipleStatements, then it refuses at once, naming the option', () => {
    const plain = createPool({ url: db.url, size: 1, timeoutMs: 5000 });
    try {
      expect(() => makeMysqlLedger(plain, { lockWaitSeconds: 1, timeoutMs: 5000 })).toThrow('multipleStatements');
    } finally {
      void plain.end();
    }
  });
});

describe('lookup', () => {
  test("when the account has settings and rules, then the row and the type's policy come back together", async () => {
    await db.pool.query("INSERT INTO account_settings (account_id, time_zone, quiet_start, quiet_end, updated_at) VALUES ('acct-p', 'Asia/Tokyo', 1320, 420, NOW(6))");
    await db.pool.query("INSERT INTO account_preferences (account_id, scope, channel, enabled) VALUES ('acct-p', 'order.*', 'EMAIL', 0), ('acct-p', 'billing.*', 'SMS', 1)");
    const key = newKey();
    await ledger().withLock(key, (l) => l.save({ ...claimOf('m-p'), status: 'pending' }));

    expect(await ledger().lookup(key, { account: { accountId: 'acct-p', type: 'order.shipped' } })).toEqual({
      entry: expect.objectContaining({ status: 'pending', attempts: 1 }),
      policy: { timeZone: 'Asia/Tokyo', quietHours: { timeZone: 'Asia/Tokyo', startMinute: 1320, endMinute: 420 }, rules: [{ scope: 'order.*', channel: 'EMAIL', enabled: false }] },
    });
  });

  test('when the row is terminal, then it comes without the policy or suppression entry (a duplicate needs neither)', async () => {
    const key = newKey();
    await ledger().withLock(key, (l) => l.save({ ...claimOf('m-t'), status: 'sent' }));
    expect(await ledger().lookup(key, { account: { accountId: 'acct-p', type: 'order.shipped' } })).toEqual({ entry: expect.objectContaining({ status: 'sent' }), policy: undefined });
  });
});

describe('lookup of the suppression list', () => {
  const suppression = { channel: 'EMAIL' as const, addressHash: 'b'.repeat(64) };

  test('when the recipient is on the list, then its entry comes back with the row, in the same round trip', async () => {
    await db.pool.query("INSERT INTO suppressions (channel, address_hash, reason, mandatory_too, source) VALUES ('EMAIL', ?, 'hard_bounce', TRUE, 'sendgrid')", [suppression.addressHash]);
    expect(await ledger().lookup(newKey(), { suppression })).toEqual({ entry: undefined, suppressed: { reason: 'hard_bounce', mandatoryToo: true } });
    expect(await ledger().lookup(newKey(), { suppression: { ...suppression, addressHash: 'c'.repeat(64) } })).toEqual({ entry: undefined });
  });

  test('when a replay reopens a terminal row, then evenIfTerminal reads the entry all the same', async () => {
    const key = newKey();
    await ledger().withLock(key, (l) => l.save({ ...claimOf('m-r'), status: 'failed' }));
    expect(await ledger().lookup(key, { suppression }, true)).toMatchObject({ entry: { status: 'failed' }, suppressed: { reason: 'hard_bounce' } });
  });
});

describe('withLock with a first claim', () => {
  test('when no row exists, then the lock round trip claims it: read shows the row as it was (none), claim writes nothing more, record releases the lock', async () => {
    const key = newKey();
    const write = claimOf('m-first');
    const seen = await ledger().withLock(
      key,
      async (l) => {
        const row = await l.read();
        const claimed = await db.row(key.notificationId);
        await l.claim(write);
        // A claim that wrote would have set a claim token of its own.
        const sameClaim = (await db.row(key.notificationId))?.send_claim === claimed?.send_claim;
        await l.record({ ...write, status: 'sent', providerMessageId: '<id@x>' });
        const [lock] = (await db.pool.query('SELECT IS_FREE_LOCK(?) AS free', [lockName(key)]))[0] as { free: number }[];
        return { row, claimed: claimed?.status, sameClaim, lockFreeAfterRecord: lock!.free };
      },
      write,
    );
    expect(seen).toEqual({ row: undefined, claimed: 'sending', sameClaim: true, lockFreeAfterRecord: 1 });
    expect(await db.row(key.notificationId)).toMatchObject({ status: 'sent', attempts: 1, provider_message_id: '<id@x>', send_claim: null });
  });

  test('when a row appeared after the caller looked, then nothing is claimed in the lock round trip and claim writes it normally', async () => {
    const key = newKey();
    await ledger().withLock(key, (l) => l.save({ ...claimOf('m-other'), status: 'pending', failureCode: 'SMTP_TRANSIENT' }));
    const write = { ...claimOf('m-late'), attempts: 2 };
    const seen = await ledger().withLock(
      key,
      async (l) => {
        const row = await l.read();
        const untouched = await db.row(key.notificationId);
        await l.claim(write);
        return { row: row?.status, untouched: untouched?.status, claimed: (await db.row(key.notificationId))?.status };
      },
      claimOf('m-late'),
    );
    expect(seen).toEqual({ row: 'pending', untouched: 'pending', claimed: 'sending' });
  });

  test('when another connection holds the lock, then it is LOCK_BUSY and no row is claimed', async () => {
    const key = newKey();
    const holder = await db.pool.getConnection();
    try {
      await holder.query('SELECT GET_LOCK(?, 0)', [lockName(key)]);
      expect(await ledger().withLock(key, async () => 'ran', claimOf('m-busy'))).toBe(LOCK_BUSY);
      expect(await db.row(key.notificationId)).toBeUndefined();
    } finally {
      await holder.query('DO RELEASE_LOCK(?)', [lockName(key)]);
      holder.release();
    }
  });

  test('when something writes under the lock after record released it, then it is refused', async () => {
    const key = newKey();
    const write = claimOf('m-after');
    await expect(
      ledger().withLock(
        key,
        async (l) => {
          await l.claim(write);
          await l.record({ ...write, status: 'sent' });
          await l.save({ ...write, status: 'failed' });
        },
        write,
      ),
    ).rejects.toThrow('released');
    expect(await db.row(key.notificationId)).toMatchObject({ status: 'sent' });
  });
});
