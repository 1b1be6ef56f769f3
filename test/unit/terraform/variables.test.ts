import { readFileSync } from 'node:fs';
import { ConfigError, loadConfig } from '../../../src/config';
import { readDeliverySettings } from '../../../src/local/delivery-settings';
import { evaluate, tryEvaluate } from './conditions';
import { exampleValues, loadTerraform, Terraform, tfPath } from './hcl';

let tf: Terraform;
let values: Record<string, unknown>;

beforeAll(async () => {
  tf = await loadTerraform();
  values = await exampleValues(tf);
});

/** Variables an operator must always set (no sensible default); terraform.tfvars.example sets them. */
const REQUIRED = ['project_id', 'image', 'cloud_sql_instance', 'email_from'];

const conditionsOf = (name: string): string[] =>
  ((tf.variables[name]?.validation ?? []) as { condition: string }[]).map((v) => v.condition);

/** Which of a variable's validations fail for the example values with `overrides`. */
function failing(overrides: Record<string, unknown>): string[] {
  const vars = { ...values, ...overrides };
  const failed: string[] = [];
  for (const name of Object.keys(tf.variables)) {
    for (const condition of conditionsOf(name)) {
      if (tryEvaluate(condition, vars) === false) failed.push(name);
    }
  }
  return [...new Set(failed)];
}

describe('terraform/variables.tf: every variable', () => {
  test('when reading the variables, then the six delivery variables npm start reads are still there with their defaults', async () => {
    expect(await readDeliverySettings(tfPath('variables.tf'))).toEqual({
      maxDeliveryAttempts: 10,
      notifierMaxAttempts: 5,
      minimumBackoffSeconds: 10,
      maximumBackoffSeconds: 600,
      ackDeadlineSeconds: 60,
      schemaEncoding: 'JSON',
    });
  });

  test('when any variable is declared, then it lives in variables.tf with a type and a description', () => {
    const text = readFileSync(tfPath('variables.tf'), 'utf8');
    for (const [name, v] of Object.entries(tf.variables)) {
      expect({ name, inVariablesTf: text.includes(`variable "${name}"`) }).toEqual({ name, inVariablesTf: true });
      expect({ name, type: typeof v.type }).toEqual({ name, type: 'string' });
      expect({ name, description: typeof v.description === 'string' && v.description.length > 20 }).toEqual({ name, description: true });
    }
  });

  test('when a variable is not one an operator must always set, then it has a default', () => {
    const withoutDefault = Object.entries(tf.variables).filter(([, v]) => !('default' in v)).map(([n]) => n);
    expect(withoutDefault.sort()).toEqual([...REQUIRED].sort());
  });

  test('when a variable is not a plain on/off switch, then a validation with an error message guards it', () => {
    for (const [name, v] of Object.entries(tf.variables)) {
      if (v.type === '${bool}') continue; // true/false needs no range
      const validations = (v.validation ?? []) as { condition: string; error_message: string }[];
      expect({ name, validations: validations.length > 0 }).toEqual({ name, validations: true });
      for (const { condition, error_message } of validations) {
        expect({ name, mentionsItself: condition.includes(`var.${name}`) }).toEqual({ name, mentionsItself: true });
        expect({ name, message: error_message.length > 10 }).toEqual({ name, message: true });
      }
    }
  });

  test('when the example tfvars and the defaults are planned, then every arithmetic validation holds', () => {
    let evaluated = 0;
    for (const name of Object.keys(tf.variables)) {
      for (const condition of conditionsOf(name)) {
        const result = tryEvaluate(condition, values);
        if (result === undefined) continue;
        evaluated++;
        expect({ name, condition, result }).toEqual({ name, condition, result: true });
      }
    }
    expect(evaluated).toBeGreaterThanOrEqual(25); // the evaluator is not silently skipping them
  });
});

