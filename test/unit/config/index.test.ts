import { LOCAL_SIGNING_KEY } from '../../../src/codec/internal-attributes';
import { ConfigError, deliveryBudgetMs, loadConfig, loadLocalConfig, loadMigrateConfig, loadPublisherConfig, loadResolveConfig, LOCAL_PROVIDER_CREDENTIALS, LOCAL_SUPPRESSION_KEY } from '../../../src/config';
import { configError, required } from './support';

describe('loadConfig: defaults', () => {
  test('when only the required variables are set, then every other value has its default', () => {
    const config = loadConfig(required);
    expect(config).toMatchObject({
      nodeEnv: 'development',
      port: 8080,
      logLevel: 'info',
      mysql: { url: required.MYSQL_URL, poolSize: 10, lockWaitSeconds: 1, queryTimeoutMs: 5000 },
      smtp: { url: required.SMTP_URL, from: required.EMAIL_FROM, poolSize: 5 },
      push: { auth: 'none', audience: undefined, serviceAccount: undefined },
      pubsub: {
        projectId: 'notifier-test',
        emulatorHost: undefined,
        deadLetterTopic: 'notifications-dead-letter',
        poisonTopic: undefined,
        defaultEncoding: 'JSON',
        publishTimeoutMs: 5000,
      },
      delivery: { maxAttempts: 5, sendTimeoutMs: 8000, ackDeadlineSeconds: 60 },
      shutdownGraceMs: 9500,
    });
    expect([...config.delivery.resendSafeTypes]).toEqual([]);
  });

  test('when values are given, then they are parsed, trimmed and case-normalised', () => {
    const config = loadConfig({
      ...required,
      PORT: ' 9090 ',
      LOG_LEVEL: 'DEBUG',
      SCHEMA_ENCODING: 'binary',
      POISON_TOPIC: 'poison',
      PUBSUB_EMULATOR_HOST: 'localhost:8085',
      RESEND_SAFE_TYPES: ' a.b , c.d,,',
      MAX_ATTEMPTS: '3',
    });
    expect(config).toMatchObject({ port: 9090, logLevel: 'debug', delivery: { maxAttempts: 3 } });
    expect(config.pubsub).toMatchObject({ defaultEncoding: 'BINARY', poisonTopic: 'poison', emulatorHost: 'localhost:8085' });
    expect([...config.delivery.resendSafeTypes]).toEqual(['a.b', 'c.d']);
  });

  test('when a variable is blank, then it counts as unset', () => {
    expect(loadConfig({ ...required, PORT: '  ', POISON_TOPIC: '' })).toMatchObject({ port: 8080, pubsub: { poisonTopic: undefined } });
  });

  test('when loaded, then the config and its nested objects are frozen', () => {
    const config = loadConfig(required);
    expect(Object.isFrozen(config)).toBe(true);
    for (const part of [config.mysql, config.smtp, config.push, config.pubsub, config.delivery]) {
      expect(Object.isFrozen(part)).toBe(true);
    }
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
  });
});

describe('loadConfig: bad values name the variable', () => {
  test.each(['MYSQL_URL', 'SMTP_URL', 'EMAIL_FROM', 'GOOGLE_CLOUD_PROJECT', 'DEAD_LETTER_TOPIC'])(
    'when %s is missing, then a ConfigError names it',
    (name) => {
      const err = configError({ ...required, [name]: undefined });
      expect(err.variable).toBe(name);
      expect(err.message).toBe(`${name}: is required`);
    },
  );

  test.each([
    ['PORT', 'http'],
    ['PORT', '80.5'],
    ['PORT', '65536'],
    ['PORT', '-1'],
    ['LOG_LEVEL', 'verbose'],
    ['MYSQL_URL', 'not a url'],
    ['MYSQL_URL', 'postgres://db/notifier'],
    ['MYSQL_POOL_SIZE', '0'],
    ['MYSQL_POOL_SIZE', '101'],
    ['LOCK_WAIT_SECONDS', '31'],
    ['MYSQL_TIMEOUT_MS', '1999'],
    ['SMTP_URL', 'http://mail.example.com'],
    ['SMTP_POOL_SIZE', '0'],
    ['EMAIL_FROM', 'noreply'],
    ['EMAIL_FROM', 'Notifier <not an address>'],
    ['PUSH_AUTH', 'basic'],
    ['SCHEMA_ENCODING', 'XML'],
    ['PUBLISH_TIMEOUT_MS', '60001'],
    ['MAX_ATTEMPTS', '0'],
    ['MAX_ATTEMPTS', '100'],
    ['SEND_TIMEOUT_MS', '99'],
    ['SEND_TIMEOUT_MS', 'ten'],
    ['ACK_DEADLINE_SECONDS', '9'],
    ['ACK_DEADLINE_SECONDS', '601'],
    ['SHUTDOWN_GRACE_MS', '60001'],
    ['SHUTDOWN_GRACE_MS', '8999'],
  ])('when %s is %p, then a ConfigError names it', (name, value) => {
    const err = configError({ ...required, [name]: value });
    expect(err.variable).toBe(name);
    expect(err.message.startsWith(`${name}: `)).toBe(true);
  });
});

