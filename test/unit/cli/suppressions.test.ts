import { runCli } from '../../../src/cli/main';

/** No server listens here: a command that reached the database would fail with exit 1, not a usage error. */
const NOWHERE = ['--mysql-url', 'mysql://root@127.0.0.1:1/nowhere'];
const KEY = { SUPPRESSION_KEY: 'unit-test-suppression-key-0123456789' };

async function cli(args: string[], env: Record<string, string> = KEY) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['suppressions', ...args], { env, stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } });
  return { code, stdout, stderr };
}

describe('notifier suppressions: flags', () => {
  test.each([
    [[], 'notifier suppressions: name one action, list, check, add or remove'],
    [['purge'], 'notifier suppressions: name one action, list, check, add or remove'],
    [['check', 'add'], 'notifier suppressions: name one action, list, check, add or remove'],
    [['check', '--address', 'bob@example.com'], 'notifier suppressions check: --channel is required (see notifier help suppressions)'],
    [['check', '--channel', 'EMAIL'], 'notifier suppressions check: --address is required'],
    [['check', '--channel', 'PUSH', '--address', 'bob@example.com'], 'notifier suppressions check: --channel must be EMAIL or SMS'],
    [['add', '--channel', 'email', '--address', 'bob-at-example.com', '--by', 'ops'], 'notifier suppressions add: --address is not a valid email address'],
    [['remove', '--channel', 'SMS', '--address', '090-1234-5678', '--by', 'ops'], 'notifier suppressions remove: --address is not an E.164 phone number'],
    [['add', '--channel', 'SMS', '--address', '+819012345678', '--reason', 'hard_bounce', '--by', 'ops'], 'notifier suppressions add: --reason must be manual or opt_out'],
    [['remove', '--channel', 'SMS', '--address', '+819012345678', '--reason', 'manual'], 'notifier suppressions remove: --reason does not apply'],
    [['check', '--channel', 'SMS', '--address', '+819012345678', '--by', 'ops'], 'notifier suppressions check: --by does not apply'],
    [['list', '--address', 'bob@example.com'], 'notifier suppressions list: --address does not apply'],
    [['list', '--limit', '0'], 'notifier suppressions list: --limit must be an integer from 1 to 200'],
    [['list', '--channel', 'LINE'], 'notifier suppressions list: --channel must be EMAIL or SMS'],
    [['add', '--channel', 'SMS', '--address', '+819012345678', '--by', ' '], 'notifier suppressions add: --by is required'],
    [['add', '--channel', 'SMS', '--address', '+819012345678', '--by', 'b'.repeat(61)], '--by: 61 characters; the list keeps at most 60'],
    [['list', '--until', 'x'], "notifier suppressions: Unknown option '--until' (see notifier help suppressions)"],
  ])('when run with %p, then it is a usage error naming the problem, exit 2, before the database', async (args, message) => {
    const result = await cli([...args, ...NOWHERE]);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toContain(message);
    for (const address of ['bob@example.com', 'bob-at-example.com', '090-1234-5678', '+819012345678']) expect(result.stderr).not.toContain(address);
  });

  test('when SUPPRESSION_KEY is unset and --local is not given, then a configuration error says where the key is, exit 2', async () => {
    const result = await cli(['check', '--channel', 'EMAIL', '--address', 'bob@example.com', ...NOWHERE], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^configuration error: SUPPRESSION_KEY: is required: .*notifier-suppression-key/);
  });

  test('when no database is named, then the error says how to name one', async () => {
    const result = await cli(['list'], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('pass --mysql-url <url>, set MYSQL_URL, or use --local');
  });

  test('when the database does not answer, then exit 1 with the reason, nothing printed on stdout', async () => {
    const result = await cli(['list', ...NOWHERE]);
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toMatch(/^notifier: .*(unavailable|ECONNREFUSED)/i);
  });

  test('when asked for help, then the usage lists the four actions, says addresses are hashed and gives examples', async () => {
    let out = '';
    expect(await runCli(['help', 'suppressions'], { env: {}, stdout: { write: (s: string) => (out += s) }, stderr: { write: () => undefined } })).toBe(0);
    for (const action of ['list', 'check', 'add', 'remove']) expect(out).toContain(`notifier suppressions ${action} `);
    expect(out).toContain('never in clear');
    expect(out).toContain('Examples:\n    npm run notifier -- suppressions check --local');
  });
});
