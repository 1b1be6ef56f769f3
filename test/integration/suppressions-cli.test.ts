import mysql from 'mysql2/promise';
import { runCli } from '../../src/cli/main';
import { LOCAL_SUPPRESSION_KEY } from '../../src/config';
import { makeAddressHasher } from '../../src/delivery/suppression';
import { createTestDatabase, TestDatabase } from '../support/db';
import { MYSQL_ROOT_URL } from '../support/env';
import { callApi, startSuppressionsApi, SuppressionsApi, suppressionsCli, TEST_SUPPRESSION_KEY } from '../support/suppressions';

const hash = makeAddressHasher(TEST_SUPPRESSION_KEY);

let db: TestDatabase;
let api: SuppressionsApi;

beforeAll(async () => {
  db = await createTestDatabase();
  api = await startSuppressionsApi(db.url);
});

afterAll(async () => {
  await api?.close();
  await db?.drop();
});

const cli = (...args: string[]) => suppressionsCli(db.url, args);
/** The audit lines a command wrote on stderr, parsed. */
const auditLines = (stderr: string) => stderr.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('notifier suppressions with the API', () => {
  test('when an address was added through the API, then the CLI check finds it under the same hash, and prints it masked', async () => {
    const added = await callApi(api.url, '/v1/suppressions', { channel: 'EMAIL', address: 'ivan@example.com', reason: 'opt_out' });
    expect(added.status).toBe(201);
    const check = await cli('check', '--channel', 'email', '--address', 'Ivan@Example.com');
    expect(check).toEqual({
      code: 0,
      stdout: `EMAIL i***@example.com is suppressed: opt_out since ${added.body!.createdAt}, by unauthenticated (hash ${added.body!.addressHash})\n`,
      stderr: '',
    });
  });

  test('when the CLI adds an address, then the API finds it, its source names the operator, and one line says what changed and who did it', async () => {
    const result = await cli('add', '--channel', 'SMS', '--address', '+819033330000', '--reason', 'opt_out', '--by', 'alice');
    const { addressHash } = hash('SMS', '+819033330000');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`added SMS +81********00 to the suppression list as opt_out by alice (hash ${addressHash})\n`);
    expect(auditLines(result.stderr)).toEqual([
      { severity: 'INFO', message: 'suppression audit', action: 'suppression.add', caller: 'alice', via: 'cli', channel: 'SMS', addressHash, reason: 'opt_out', result: 'added' },
    ]);
    expect(await callApi(api.url, '/v1/suppressions:lookup', { channel: 'SMS', address: '+819033330000' })).toMatchObject({
      status: 200,
      body: { addressHash, reason: 'opt_out', mandatoryToo: false, source: 'cli:alice' },
    });
  });

  test('when the CLI adds an address already on the list, then nothing changes and the line shows the first entry', async () => {
    await callApi(api.url, '/v1/suppressions', { channel: 'EMAIL', address: 'judy@example.com' });
    const result = await cli('add', '--channel', 'EMAIL', '--address', 'judy@example.com', '--reason', 'opt_out', '--by', 'bob');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^EMAIL j\*\*\*@example\.com is already on the suppression list \(manual since \S+Z, by unauthenticated\): the first entry stands; nothing changed\n$/);
    expect(auditLines(result.stderr)).toEqual([expect.objectContaining({ action: 'suppression.add', caller: 'bob', result: 'already_suppressed' })]);
  });

  test('when the CLI removes an address added through the API, then the API no longer finds it, and the removal is audited once', async () => {
    await callApi(api.url, '/v1/suppressions', { channel: 'EMAIL', address: 'mallory@example.com' });
    const removed = await cli('remove', '--channel', 'EMAIL', '--address', 'mallory@example.com', '--by', 'carol');
    expect([removed.code, removed.stdout]).toEqual([0, 'removed EMAIL m***@example.com from the suppression list by carol\n']);
    expect(auditLines(removed.stderr)).toEqual([
      { severity: 'INFO', message: 'suppression audit', action: 'suppression.remove', caller: 'carol', via: 'cli', ...hash('EMAIL', 'mallory@example.com'), result: 'removed' },
    ]);
    expect((await callApi(api.url, '/v1/suppressions:lookup', { channel: 'EMAIL', address: 'mallory@example.com' })).status).toBe(404);
    const again = await cli('remove', '--channel', 'EMAIL', '--address', 'mallory@example.com', '--by', 'carol');
    expect(again.stdout).toBe('EMAIL m***@example.com was not on the suppression list; nothing changed\n');
    expect(auditLines(again.stderr).map((l) => l.result)).toEqual(['not_suppressed']);
  });

  test('when the list is printed, then newest first, hashes and sources only, of one channel when asked', async () => {
    await cli('add', '--channel', 'SMS', '--address', '+819044440000', '--by', 'dave');
    const list = await cli('list', '--channel', 'SMS', '--limit', '1');
    expect(list.code).toBe(0);
    const [header, , row, ...rest] = list.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^created\s+channel\s+hash\s+reason\s+mandatory\s+source\s+notification$/);
    expect(row).toMatch(new RegExp(`^\\S+Z\\s+SMS\\s+${hash('SMS', '+819044440000').addressHash}\\s+manual\\s+no\\s+cli:dave\\s+-$`));
    expect(rest).toEqual([]);
    const all = await cli('list');
    expect(all.stdout).toContain(hash('EMAIL', 'ivan@example.com').addressHash);
    expect(all.stdout).not.toMatch(/@example\.com|\+8190/);
  });

  test('when the CLI hashes with another key than the notifier, then it finds nothing: the key must be the notifier\'s', async () => {
    const other = await suppressionsCli(db.url, ['check', '--channel', 'EMAIL', '--address', 'ivan@example.com'], { SUPPRESSION_KEY: 'another-key-that-is-at-least-32-characters' });
    expect(other.stdout).toBe('EMAIL i***@example.com is not on the suppression list\n');
  });

  test('when run with --local and no SUPPRESSION_KEY, then the local key hashes, as the local notifier does', async () => {
    const local = await startSuppressionsApi(db.url, { key: LOCAL_SUPPRESSION_KEY });
    try {
      await callApi(local.url, '/v1/suppressions', { channel: 'EMAIL', address: 'oscar@example.com' });
      const check = await suppressionsCli(db.url, ['check', '--local', '--channel', 'EMAIL', '--address', 'oscar@example.com'], {});
      expect(check.stdout).toMatch(/^EMAIL o\*\*\*@example\.com is suppressed: manual since /);
    } finally {
      await local.close();
    }
  });

  test('when nothing the commands printed is searched for the addresses, then none is found in full', async () => {
    let everything = '';
    for (const args of [['check', '--channel', 'EMAIL', '--address', 'peggy@example.com'], ['add', '--channel', 'EMAIL', '--address', 'peggy@example.com', '--by', 'erin'], ['list']]) {
      const r = await cli(...args);
      expect(r.code).toBe(0);
      everything += r.stdout + r.stderr;
    }
    expect(everything).toContain('p***@example.com');
    expect(everything).not.toContain('peggy');
  });
});

describe('notifier suppressions on a database without the list', () => {
  test('when the suppressions table is missing, then the error says to apply migration 0008, exit 2', async () => {
    const root = await mysql.createConnection({ uri: MYSQL_ROOT_URL });
    const name = `${db.name}_bare`;
    await root.query(`CREATE DATABASE ${mysql.escapeId(name)}`);
    try {
      const url = new URL(db.url);
      url.pathname = `/${name}`;
      let stderr = '';
      const code = await runCli(['suppressions', 'list', '--mysql-url', url.toString()], { env: {}, stdout: { write: () => undefined }, stderr: { write: (s: string) => (stderr += s) } });
      expect([code, stderr]).toEqual([2, 'notifier suppressions: no suppressions table in that database: apply migration 0008 (npm run migrate)\n']);
    } finally {
      await root.query(`DROP DATABASE ${mysql.escapeId(name)}`);
      await root.end();
    }
  });
});
