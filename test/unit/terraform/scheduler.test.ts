import { ConfigError, loadConfig } from '../../../src/config';
import { deployedEnv, envOf, serviceContainer } from './deployed-env';
import { tryEvaluate } from './conditions';
import { exampleValues, expression, loadTerraform, resource, single, Terraform } from './hcl';

let tf: Terraform;
let values: Record<string, unknown>;

beforeAll(async () => {
  tf = await loadTerraform();
  values = await exampleValues(tf);
});

const job = () => resource(tf, 'google_cloud_scheduler_job', 'release_held');
const envValue = (name: string) => envOf(serviceContainer(tf)).find((e) => e.name === name)?.value;

/** Which validations of `name` fail for the example values with `overrides` (undefined: not evaluable). */
function refusedBy(name: string, overrides: Record<string, unknown>): (boolean | undefined)[] {
  const conditions = (tf.variables[name].validation as { condition: string }[]).map((v) => v.condition);
  return conditions.map((c) => {
    const r = tryEvaluate(c, { ...values, ...overrides });
    return r === undefined ? undefined : r === false;
  });
}

/** The regex inside a `can(regex("…", x))` validation, as JavaScript reads it (RE2 agrees for these). */
function validationPattern(name: string): RegExp {
  const condition = (tf.variables[name].validation as { condition: string }[])[0].condition;
  return new RegExp(/regex\("((?:[^"\\]|\\.)*)", [\w.]+\)/.exec(condition)![1].replace(/\\(.)/g, '$1'));
}

describe('terraform/scheduler.tf: the release job', () => {
  test('when the job runs, then it POSTs to the service\'s /tasks/release-held on the release schedule', () => {
    expect(job()).toMatchObject({
      project: '${var.project_id}',
      region: '${var.region}',
      name: 'notifier-release-held',
      schedule: '${var.release_schedule}',
      time_zone: '${var.release_time_zone}',
    });
    const target = single(job(), 'http_target');
    expect(target.http_method).toBe('POST');
    expect(target.uri).toBe('${google_cloud_run_v2_service.notifier.uri}/tasks/release-held');
  });

  test('when the job calls, then its OIDC token is the scheduler account\'s with the API audience the notifier requires', () => {
    expect(single(single(job(), 'http_target'), 'oidc_token')).toEqual({
      service_account_email: '${google_service_account.scheduler.email}',
      audience: '${var.api_audience}',
    });
    expect(expression(envValue('TASKS_CALLER'))).toBe('google_service_account.scheduler.email');
    expect(expression(envValue('API_AUDIENCE'))).toBe('var.api_audience');
    expect(envValue('API_AUTH')).toBe('oidc');
  });

  test('when a call fails, then it is retried at most twice, within the minute, and the deadline is the request timeout within Scheduler\'s range', () => {
    expect(single(job(), 'retry_config')).toEqual({ retry_count: 2, min_backoff_duration: '10s', max_backoff_duration: '20s', max_doublings: 1 });
    expect(job().attempt_deadline).toBe('${local.release_attempt_deadline_seconds}s');
    expect(tf.locals.release_attempt_deadline_seconds).toBe('${min(max(var.request_timeout_seconds, 15), 1800)}');
  });

  test('when the job is created, then Cloud Scheduler is enabled and the endpoint already admits requests', () => {
    expect(tf.locals.required_apis).toContain('"cloudscheduler.googleapis.com"');
    expect(job().depends_on).toEqual(['${google_project_service.required}', '${google_cloud_run_v2_service_iam_member.public_invoker}']);
  });

  test('when the defaults are planned, then the schedule is every minute in Etc/UTC', () => {
    expect(tf.variables.release_schedule.default).toBe('* * * * *');
    expect(tf.variables.release_time_zone.default).toBe('Etc/UTC');
  });
});

