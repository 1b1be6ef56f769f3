import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { eventually } from '../support/notifier';
import { LocalPipeline, ROOT, startLocalPipeline } from '../support/npm-start';

/**
 * The README's five-minute tour, run as written against `npm start`: every command of its
 * shell block, in order; after each, every `# → …` line must appear in npm start's output
 * (as `[local] …`, a prefix) and every `# prints: …` in the command's own output.
 */
const run = promisify(execFile);

interface Step {
  command: string;
  /** What npm start prints, each the start of one line after `[local] `. */
  started: string[];
  /** What the command itself prints. */
  prints: string[];
}

/** The tour's steps, from README.md's `## Five-minute tour` shell block. */
function tourSteps(readme: string): Step[] {
  const section = readme.split(/^## /m).find((s) => s.startsWith('Five-minute tour'));
  if (!section) throw new Error('README.md has no "## Five-minute tour" section');
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('the tour has no ```sh block');
  const steps: Step[] = [];
  for (const line of block.replace(/\\\n\s*/g, '').split('\n')) {
    const expected = /^# (→|prints:) (.+)$/.exec(line);
    if (expected) steps.at(-1)![expected[1] === '→' ? 'started' : 'prints'].push(expected[2]!);
    else if (line.trim() && !line.startsWith('#')) steps.push({ command: line, started: [], prints: [] });
  }
  return steps;
}

let local: LocalPipeline | undefined;
afterAll(async () => {
  await local?.close();
});

test('when the README’s tour is followed against `npm start`, then each step prints the outcome it documents: sent, duplicate, dead letters, retries, suppressed, held, and the failures, replay and status views', async () => {
  const steps = tourSteps(readFileSync(path.join(ROOT, 'README.md'), 'utf8'));
  expect(steps.length).toBeGreaterThanOrEqual(8);
  local = await startLocalPipeline('tour');
  const { env } = local;
  const failWithOutput = (err: Error) => {
    throw new Error(`${err.message}\n--- npm start printed:\n${local!.output()}`);
  };
  const ready = /ready: notifier (http:\/\/127\.0\.0\.1:\d+)/.exec(await local.ready())![1]!;

  for (const step of steps) {
    // As documented, with this run's ports: `npm run notifier --` is `node dist/cli/main.js`.
    const command = step.command.replace(/^npm run notifier --/, `"${process.execPath}" dist/cli/main.js`).replaceAll('http://127.0.0.1:8080', ready);
    const { stdout } = await run('sh', ['-c', command], { cwd: ROOT, env }).catch((err: Error & { stdout?: string; stderr?: string }) => {
      throw new Error(`"${step.command}" failed: ${err.message}\n${err.stdout ?? ''}${err.stderr ?? ''}`);
    });
    for (const text of step.prints) expect({ command: step.command, prints: stdout.includes(text) ? text : stdout }).toEqual({ command: step.command, prints: text });
    for (const text of step.started) {
      await eventually(`"[local] ${text}" after "${step.command}"`, () => local!.output().split('\n').some((l) => l.startsWith(`[local] ${text}`)) || undefined, 120000).catch(failWithOutput);
    }
  }

  local.child.kill('SIGINT');
  expect(await local.exited).toBe(0);
}, 600000);