describe('terraform/variables.tf: documented platform ranges', () => {
  // [variable, lowest allowed, highest allowed], from the Pub/Sub and Cloud Run docs and src/config/.
  // With every other variable at its default, the plan accepts exactly this interval: the
  // platform's range, narrowed where a cross-check with a default binds first.
  test.each([
    ['max_delivery_attempts', 6, 100], // 5 is Pub/Sub's floor; notifier_max_attempts (5) must stay below it
    ['minimum_backoff_seconds', 4, 600], // 0 for Pub/Sub; 9 redeliveries x 4 s must outlast the 30 s open breaker
    ['maximum_backoff_seconds', 10, 600], // not below minimum_backoff_seconds (10)
    ['ack_deadline_seconds', 24, 120], // 10-600 for Pub/Sub; the budget (19 s + 5 s) and request_timeout_seconds (120) bind
    ['concurrency', 1, 10], // 1000 for Cloud Run; db_pool_size (10) binds
    ['request_timeout_seconds', 60, 299], // 1-3600 s for Cloud Run; ack_deadline_seconds (60) and release_claim_timeout_ms (300 s) bind
    ['message_retention_seconds', 6600, 2678400], // 600 s for Pub/Sub; 10 attempts x (600 s + 60 s) binds
    ['memory_mib', 832, 32768], // 512-32768 for Cloud Run; 192 + 64 MiB x concurrency (10) binds
    ['db_pool_size', 10, 12], // 1-50 per pool, two pools per instance; concurrency (10) and 10 instances x 2 x 12 = 240 of 250 connections bind
    ['shutdown_grace_ms', 9000, 9999], // send_timeout_ms (8000) + 1000 to record it; Cloud Run sends SIGKILL 10 s after SIGTERM
    ['send_timeout_ms', 100, 8500], // shutdown_grace_ms (9500) - 1000
    ['mysql_timeout_ms', 2000, 41000], // the server's lock waits end a second before it; the ack deadline (60 s) binds
    // src/config/channels.ts (each channel module's default): rates 0-100000, breaker failures 0-1000, open time 100-600000 ms
    ['email_rate_limit', 0, 100000],
    ['sms_rate_limit', 0, 100000],
    ['push_rate_limit', 0, 100000],
    ['slack_rate_limit', 0, 100000],
    ['line_rate_limit', 0, 100000],
    ['webhook_rate_limit', 0, 100000],
    ['breaker_failures', 0, 1000],
    ['breaker_open_ms', 100, 89999], // 600000 for the notifier; 9 redeliveries x 10 s of minimum backoff bind
  ])('when only %s changes, then the plan accepts exactly %d to %d', (name, low, high) => {
    const ok = (v: number) => failing({ [name]: v }).length === 0;
    expect([ok(low - 1), ok(low), ok(high), ok(high + 1)]).toEqual([false, true, true, false]);
  });

  test.each([
    ['max_delivery_attempts', 5, 100],
    ['minimum_backoff_seconds', 0, 600],
    ['maximum_backoff_seconds', 0, 600],
    ['ack_deadline_seconds', 10, 600],
    ['concurrency', 1, 1000],
    ['request_timeout_seconds', 1, 3600],
    ['message_retention_seconds', 600, 2678400],
    ['db_pool_size', 1, 50],
    ['memory_mib', 512, 32768],
    ['email_rate_limit', 0, 100000],
    ['sms_rate_limit', 0, 100000],
    ['push_rate_limit', 0, 100000],
    ['slack_rate_limit', 0, 100000],
    ['line_rate_limit', 0, 100000],
    ['webhook_rate_limit', 0, 100000],
    ['breaker_failures', 0, 1000],
    ['breaker_open_ms', 100, 600000],
  ])('when reading the range validation of %s, then it states the platform range %d to %d', (name, low, high) => {
    const range = conditionsOf(name)[0];
    expect(range).toContain(`var.${name} >= ${low}`);
    expect(range).toContain(`var.${name} <= ${high}`);
    // maximum_backoff_seconds's range check also requires >= minimum_backoff_seconds
    const at = (v: number) => evaluate(range, { ...values, minimum_backoff_seconds: 0, [name]: v });
    expect([at(low - 1), at(low), at(high), at(high + 1)]).toEqual([false, true, true, false]);
  });
});