describe('loadConfig: push authentication', () => {
  test.each(['none', 'NONE'])('when PUSH_AUTH=%s and NODE_ENV=production, then it is refused naming PUSH_AUTH', (mode) => {
    const err = configError({ ...required, PUSH_AUTH: mode, NODE_ENV: 'production' });
    expect(err.variable).toBe('PUSH_AUTH');
    expect(err.message).toContain('PUSH_AUTH');
  });

  test('when PUSH_AUTH=none outside production, then it is accepted', () => {
    expect(loadConfig({ ...required, NODE_ENV: 'test' }).push.auth).toBe('none');
  });

  test('when PUSH_AUTH is unset, then oidc is the default and PUSH_AUDIENCE is required', () => {
    expect(configError({ ...required, PUSH_AUTH: undefined }).variable).toBe('PUSH_AUDIENCE');
  });

  test('when PUSH_AUTH=oidc without PUSH_SERVICE_ACCOUNT, then a ConfigError names PUSH_SERVICE_ACCOUNT', () => {
    const err = configError({ ...required, PUSH_AUTH: 'oidc', PUSH_AUDIENCE: 'https://n.example.com/pubsub/push' });
    expect(err.variable).toBe('PUSH_SERVICE_ACCOUNT');
  });

  test('when PUSH_AUTH=oidc with audience and service account, then production accepts it', () => {
    const config = loadConfig({
      ...required,
      NODE_ENV: 'production',
      INTERNAL_SIGNING_KEYS: 'k'.repeat(32),
      SUPPRESSION_KEY: 'h'.repeat(32),
      PUSH_AUTH: 'oidc',
      PUSH_AUDIENCE: 'https://n.example.com/pubsub/push',
      PUSH_SERVICE_ACCOUNT: 'push@p.iam.gserviceaccount.com',
    });
    expect(config.push).toEqual({
      auth: 'oidc',
      audience: 'https://n.example.com/pubsub/push',
      serviceAccount: 'push@p.iam.gserviceaccount.com',
    });
  });
});

describe('loadConfig: delivery budget against the ack deadline', () => {
  test('when defaults are used, then the budget is send + lock wait + query + publish', () => {
    expect(deliveryBudgetMs(loadConfig(required))).toBe(8000 + 1000 + 5000 + 5000);
  });

  test('when the budget equals the ack deadline, then a ConfigError names ACK_DEADLINE_SECONDS', () => {
    const err = configError({ ...required, ACK_DEADLINE_SECONDS: '19' });
    expect(err.variable).toBe('ACK_DEADLINE_SECONDS');
    expect(err.message).toContain('19000 ms');
  });

  test('when the budget is just below the ack deadline, then it is accepted', () => {
    expect(loadConfig({ ...required, ACK_DEADLINE_SECONDS: '20' }).delivery.ackDeadlineSeconds).toBe(20);
  });

  test('when SEND_TIMEOUT_MS alone exceeds the ack deadline, then a ConfigError names ACK_DEADLINE_SECONDS', () => {
    expect(configError({ ...required, SEND_TIMEOUT_MS: '55000', SHUTDOWN_GRACE_MS: '56000' }).variable).toBe('ACK_DEADLINE_SECONDS');
  });
});

describe('loadConfig: the shutdown grace covers the longest send', () => {
  test('when SHUTDOWN_GRACE_MS is below SEND_TIMEOUT_MS + 1000, then a ConfigError names it with the sum', () => {
    const err = configError({ ...required, SEND_TIMEOUT_MS: '5000', SHUTDOWN_GRACE_MS: '5999' });
    expect(err.variable).toBe('SHUTDOWN_GRACE_MS');
    expect(err.message).toContain('SEND_TIMEOUT_MS (5000) + 1000 ms to record its outcome = 6000 ms');
  });

  test('when SHUTDOWN_GRACE_MS is exactly SEND_TIMEOUT_MS + 1000, then it is accepted', () => {
    expect(loadConfig({ ...required, SEND_TIMEOUT_MS: '5000', SHUTDOWN_GRACE_MS: '6000' }).shutdownGraceMs).toBe(6000);
  });
});