describe('terraform/cloudrun.tf: settings, routing and release variables', () => {
  test('when the defaults are deployed, then the notifier starts with the API, release and routing settings from Terraform', () => {
    const config = loadConfig(deployedEnv(tf, values));
    expect(config.api).toEqual({
      auth: 'oidc',
      audience: 'notifier-api',
      settingsCallers: [],
      statusCallers: [],
      suppressionCallers: [],
      tasksCaller: 'notifier-scheduler@my-project.iam.gserviceaccount.com',
    });
    expect(config.release).toEqual({ batchSize: 500, claimTimeoutMs: 300000 });
    expect(config.delivery.mandatoryTypes).toEqual(['security.*', 'legal.*']);
    expect(config.pubsub.notificationsTopic).toBe('notifications');
  });

  test('when operators tune them, then the notifier runs with their values', () => {
    const tuned = {
      settings_callers: ['accounts@my-project.iam.gserviceaccount.com', 'support@my-project.iam.gserviceaccount.com'],
      mandatory_types: ['security.*', 'otp.sent'],
      release_batch_size: 5000,
      release_claim_timeout_ms: 600000,
    };
    const config = loadConfig(deployedEnv(tf, { ...values, ...tuned }));
    expect(config.api.settingsCallers).toEqual(tuned.settings_callers);
    expect(config.delivery.mandatoryTypes).toEqual(['security.*', 'otp.sent']);
    expect(config.release).toEqual({ batchSize: 5000, claimTimeoutMs: 600000 });
  });

  test('when no types are mandatory, then the notifier gets an empty list', () => {
    expect(loadConfig(deployedEnv(tf, { ...values, mandatory_types: [] })).delivery.mandatoryTypes).toEqual([]);
  });
});

describe('terraform/variables.tf: settings and release variables, checked as the notifier checks them', () => {
  test.each([
    ['release_batch_size', 1, 5000],
    ['release_claim_timeout_ms', 120001, 3600000], // 10000 for the notifier; above request_timeout_seconds (120 s) binds
  ])('when only %s changes, then the plan accepts exactly %d to %d', (name, low, high) => {
    const ok = (v: number) => refusedBy(name, { [name]: v }).every((r) => r === false);
    expect([ok(low - 1), ok(low), ok(high), ok(high + 1), ok(low + 0.5)]).toEqual([false, true, true, false, false]);
  });

  test('when the request timeout grows past the claim timeout, then the plan refuses it (a running release would lose its claims)', () => {
    expect(refusedBy('release_claim_timeout_ms', { request_timeout_seconds: 300 })).toEqual([false, true]);
    expect(refusedBy('release_claim_timeout_ms', { request_timeout_seconds: 300, release_claim_timeout_ms: 301000 })).toEqual([false, false]);
  });

  test('when the API audience equals the push audience, then the plan refuses it', () => {
    // The first (shape) check uses strcontains, which the small evaluator leaves to Terraform.
    expect(refusedBy('api_audience', { api_audience: 'notifier-pubsub-push' })).toEqual([undefined, true]);
    expect(refusedBy('api_audience', { api_audience: 'notifier-api' })).toEqual([undefined, false]);
  });

  test.each(['security.*', 'legal.*', 'order.shipped', 'otp', '*', 'security.*.x', 'a b', 'a,b', '', '*.security'])(
    'when a mandatory type is %j, then Terraform and the notifier agree on it',
    (pattern) => {
      const terraform = validationPattern('mandatory_types').test(pattern);
      let notifier = true;
      try {
        loadConfig({ ...deployedEnv(tf, values), MANDATORY_TYPES: pattern });
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        notifier = false;
      }
      // The notifier's list parsing drops an empty entry and splits one with a comma (join would
      // do the same to it); Terraform refuses both outright.
      expect(terraform).toBe(pattern === '' || pattern.includes(',') ? false : notifier);
    },
  );

  test('when settings callers are validated, then only service account emails pass', () => {
    const pattern = validationPattern('settings_callers');
    expect(['accounts@my-project.iam.gserviceaccount.com', 'x@appspot.gserviceaccount.com'].map((e) => pattern.test(e))).toEqual([true, true]);
    expect(['alice@example.com', 'a,b@x.gserviceaccount.com', 'not-an-email'].map((e) => pattern.test(e))).toEqual([false, false, false]);
  });

  test('when the release schedule and time zone are validated, then cron expressions and tz names pass and others do not', () => {
    const cron = validationPattern('release_schedule');
    expect(['* * * * *', '*/5 * * * *', '0 7 * * 1-5'].map((c) => cron.test(c))).toEqual([true, true, true]);
    expect(['* * * *', 'every minute', '* * * * * *'].map((c) => cron.test(c))).toEqual([false, false, false]);
    const zone = validationPattern('release_time_zone');
    expect(['Etc/UTC', 'Asia/Tokyo', 'America/Argentina/Buenos_Aires', 'Etc/GMT+5'].map((z) => zone.test(z))).toEqual([true, true, true, true]);
    expect(['', 'Asia/ Tokyo', '/UTC', '+09:00'].map((z) => zone.test(z))).toEqual([false, false, false, false]);
  });
});
