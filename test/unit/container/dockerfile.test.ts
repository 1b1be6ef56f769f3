import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

interface Instruction {
  keyword: string;
  args: string;
}
interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

/** Dockerfile instructions, with `\` continuations joined and comments dropped, grouped by stage. */
function readStages(file: string): Stage[] {
  const text = readFileSync(file, 'utf8').replace(/\\\r?\n/g, ' ');
  const stages: Stage[] = [];
  for (const line of text.split(/\r?\n/).map((l) => l.trim())) {
    if (line === '' || line.startsWith('#')) continue;
    const [, keyword, args] = /^(\S+)\s+(.*)$/.exec(line) ?? [];
    if (!keyword) throw new Error(`unreadable Dockerfile line: ${line}`);
    const instruction = { keyword: keyword.toUpperCase(), args: args!.replace(/\s+/g, ' ').trim() };
    if (instruction.keyword === 'FROM') {
      const [, from, name] = /^(\S+)(?: AS (\S+))?$/i.exec(instruction.args)!;
      stages.push({ from: from!, name, instructions: [] });
    } else {
      if (!stages.length) throw new Error(`${instruction.keyword} before FROM`);
      stages[stages.length - 1]!.instructions.push(instruction);
    }
  }
  return stages;
}

const stages = readStages(path.join(ROOT, 'Dockerfile'));
const build = stages[0]!;
const runtime = stages[stages.length - 1]!;
const all = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
const runs = (stage: Stage) => all(stage, 'RUN').join(' && ');
/** The command test/integration/production-deps.test.ts runs to prove the runtime stage's dependencies. */
const PROVEN_INSTALL = 'npm ci --omit=dev --no-audit --no-fund --ignore-scripts';

describe('Dockerfile', () => {
  test('when built, then it has a build and a runtime stage, both on Node 20', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage.from).toMatch(/^node:20-/);
    expect(build.name).toBe('build');
  });

  test('when the build stage runs, then it installs every dependency from the lockfile and compiles', () => {
    expect(runs(build)).toMatch(/\bnpm ci\b/);
    expect(runs(build)).not.toContain('--omit=dev');
    expect(runs(build)).toContain('npm run build');
    expect(all(build, 'COPY')).toEqual(expect.arrayContaining(['package.json package-lock.json ./', 'src ./src']));
  });

  test('when the runtime stage installs, then it installs production dependencies only, with the command the production-deps test proves', () => {
    const installs = runs(runtime).split(/\s*&&\s*/).filter((c) => /\bnpm (ci|install|i)\b/.test(c));
    expect(installs).toEqual([PROVEN_INSTALL]);
    expect(all(runtime, 'ENV')).toContain('NODE_ENV=production');
  });

  test('when the container runs, then it runs as a user that is not root', () => {
    const user = all(runtime, 'USER').pop();
    expect(user).toBeDefined();
    expect(user!.split(':')[0]).not.toMatch(/^(root|0)$/);
  });

  test('when the service starts, then dist from the build stage, proto, migrations and templates are at the package root', () => {
    const copies = all(runtime, 'COPY');
    expect(copies).toEqual(expect.arrayContaining(['--from=build /app/dist ./dist', 'proto ./proto', 'migrations ./migrations', 'templates ./templates']));
    expect(all(runtime, 'WORKDIR').pop()).toBe('/app');
    expect(all(build, 'WORKDIR').pop()).toBe('/app');
  });

  test('when the container starts, then its command is exactly node dist/main.js in exec form, on port 8080', () => {
    const last = runtime.instructions[runtime.instructions.length - 1]!;
    expect(last.keyword).toBe('CMD');
    expect(JSON.parse(last.args)).toEqual(['node', 'dist/main.js']);
    expect(all(runtime, 'ENTRYPOINT')).toEqual([]);
    expect(all(runtime, 'EXPOSE')).toEqual(['8080']);
  });
});

describe('.dockerignore', () => {
  const ignored = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));

  /** A .dockerignore pattern (plain names and `*` globs, as in this file) against a context path. */
  const matches = (pattern: string, source: string) =>
    new RegExp('^' + pattern.replace(/[.+?^$(){}|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*') + '(/.*)?$').test(source);

  test('when the context is sent, then host node_modules, dist, git and terraform state stay out', () => {
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.git', '*.tfstate', 'terraform']));
  });

  test('when the Dockerfile copies from the context, then every source exists and is not ignored', () => {
    const sources = stages
      .flatMap((s) => all(s, 'COPY'))
      .filter((args) => !args.startsWith('--from='))
      .flatMap((args) => args.split(' ').slice(0, -1));
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect([source, existsSync(path.join(ROOT, source))]).toEqual([source, true]);
      expect(ignored.filter((pattern) => matches(pattern, source))).toEqual([]);
    }
  });
});