describe('loadMigrateConfig', () => {
  test('when MYSQL_URL is set, then it is all that is needed', () => {
    expect(loadMigrateConfig({ MYSQL_URL: required.MYSQL_URL })).toEqual({ mysqlUrl: required.MYSQL_URL });
  });

  test('when MYSQL_URL is not mysql:, then a ConfigError names it', () => {
    expect(() => loadMigrateConfig({ MYSQL_URL: 'http://x' })).toThrow(new ConfigError('MYSQL_URL', 'must use mysql:, got http:'));
  });
});

describe('loadResolveConfig (notifier resolve)', () => {
  test('when nothing is set, then there is no ledger URL and MAX_REPLAYS is the notifier\'s own default', () => {
    expect(loadResolveConfig({})).toEqual({ maxReplays: loadConfig(required).delivery.maxReplays });
  });

  test('when --local and no MYSQL_URL, then the npm start database is the ledger; MYSQL_URL wins when set', () => {
    expect(loadResolveConfig({}, { local: true }).mysqlUrl).toBe('mysql://root@127.0.0.1:3306/notifier');
    expect(loadResolveConfig({ MYSQL_URL: 'mysql://u@db:3306/prod' }, { local: true }).mysqlUrl).toBe('mysql://u@db:3306/prod');
    expect(loadResolveConfig({ MYSQL_URL: 'mysql://u@db:3306/prod', MAX_REPLAYS: '7' })).toEqual({ mysqlUrl: 'mysql://u@db:3306/prod', maxReplays: 7 });
  });

  test('when MYSQL_URL or MAX_REPLAYS is malformed, then a ConfigError names it', () => {
    expect(() => loadResolveConfig({ MYSQL_URL: 'postgres://x/y' })).toThrow(new ConfigError('MYSQL_URL', 'must use mysql:, got postgres:'));
    expect(() => loadResolveConfig({ MAX_REPLAYS: 'many' })).toThrow('MAX_REPLAYS: must be an integer');
  });
});