describe('terraform/variables.tf: cross-checks (a caller must not give up before the callee is done)', () => {
  test.each([
    ['ack_deadline_seconds', ['send_timeout_ms', 'lock_wait_seconds', 'mysql_timeout_ms', 'publish_timeout_ms']],
    ['shutdown_grace_ms', ['send_timeout_ms']],
    ['request_timeout_seconds', ['ack_deadline_seconds']],
    ['concurrency', ['db_pool_size']],
    ['memory_mib', ['concurrency']],
    ['db_max_connections', ['db_pool_size', 'max_instances']],
    ['notifier_max_attempts', ['max_delivery_attempts']],
    ['maximum_backoff_seconds', ['minimum_backoff_seconds']],
    ['max_instances', ['min_instances']],
    ['message_retention_seconds', ['max_delivery_attempts', 'maximum_backoff_seconds', 'ack_deadline_seconds']],
    ['breaker_open_ms', ['breaker_failures', 'max_delivery_attempts', 'minimum_backoff_seconds']],
    ['twilio_account_sid', ['enabled_channels']],
    ['twilio_from', ['enabled_channels']],
    ['fcm_project_id', ['enabled_channels', 'project_id']],
    ['release_claim_timeout_ms', ['request_timeout_seconds']],
    ['api_audience', ['push_audience']],
  ])('when %s is validated, then a condition relates it to %j', (name, others) => {
    const cross = conditionsOf(name).filter((c) => others.every((o) => c.includes(`var.${o}`)));
    expect(cross).toHaveLength(1);
  });

  test('when the ack deadline covers the notifier budget plus the 5 s margin exactly, then the plan is accepted', () => {
    // 8000 + 1 * 1000 + 5000 + 5000 = 19000 ms of budget + 5000 ms margin = 24 s
    expect(failing({ ack_deadline_seconds: 24 })).toEqual([]);
  });

  test.each<[Record<string, number>, string, string]>([
    [{ ack_deadline_seconds: 23 }, 'ack_deadline_seconds', 'an ack deadline 1 s short of the budget'],
    [{ publish_timeout_ms: 45000 }, 'ack_deadline_seconds', 'a publish timeout the default ack deadline cannot cover'],
    [{ send_timeout_ms: 9000 }, 'shutdown_grace_ms', 'a send the SIGTERM drain cannot wait for'],
    [{ lock_wait_seconds: 30, mysql_timeout_ms: 30000 }, 'ack_deadline_seconds', 'lock and database waits beyond the ack deadline'],
    [{ ack_deadline_seconds: 600 }, 'request_timeout_seconds', 'Cloud Run cutting off requests Pub/Sub still waits for'],
    [{ concurrency: 11 }, 'concurrency', 'more in-flight deliveries than pooled connections'],
    [{ max_instances: 26 }, 'db_max_connections', 'pools at full scale exceeding MySQL connections'],
    [{ concurrency: 10, memory_mib: 512 }, 'memory_mib', 'ten pushes of 10 MB messages in less memory than they can hold'],
    [{ db_pool_size: 30, concurrency: 30, memory_mib: 2112 }, 'db_max_connections', 'bigger pools at full scale exceeding MySQL connections'],
    [{ notifier_max_attempts: 10 }, 'notifier_max_attempts', 'Pub/Sub dead-lettering before the notifier records why'],
    [{ minimum_backoff_seconds: 300, maximum_backoff_seconds: 200 }, 'maximum_backoff_seconds', 'a maximum backoff below the minimum'],
    [{ min_instances: 11 }, 'max_instances', 'more minimum than maximum instances'],
    [{ message_retention_seconds: 3600 }, 'message_retention_seconds', 'messages expiring before Pub/Sub dead-letters them'],
    [{ shutdown_grace_ms: 10000 }, 'shutdown_grace_ms', 'a drain longer than Cloud Run waits before SIGKILL'],
    [{ breaker_open_ms: 90000 }, 'breaker_open_ms', 'Pub/Sub dead-lettering refused messages before an open breaker probes'],
    [{ minimum_backoff_seconds: 0 }, 'breaker_open_ms', 'immediate redeliveries used up while a breaker is open'],
    [{ max_delivery_attempts: 6, minimum_backoff_seconds: 5, notifier_max_attempts: 5 }, 'breaker_open_ms', 'too few redeliveries to outlast an open breaker'],
  ])('when planning %j, then %s refuses it (%s)', (overrides, variable) => {
    expect(failing(overrides)).toEqual([variable]);
  });
});

