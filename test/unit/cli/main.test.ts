import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { COMMANDS, runCli, usage } from '../../../src/cli/main';
import { captureIo, fakePubSub } from './fakes';

const LOCAL_EXAMPLE = 'npm run notifier -- publish --local --type demo.hello --to you@example.com --subject Hello --text "It works"';

describe('runCli', () => {
  it.each([['help'], ['--help'], ['-h']])('when run as `notifier %s`, then the full usage is printed, exit code 0', async (word) => {
    const cap = captureIo();
    expect(await runCli([word], cap.io)).toBe(0);
    expect(cap.stdout()).toBe(usage());
  });

  it('when run without arguments, then the usage goes to stderr, exit code 2', async () => {
    const cap = captureIo();
    expect(await runCli([], cap.io)).toBe(2);
    expect(cap.stderr()).toBe(usage());
  });

  it('when asked for help on one command, then only its usage is printed', async () => {
    const cap = captureIo();
    expect(await runCli(['help', 'broadcast'], cap.io)).toBe(0);
    expect(cap.stdout()).toMatch(/^notifier broadcast --id/);
    expect(cap.stdout()).not.toContain('notifier publish ');
  });

  it('when asked for help on an unknown command, then the error lists the commands', async () => {
    const cap = captureIo();
    expect(await runCli(['help', 'nope'], cap.io)).toBe(2);
    expect(cap.stderr()).toBe('notifier help: no command "nope"; commands: publish, broadcast, status, suppressions, failures, replay, resolve, templates\n');
  });

  it('when the command is unknown, then the error names it, exit code 2', async () => {
    const cap = captureIo();
    expect(await runCli(['pubish'], cap.io)).toBe(2);
    expect(cap.stderr()).toBe('notifier: unknown command "pubish" (see notifier help)\n');
  });

  it('when a flag comes before the command, then the error says the command comes first', async () => {
    const cap = captureIo();
    expect(await runCli(['--local', 'publish'], cap.io)).toBe(2);
    expect(cap.stderr()).toContain('the command comes first');
  });

  it('when a command is given an unknown flag, then the error names the flag, exit code 2', async () => {
    const cap = captureIo();
    expect(await runCli(['broadcast', '--recipient', 'x.csv'], cap.io)).toBe(2);
    expect(cap.stderr()).toBe("notifier broadcast: Unknown option '--recipient' (see notifier help broadcast)\n");
  });

  it('when the environment is malformed, then the variable is named, exit code 2', async () => {
    const cap = captureIo({ env: { GOOGLE_CLOUD_PROJECT: 'p', SCHEMA_ENCODING: 'XML' } });
    expect(await runCli(['publish', '--type', 'x'], cap.io)).toBe(2);
    expect(cap.stderr()).toBe('configuration error: SCHEMA_ENCODING: must be one of JSON, BINARY, got "XML"\n');
  });

  it('when something unexpected fails, then its message is printed without a stack trace, exit code 1', async () => {
    const fake = fakePubSub();
    const createClient = () => ({ ...fake.createClient({ projectId: 'p', topic: 't', encoding: 'JSON' }), close: () => Promise.reject(new Error('flush failed')) });
    const cap = captureIo({ createClient });
    expect(await runCli(['publish', '--type', 'x', '--to', 'a@example.com', '--subject', 'S', '--text', 'T'], cap.io)).toBe(1);
    expect(cap.stderr()).toBe('notifier: flush failed\n');
  });
});

describe('usage', () => {
  it('when printed, then it lists every command with its usage and an example', () => {
    const text = usage();
    for (const command of COMMANDS) {
      expect(text).toContain(`  ${command.name}`);
      expect(text).toContain(command.usage);
      expect(command.usage).toMatch(/Examples?:\n/);
    }
  });

  it('when printed, then it shows how to publish to the local pipeline', () => {
    expect(usage()).toContain(LOCAL_EXAMPLE);
  });
});

describe('the built bin', () => {
  // jest's global setup builds dist/; this checks the compiled entry point runs as a program.
  it('when run as `node dist/cli/main.js --help`, then it prints the usage and exits 0', () => {
    const result = spawnSync(process.execPath, [join(__dirname, '../../../dist/cli/main.js'), '--help'], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(usage());
  });

  it('when run with an unknown flag, then it exits 2 with the message and no stack trace', () => {
    const result = spawnSync(process.execPath, [join(__dirname, '../../../dist/cli/main.js'), 'publish', '--nope'], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toBe("notifier publish: Unknown option '--nope' (see notifier help publish)\n");
  });
});