describe('loadLocalConfig (npm start)', () => {
  const delivery = { MAX_ATTEMPTS: '4', ACK_DEADLINE_SECONDS: '90', SCHEMA_ENCODING: 'BINARY' };

  test('when nothing is set, then the local defaults, the Terraform-derived values and the mail catcher are used', () => {
    const { config, mailCatcher } = loadLocalConfig({}, delivery);
    expect(mailCatcher).toEqual({ smtpPort: 1025, uiPort: 1080 });
    expect(config.smtp.url).toBe('smtp://127.0.0.1:1025');
    expect(config.pubsub).toMatchObject({ projectId: 'notifier-local', emulatorHost: '127.0.0.1:8085', defaultEncoding: 'BINARY' });
    expect(config.delivery).toMatchObject({ maxAttempts: 4, ackDeadlineSeconds: 90 });
    expect(config.push.auth).toBe('none');
    // Authentication is off locally: the notifier listens on loopback only.
    expect(config.host).toBe('127.0.0.1');
  });

  test('when the service runs anywhere else, then it listens on every interface unless HOST says otherwise (Cloud Run requires it)', () => {
    expect(loadConfig(required).host).toBeUndefined();
    expect(loadConfig({ ...required, HOST: '10.0.0.5' }).host).toBe('10.0.0.5');
  });

  test('when the environment sets a value, then it wins over the Terraform-derived one', () => {
    expect(loadLocalConfig({ MAX_ATTEMPTS: '2' }, delivery).config.delivery.maxAttempts).toBe(2);
  });

  test('when the mail catcher ports are moved, then SMTP_URL follows them', () => {
    const local = loadLocalConfig({ LOCAL_MAIL_SMTP_PORT: '2025', LOCAL_MAIL_UI_PORT: '2080' });
    expect(local.mailCatcher).toEqual({ smtpPort: 2025, uiPort: 2080 });
    expect(local.config.smtp.url).toBe('smtp://127.0.0.1:2025');
  });

  test('when SMTP_URL names a server, then no mail catcher is started', () => {
    const local = loadLocalConfig({ SMTP_URL: 'smtp://mail.internal:25' });
    expect(local.mailCatcher).toBeUndefined();
    expect(local.config.smtp.url).toBe('smtp://mail.internal:25');
  });

  test('when a mail catcher port is not a port, then a ConfigError names it', () => {
    expect(() => loadLocalConfig({ LOCAL_MAIL_UI_PORT: '99999' })).toThrow(ConfigError);
  });

  test('when no channel credentials are set, then every channel is configured against the provider sandbox with the local credentials', () => {
    const { config, providerSandbox } = loadLocalConfig({}, delivery);
    const sandbox = 'http://127.0.0.1:1090';
    expect(providerSandbox).toEqual({ port: 1090, url: sandbox, channels: ['SMS', 'PUSH', 'SLACK', 'LINE', 'WEBHOOK'] });
    expect(config.channels).toEqual({
      sms: { baseUrl: sandbox, accountSid: LOCAL_PROVIDER_CREDENTIALS.twilioAccountSid, authToken: LOCAL_PROVIDER_CREDENTIALS.twilioAuthToken, from: LOCAL_PROVIDER_CREDENTIALS.twilioFrom },
      push: { baseUrl: sandbox, projectId: LOCAL_PROVIDER_CREDENTIALS.fcmProjectId },
      line: { baseUrl: sandbox, channelAccessToken: LOCAL_PROVIDER_CREDENTIALS.lineChannelAccessToken },
      slack: { baseUrl: `${sandbox}/api`, botToken: LOCAL_PROVIDER_CREDENTIALS.slackBotToken, webhookUrl: `${sandbox}${LOCAL_PROVIDER_CREDENTIALS.slackWebhookPath}` },
      webhook: { signingSecret: LOCAL_PROVIDER_CREDENTIALS.webhookSigningSecret, allowedHosts: [], allowPrivateNetworks: true, httpsOnly: false },
    });
  });

  test('when LOCAL_PROVIDERS_PORT moves the sandbox, then every sandbox URL follows it', () => {
    const { config, providerSandbox } = loadLocalConfig({ LOCAL_PROVIDERS_PORT: '2090' });
    expect(providerSandbox.url).toBe('http://127.0.0.1:2090');
    expect([config.channels.sms?.baseUrl, config.channels.push?.baseUrl, config.channels.line?.baseUrl, config.channels.slack?.baseUrl]).toEqual([
      'http://127.0.0.1:2090', 'http://127.0.0.1:2090', 'http://127.0.0.1:2090', 'http://127.0.0.1:2090/api',
    ]);
    expect(config.channels.slack?.webhookUrl).toMatch(/^http:\/\/127\.0\.0\.1:2090\/services\//);
  });

  test('when the sandbox port is not a port, then a ConfigError names LOCAL_PROVIDERS_PORT', () => {
    expect(() => loadLocalConfig({ LOCAL_PROVIDERS_PORT: '0' })).toThrow(/^LOCAL_PROVIDERS_PORT: /);
  });

  test('when a channel\'s credentials are set, then that channel is left to the environment and the others still go to the sandbox', () => {
    const sid = `AC${'ab'.repeat(16)}`;
    const { config, providerSandbox } = loadLocalConfig({ TWILIO_ACCOUNT_SID: sid, TWILIO_AUTH_TOKEN: 'real-token', TWILIO_FROM: '+15551234567', SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T/B/x' });
    expect(providerSandbox.channels).toEqual(['PUSH', 'LINE', 'WEBHOOK']);
    expect(config.channels.sms).toEqual({ baseUrl: 'https://api.twilio.com', accountSid: sid, authToken: 'real-token', from: '+15551234567' });
    expect(config.channels.slack).toEqual({ baseUrl: 'https://slack.com/api', botToken: undefined, webhookUrl: 'https://hooks.slack.com/services/T/B/x' });
  });

  test('when only part of a channel\'s credentials is set, then no local credential is mixed in and the channel stays unconfigured', () => {
    const { config, providerSandbox } = loadLocalConfig({ TWILIO_AUTH_TOKEN: 'real-token' });
    expect(providerSandbox.channels).not.toContain('SMS');
    expect(config.channels.sms).toBeUndefined();
  });

  test('when the environment sets a sandboxed channel\'s other variable, then it wins', () => {
    const { config } = loadLocalConfig({ TWILIO_FROM: `MG${'0'.repeat(32)}`, WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'false' });
    expect(config.channels.sms?.from).toBe(`MG${'0'.repeat(32)}`);
    expect(config.channels.webhook?.allowPrivateNetworks).toBe(false);
  });
});

describe('loadPublisherConfig (the notifier CLI)', () => {
  test('when nothing is set, then the topic is notifications, JSON, with no project', () => {
    expect(loadPublisherConfig({})).toEqual({ projectId: undefined, topic: 'notifications', encoding: 'JSON', emulatorHost: undefined });
  });

  test('when variables are set, then they are used', () => {
    expect(
      loadPublisherConfig({ GOOGLE_CLOUD_PROJECT: 'p', NOTIFIER_TOPIC: 't', SCHEMA_ENCODING: 'binary', PUBSUB_EMULATOR_HOST: 'h:1' }),
    ).toEqual({ projectId: 'p', topic: 't', encoding: 'BINARY', emulatorHost: 'h:1', signingKey: LOCAL_SIGNING_KEY });
  });
});

describe('loadConfig: INTERNAL_SIGNING_KEYS', () => {
  const production = { ...required, NODE_ENV: 'production', SUPPRESSION_KEY: 'h'.repeat(32), PUSH_AUTH: 'oidc', PUSH_AUDIENCE: 'a', PUSH_SERVICE_ACCOUNT: 'push@p.iam.gserviceaccount.com' };

  test('when production has no signing key, then the notifier refuses to start, naming the variable', () => {
    expect(configError(production)).toMatchObject({ variable: 'INTERNAL_SIGNING_KEYS', message: expect.stringContaining('is required') });
  });

  test('when a key is shorter than 32 characters, then it is refused', () => {
    expect(configError({ ...production, INTERNAL_SIGNING_KEYS: `${'k'.repeat(32)},short` }).variable).toBe('INTERNAL_SIGNING_KEYS');
  });

  test('when two keys are given, then both are kept in order (the first signs)', () => {
    const keys = ['a'.repeat(32), 'b'.repeat(40)];
    expect(loadConfig({ ...production, INTERNAL_SIGNING_KEYS: keys.join(', ') }).pubsub.signingKeys).toEqual(keys);
  });

  test('when INTERNAL_UNSIGNED_UNTIL is an instant with a zone, then it is kept as epoch ms; unset, there is none', () => {
    expect(loadConfig({ ...required, INTERNAL_UNSIGNED_UNTIL: '2026-12-08T09:00:00Z' }).pubsub.unsignedUntilMs).toBe(Date.parse('2026-12-08T09:00:00Z'));
    expect(loadConfig({ ...required, INTERNAL_UNSIGNED_UNTIL: '' }).pubsub.unsignedUntilMs).toBeUndefined();
  });

  test.each(['2026-12-08', '2026-12-08T09:00:00', 'tomorrow', '2026-13-40T99:00:00Z'])('when INTERNAL_UNSIGNED_UNTIL is %j, then start-up fails naming it', (value) => {
    expect(configError({ ...required, INTERNAL_UNSIGNED_UNTIL: value }).variable).toBe('INTERNAL_UNSIGNED_UNTIL');
  });

  test('when outside production no key is set, then the local key is used', () => {
    expect(loadConfig(required).pubsub.signingKeys).toEqual([LOCAL_SIGNING_KEY]);
  });
});

describe('loadConfig: MAX_REPLAYS', () => {
  test('when MAX_REPLAYS is not set, then 3 replays may reopen a failed notification', () => {
    expect(loadConfig(required).delivery.maxReplays).toBe(3);
  });

  test.each([
    ['0', 0],
    ['100', 100],
    [' 7 ', 7],
  ])('when MAX_REPLAYS is "%s", then it is %i', (raw, expected) => {
    expect(loadConfig({ ...required, MAX_REPLAYS: raw }).delivery.maxReplays).toBe(expected);
  });

  test.each(['-1', '101', 'three', '1.5'])('when MAX_REPLAYS is "%s", then a ConfigError names MAX_REPLAYS', (raw) => {
    expect(configError({ ...required, MAX_REPLAYS: raw }).variable).toBe('MAX_REPLAYS');
  });
});

describe('loadConfig: SUPPRESSION_KEY', () => {
  const production = { ...required, NODE_ENV: 'production', INTERNAL_SIGNING_KEYS: 'k'.repeat(32), PUSH_AUTH: 'oidc', PUSH_AUDIENCE: 'a', PUSH_SERVICE_ACCOUNT: 'push@p.iam.gserviceaccount.com' };

  test('when production has no suppression key, then the notifier refuses to start, naming the variable', () => {
    expect(configError(production)).toMatchObject({ variable: 'SUPPRESSION_KEY', message: expect.stringContaining('is required') });
  });

  test('when the key is shorter than 32 characters, then it is refused', () => {
    expect(configError({ ...production, SUPPRESSION_KEY: 'short' }).variable).toBe('SUPPRESSION_KEY');
  });

  test('when it is unset outside production, then the fixed local key is used', () => {
    expect(loadConfig(required).suppressionKey).toBe(LOCAL_SUPPRESSION_KEY);
  });
});
