import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseYamlSubset, YamlValue } from './yaml-subset';

const ROOT = path.resolve(__dirname, '../../..');

interface Step {
  id: string;
  name: string;
  entrypoint?: string;
  args?: string[];
  env?: string[];
  waitFor?: string[];
}
interface BuildConfig {
  substitutions: Record<string, string>;
  timeout: string;
  steps: Step[];
  images: string[];
}

const config = parseYamlSubset(readFileSync(path.join(ROOT, 'cloudbuild.yaml'), 'utf8')) as unknown as BuildConfig;
const IMAGE = '${_REGION}-docker.pkg.dev/$PROJECT_ID/${_REPOSITORY}/${_SERVICE}:$SHORT_SHA';
/** Cloud Build's built-in substitutions (configuring-builds/substitute-variable-values). */
const BUILT_IN = ['PROJECT_ID', 'BUILD_ID', 'PROJECT_NUMBER', 'LOCATION', 'TRIGGER_NAME', 'COMMIT_SHA', 'REVISION_ID',
  'SHORT_SHA', 'REPO_NAME', 'REPO_FULL_NAME', 'BRANCH_NAME', 'TAG_NAME', 'REF_NAME', 'TRIGGER_BUILD_CONFIG_PATH',
  'SERVICE_ACCOUNT_EMAIL', 'SERVICE_ACCOUNT'];
/** Fields of a build step and of the build (build-config schema). */
const STEP_FIELDS = ['name', 'args', 'env', 'allowFailure', 'allowExitCodes', 'dir', 'id', 'waitFor', 'entrypoint',
  'secretEnv', 'volumes', 'timeout', 'script', 'automapSubstitutions'];
const BUILD_FIELDS = ['steps', 'timeout', 'queueTtl', 'logsBucket', 'options', 'substitutions', 'tags',
  'serviceAccount', 'secrets', 'availableSecrets', 'artifacts', 'images'];

function step(id: string): Step {
  const found = config.steps.find((s) => s.id === id);
  if (!found) throw new Error(`cloudbuild.yaml has no step with id ${id}`);
  return found;
}

/** What the step runs, as one string: entrypoint and args. */
const command = (s: Step) => [s.entrypoint ?? '', ...(s.args ?? [])].join(' ');

/** The ids a step waits for: its waitFor, else every step before it (Cloud Build's rule). */
function directlyAfter(s: Step): string[] {
  const index = config.steps.indexOf(s);
  return s.waitFor ?? config.steps.slice(0, index).map((p) => p.id);
}

function runsAfter(later: string, earlier: string): boolean {
  const seen = new Set<string>();
  const visit = (id: string): boolean =>
    directlyAfter(step(id)).some((d) => d === earlier || (!seen.has(d) && (seen.add(d), visit(d))));
  return visit(later);
}

function strings(value: YamlValue): string[] {
  if (typeof value === 'string') return [value];
  return (Array.isArray(value) ? value : Object.values(value)).flatMap(strings);
}

