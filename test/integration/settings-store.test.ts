import type { RecipientChannel } from '../../src/codec/payload-checks';
import { createPool, Pool } from '../../src/mysql/pool';
import { CONTACT_CHANNELS, SETTINGS_LIMITS, SettingsDocument } from '../../src/settings/document';
import { CONTACTS_SQL, makeMysqlSettingsStore, MysqlSettingsStore, policyStatement } from '../../src/mysql/settings-store';
import { createTestDatabase, TestDatabase } from '../support/db';

let db: TestDatabase;
let pool: Pool;
let store: MysqlSettingsStore;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool({ url: db.url, size: 4, timeoutMs: 2000 });
  store = makeMysqlSettingsStore(pool, { timeoutMs: 2000 });
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

/** Valid addresses for every channel, as many as the limit allows. */
function addresses(channel: RecipientChannel, n: number, seed: string): string[] {
  const hex = Buffer.from(seed).toString('hex').padEnd(8, '0').slice(0, 8);
  const make: Record<RecipientChannel, (i: number) => string> = {
    EMAIL: (i) => `user${i}.${seed}@example.com`,
    SMS: (i) => `+8190${hex.replace(/\D/g, '1').slice(0, 6)}${String(i).padStart(2, '0')}`,
    PUSH: (i) => `token-${seed}-${i}`,
    SLACK: (i) => `C${hex.toUpperCase()}${i}`,
    LINE: (i) => `U${hex}${'0'.repeat(23)}${i}`,
    WEBHOOK: (i) => `https://hooks.example.com/${seed}/${i}`,
  };
  return Array.from({ length: n }, (_, i) => make[channel](i));
}

/** The most one account may hold: every channel's maximum contacts and 100 rules, 21 of them matching `order.shipped`. */
function fullSettings(seed: string): SettingsDocument {
  const contacts = Object.fromEntries(CONTACT_CHANNELS.map((c) => [c, addresses(c, SETTINGS_LIMITS.contactsPerChannel[c], seed)]));
  const channels = [...CONTACT_CHANNELS, '*'] as const;
  const matching = ['order.shipped', 'order.*', '*'].flatMap((type) => channels.map((channel) => ({ type, channel, enabled: false })));
  const others = Array.from({ length: SETTINGS_LIMITS.preferenceRules - matching.length }, (_, i) => ({
    type: i % 2 ? `billing.t${i}` : `cat${i}.*`, channel: channels[i % channels.length], enabled: true,
  }));
  return { locale: 'ja-JP', timeZone: 'Asia/Tokyo', quietHours: { start: '22:00', end: '07:00' }, contacts, preferences: [...matching, ...others] };
}

describe('the delivery path reads', () => {
  test('when an account has rules for many types, then policy returns only the rules for the type, its category and *', async () => {
    await store.replace('acct-policy', {
      timeZone: 'Europe/Paris',
      quietHours: { start: '23:30', end: '06:15' },
      contacts: {},
      preferences: [
        { type: 'order.shipped', channel: 'SMS', enabled: true },
        { type: 'order.*', channel: '*', enabled: false },
        { type: '*', channel: 'EMAIL', enabled: false },
        { type: 'order.cancelled', channel: '*', enabled: false },
        { type: 'marketing.*', channel: '*', enabled: false },
        { type: 'order', channel: '*', enabled: false },
      ],
    });
    const policy = await store.policy('acct-policy', 'order.shipped');
    expect(policy?.quietHours).toEqual({ timeZone: 'Europe/Paris', startMinute: 23 * 60 + 30, endMinute: 6 * 60 + 15 });
    expect(policy?.rules).toHaveLength(3);
    expect(policy?.rules).toEqual(expect.arrayContaining([
      { scope: 'order.shipped', channel: 'SMS', enabled: true },
      { scope: 'order.*', channel: '*', enabled: false },
      { scope: '*', channel: 'EMAIL', enabled: false },
    ]));
    expect((await store.policy('acct-policy', 'order'))?.rules).toEqual(
      expect.arrayContaining([{ scope: 'order', channel: '*', enabled: false }, { scope: '*', channel: 'EMAIL', enabled: false }]),
    );
  });

  test('when an account has settings but no rules or quiet hours, then policy has its locale and time zone (for templates), no rules and no quiet hours', async () => {
    await store.replace('acct-plain', { locale: 'en-GB', timeZone: 'Europe/London', contacts: {}, preferences: [] });
    expect(await store.policy('acct-plain', 'order.shipped')).toEqual({ locale: 'en-GB', timeZone: 'Europe/London', rules: [] });
  });

  test('when an account has no settings, then policy is undefined and there are no contacts', async () => {
    expect(await store.policy('acct-none', 'order.shipped')).toBeUndefined();
    expect(await store.contacts('acct-none')).toEqual([]);
  });

  test('when contacts are stored, then they come back in channel order and, within a channel, in the order given', async () => {
    await store.replace('acct-contacts', {
      contacts: { WEBHOOK: ['https://h.example.com/z'], SMS: ['+819000000002', '+819000000001'], EMAIL: ['z@example.com', 'a@example.com'] },
      preferences: [],
    });
    expect(await store.contacts('acct-contacts')).toEqual([
      { channel: 'EMAIL', address: 'z@example.com' },
      { channel: 'EMAIL', address: 'a@example.com' },
      { channel: 'SMS', address: '+819000000002' },
      { channel: 'SMS', address: '+819000000001' },
      { channel: 'WEBHOOK', address: 'https://h.example.com/z' },
    ]);
  });
});