describe('terraform/variables.tf: breakers and Pub/Sub retries', () => {
  test('when breakers are disabled, then the open time need not fit the retry sequence', () => {
    expect(failing({ breaker_failures: 0, minimum_backoff_seconds: 0 })).toEqual([]);
    expect(failing({ breaker_failures: 0, breaker_open_ms: 600000 })).toEqual([]);
  });

  test('when the retry sequence is longer, then a longer open time is accepted', () => {
    expect(failing({ breaker_open_ms: 600000, max_delivery_attempts: 100, minimum_backoff_seconds: 60, maximum_backoff_seconds: 600, message_retention_seconds: 2678400 })).toEqual([]);
  });

  test.each(['email_rate_limit', 'sms_rate_limit', 'push_rate_limit', 'slack_rate_limit', 'line_rate_limit', 'webhook_rate_limit', 'breaker_failures', 'breaker_open_ms'])(
    'when %s is not a whole number, then the plan refuses it (the notifier would not start)',
    (name) => {
      expect(failing({ [name]: 1000.5 })).toEqual([name]);
    },
  );
});

describe('terraform/variables.tf: channel settings, checked as the notifier checks them', () => {
  const SID = `AC${'0123456789abcdef'.repeat(2)}`;
  const sms = { enabled_channels: ['SMS'], twilio_account_sid: SID, twilio_from: '+14155550100' };

  /** Whether the notifier starts with this SMS/PUSH setting (the rest of its environment valid). */
  function notifierAccepts(env: Record<string, string>): boolean {
    const base = {
      MYSQL_URL: 'mysql://u:p@localhost/n', SMTP_URL: 'smtp://localhost:25', EMAIL_FROM: 'a@example.com',
      GOOGLE_CLOUD_PROJECT: 'my-project', DEAD_LETTER_TOPIC: 't', PUSH_AUTH: 'none',
    };
    try {
      loadConfig({ ...base, ...env });
      return true;
    } catch (err) {
      if (err instanceof ConfigError) return false;
      throw err;
    }
  }

  test('when no channel is enabled, then no channel setting is required', () => {
    expect(failing({ enabled_channels: [] })).toEqual([]);
  });

  test('when every channel is enabled with its settings, then the plan is accepted', () => {
    const all = { ...sms, enabled_channels: ['SMS', 'PUSH', 'SLACK', 'LINE', 'WEBHOOK'], slack_credentials: ['bot_token', 'webhook_url'] };
    expect(failing(all)).toEqual([]);
  });

  test.each<[Record<string, unknown>, string]>([
    [{ twilio_account_sid: '' }, 'twilio_account_sid'],
    [{ twilio_from: '' }, 'twilio_from'],
  ])('when SMS is enabled without %j, then %s refuses the plan', (overrides, variable) => {
    expect(failing({ ...sms, ...overrides })).toEqual([variable]);
  });

  test.each([
    SID, `AC${'A'.repeat(32)}`, `AC${'0'.repeat(31)}`, `AC${'0'.repeat(33)}`, `MG${'0'.repeat(32)}`, `ac${'0'.repeat(32)}`, `AC${'g'.repeat(32)}`,
  ])('when twilio_account_sid is %s, then Terraform and the notifier agree on it', (sid) => {
    const terraform = failing({ ...sms, twilio_account_sid: sid }).length === 0;
    expect(terraform).toBe(notifierAccepts({ TWILIO_ACCOUNT_SID: sid, TWILIO_AUTH_TOKEN: 't', TWILIO_FROM: '+14155550100' }));
  });

  test.each([
    '+14155550100', '+819012345678', '+1234567', '+123456', '+1234567890123456', '+0123456789', '14155550100', `MG${'0'.repeat(32)}`, `MG${'0'.repeat(31)}`, '+1 415 555 0100',
  ])('when twilio_from is %s, then Terraform and the notifier agree on it', (from) => {
    const terraform = failing({ ...sms, twilio_from: from }).length === 0;
    expect(terraform).toBe(notifierAccepts({ TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: 't', TWILIO_FROM: from }));
  });

  test.each(['my-firebase-app', 'abcdef', 'abcde', 'My-app', '1project', 'project-', `a${'b'.repeat(62)}`, `a${'b'.repeat(63)}`])(
    'when fcm_project_id is %s, then Terraform and the notifier agree on it',
    (id) => {
      const terraform = failing({ enabled_channels: ['PUSH'], fcm_project_id: id }).length === 0;
      expect(terraform).toBe(notifierAccepts({ FCM_PROJECT_ID: id }));
    },
  );

  test('when PUSH is enabled in a domain-scoped project, then fcm_project_id must name the Firebase project', () => {
    expect(failing({ enabled_channels: ['PUSH'], project_id: 'example.com:my-project' })).toEqual(['fcm_project_id']);
    expect(failing({ enabled_channels: ['PUSH'], project_id: 'example.com:my-project', fcm_project_id: 'my-project' })).toEqual([]);
    expect(failing({ enabled_channels: [], project_id: 'example.com:my-project' })).toEqual([]);
  });

  test('when webhook_allowed_hosts is validated, then its pattern takes host names, *. wildcards and :port, and nothing else', () => {
    const condition = (tf.variables.webhook_allowed_hosts.validation as { condition: string }[])[0].condition;
    const source = /regex\("((?:[^"\\]|\\.)*)", h\)/.exec(condition)![1].replace(/\\(.)/g, '$1');
    const pattern = new RegExp(source);
    for (const ok of ['hooks.example.com', '*.partner.example', 'localhost', 'a-b.example.co.jp', 'xn--bcher-kva.example', 'hooks.example.com:8443', '*.partner.example:443'])
      expect({ ok, match: pattern.test(ok) }).toEqual({ ok, match: true });
    for (const bad of ['https://hooks.example.com', 'hooks.example.com:', 'hooks.example.com:0', 'hooks.example.com:08443', 'hooks.example.com/path', 'a,b', '*.', '*', '-a.example', 'Hooks.Example.com', 'a..b', ''])
      expect({ bad, match: pattern.test(bad) }).toEqual({ bad, match: false });
  });

  test.each([
    ['', true],
    ['2026-12-08T09:00:00Z', true],
    ['2026-12-08T18:00:00.5+09:00', true],
    ['2026-12-08', false],
    ['2026-12-08T09:00:00', false],
    ['tomorrow', false],
  ])('when internal_unsigned_until is %j, then the plan accepts it: %s (the notifier reads it the same way)', (value, ok) => {
    expect(failing({ internal_unsigned_until: value })).toEqual(ok ? [] : ['internal_unsigned_until']);
  });

  test('when slack_credentials is validated, then it must name bot_token and/or webhook_url', () => {
    const condition = (tf.variables.slack_credentials.validation as { condition: string }[])[0].condition;
    expect(condition).toContain('length(var.slack_credentials) > 0');
    expect(condition).toContain('contains(["bot_token", "webhook_url"], c)');
    expect(tf.variables.slack_credentials.default).toEqual(['bot_token']);
  });
});