describe('cloudbuild.yaml', () => {
  test('when read as a build config, then it uses only fields of the schema and every step has an id and an image', () => {
    expect(Object.keys(config).filter((k) => !BUILD_FIELDS.includes(k))).toEqual([]);
    for (const s of config.steps) {
      expect(Object.keys(s).filter((k) => !STEP_FIELDS.includes(k))).toEqual([]);
      expect(s.id).toMatch(/^[a-z-]+$/);
      expect(s.name).toBeTruthy();
    }
    expect(new Set(config.steps.map((s) => s.id)).size).toBe(config.steps.length);
    expect(config.timeout).toMatch(/^\d+s$/);
  });

  test('when the steps run, then install, database, tests, build, push, migration job and deploy each wait for the one before', () => {
    const order = ['install', 'mysql', 'test', 'build', 'push', 'update-migrate-job', 'migrate', 'deploy'];
    for (let k = 1; k < order.length; k += 1) expect([order[k], runsAfter(order[k]!, order[k - 1]!)]).toEqual([order[k], true]);
    expect(runsAfter('pubsub-emulator', 'install')).toBe(true);
    expect(runsAfter('test', 'pubsub-emulator')).toBe(true);
    for (const s of config.steps) for (const w of s.waitFor ?? []) expect(config.steps.slice(0, config.steps.indexOf(s)).map((p) => p.id)).toContain(w);
  });

  test('when substitutions are used, then each is declared or built in, each declared one is used, and bash variables are escaped as $$', () => {
    expect(config.substitutions).toEqual({ _REGION: '', _REPOSITORY: '', _SERVICE: 'notifier', _MIGRATE_JOB: 'notifier-migrate' });
    const text = strings({ steps: config.steps as unknown as YamlValue, images: config.images }).join('\n').replace(/\$\$/g, '');
    const used = new Set([...text.matchAll(/\$(?:\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))/g)].map((m) => m[1] ?? m[2]!));
    expect([...used].filter((name) => !BUILT_IN.includes(name) && !(name in config.substitutions))).toEqual([]);
    expect(Object.keys(config.substitutions).filter((name) => !used.has(name))).toEqual([]);
  });

  test('when the install step runs, then it refuses an empty _REGION or _REPOSITORY and installs from the lockfile in the Node of the Dockerfile', () => {
    const install = step('install');
    expect(command(install)).toContain("[ -z '${_REGION}' ] || [ -z '${_REPOSITORY}' ]");
    expect(command(install)).toMatch(/\bnpm ci\b/);
    const buildImage = /^FROM (\S+) AS build$/m.exec(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'))![1];
    expect([install.name, step('test').name]).toEqual([buildImage, buildImage]);
  });

  test('when the services start, then MySQL 8 and the emulator run on the cloudbuild network under the names the tests use, and each step waits for its service', () => {
    const mysql = command(step('mysql'));
    expect(mysql).toContain('docker run -d --network cloudbuild --name mysql -e MYSQL_ALLOW_EMPTY_PASSWORD=yes mysql:8.0');
    expect(mysql).toContain('mysqladmin --protocol=tcp');
    const emulator = command(step('pubsub-emulator')).replace(/\\\n\s*/g, '');
    expect(emulator).toContain('docker run -d --network cloudbuild --name pubsub-emulator gcr.io/google.com/cloudsdktool/google-cloud-cli:emulators');
    expect(emulator).toContain('gcloud beta emulators pubsub start --project=notifier-test --host-port=0.0.0.0:8085');
    expect(emulator).toContain('http://pubsub-emulator:8085/v1/projects/probe/topics');
  });

  test('when the tests run, then they get the MySQL URL the test support reads and the emulator host, and run npm test', () => {
    const tests = step('test');
    expect(readFileSync(path.join(ROOT, 'test/support/env.ts'), 'utf8')).toContain('process.env.TEST_MYSQL_URL');
    expect(tests.env).toEqual(['TEST_MYSQL_URL=mysql://root@mysql:3306/test', 'PUBSUB_EMULATOR_HOST=pubsub-emulator:8085']);
    expect(command(tests)).toBe('npm test');
  });

  test('when the image is built, pushed, migrated with and deployed, then it is the same image, tagged from the substitutions', () => {
    expect(step('build')).toMatchObject({ name: 'gcr.io/cloud-builders/docker', args: ['build', '--tag', IMAGE, '.'] });
    expect(step('push')).toMatchObject({ name: 'gcr.io/cloud-builders/docker', args: ['push', IMAGE] });
    expect(command(step('update-migrate-job'))).toMatch(/^gcloud run jobs update \$\{_MIGRATE_JOB\} /);
    expect(step('update-migrate-job').args).toEqual(expect.arrayContaining([`--image=${IMAGE}`, '--region=${_REGION}']));
    expect(command(step('migrate'))).toMatch(/^gcloud run jobs execute \$\{_MIGRATE_JOB\} .*--wait/);
    expect(step('migrate').args).toContain('--region=${_REGION}');
    expect(command(step('deploy'))).toMatch(/^gcloud run deploy \$\{_SERVICE\} /);
    expect(step('deploy').args).toEqual(expect.arrayContaining([`--image=${IMAGE}`, '--region=${_REGION}']));
    expect(config.images).toEqual([IMAGE]);
  });

  test("when the migration job is updated, then its command is the package's migrate script", () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    const args = step('update-migrate-job').args!;
    expect(args.filter((a) => a.startsWith('--args'))).toEqual([]);
    const commandFlag = args.find((a) => a.startsWith('--command='));
    expect(commandFlag?.slice('--command='.length).split(',').join(' ')).toBe(pkg.scripts.migrate);
  });
});