describe('replacing', () => {
  test('when two documents are written concurrently many times, then what is stored is exactly one of them, never a mix', async () => {
    const a = fullSettings('aaaa');
    const b: SettingsDocument = { locale: 'fr-FR', contacts: { EMAIL: ['b@example.com'] }, preferences: [{ type: '*', channel: '*', enabled: false }] };
    await Promise.all(Array.from({ length: 12 }, (_, i) => store.replace('acct-race', i % 2 ? a : b)));
    const stored = (await store.get('acct-race'))!.document;
    expect([a, b].map((d) => JSON.stringify(d.contacts))).toContain(JSON.stringify(stored.contacts));
    expect(stored).toEqual(stored.locale === 'fr-FR' ? b : { ...a, preferences: expect.arrayContaining(a.preferences) });
    expect(stored.preferences).toHaveLength(stored.locale === 'fr-FR' ? 1 : SETTINGS_LIMITS.preferenceRules);
  });
});

describe('bounded cost: one account at the limits with a large ledger', () => {
  const ACCOUNT = 'acct-heavy';

  beforeAll(async () => {
    await store.replace(ACCOUNT, fullSettings('heavy'));
    for (let a = 0; a < 20; a++) await store.replace(`acct-other-${a}`, fullSettings(`o${a}`));
    const ledgerRows = (account: string, n: number, prefix: string) =>
      Array.from({ length: n }, (_, i) => [`${prefix}-${i}`, 'EMAIL', 'sent', 1, 'order.shipped', account, `m-${prefix}-${i}`, `m-${prefix}-${i}`]);
    const rows = [...ledgerRows(ACCOUNT, 20_000, 'heavy'), ...ledgerRows('acct-other-0', 5_000, 'other')];
    for (let i = 0; i < rows.length; i += 1000) {
      const batch = rows.slice(i, i + 1000);
      await db.pool.query(
        `INSERT INTO delivery_ledger (notification_id, channel, status, attempts, notification_type, account_id, first_message_id, last_message_id)
         VALUES ${batch.map(() => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
        batch.flat(),
      );
    }
    await db.pool.query('ANALYZE TABLE delivery_ledger, account_settings, account_contacts, account_preferences');
  });

  interface ExplainRow { table: string; type: string; key: string | null; rows: number | string }

  async function explain(sql: string, params: unknown[]): Promise<ExplainRow[]> {
    const [rows] = await db.pool.query(`EXPLAIN ${sql}`, params);
    return rows as ExplainRow[];
  }

  /** Every table read by primary key, examining at most `maxRows` rows in total. */
  function expectPrimaryKeyReads(plan: ExplainRow[], maxRows: number) {
    expect(plan.length).toBeGreaterThan(0);
    for (const step of plan) {
      expect({ table: step.table, type: ['const', 'eq_ref', 'ref', 'range'].includes(step.type), key: step.key }).toEqual({
        table: step.table, type: true, key: 'PRIMARY',
      });
    }
    expect(plan.reduce((sum, step) => sum + Number(step.rows), 0)).toBeLessThanOrEqual(maxRows);
  }

  test('when the policy of the full account is read, then it uses the primary keys and examines at most the matching rules', async () => {
    const { sql, params } = policyStatement(ACCOUNT, 'order.shipped');
    // One settings row, and per scope (type, category, *) at most one rule per channel and one for *.
    expectPrimaryKeyReads(await explain(sql, params), 1 + 3 * (CONTACT_CHANNELS.length + 1));
    expect((await store.policy(ACCOUNT, 'order.shipped'))?.rules).toHaveLength(3 * (CONTACT_CHANNELS.length + 1));
  });

  test('when the contacts of the full account are read, then it uses the primary key and examines at most the contact limits', async () => {
    const maxContacts = Object.values(SETTINGS_LIMITS.contactsPerChannel).reduce((a, b) => a + b, 0);
    expectPrimaryKeyReads(await explain(CONTACTS_SQL, [ACCOUNT]), maxContacts);
    expect(await store.contacts(ACCOUNT)).toHaveLength(maxContacts);
  });

  test("when the account's ledger row is read, then it is one primary-key row whatever the account's ledger holds", async () => {
    const ledgerRead = 'SELECT status, attempts, replays, last_replay_message_id FROM delivery_ledger WHERE notification_id = ? AND channel = ?';
    expectPrimaryKeyReads(await explain(ledgerRead, ['heavy-12345', 'EMAIL']), 1);
  });
});
