import { topologyNames } from '../../../src/local/topology';
import { createServer, Server } from 'node:net';
import { createPubSubClient, requireSigningKey, resolveConnection, withClient } from '../../../src/cli/connection';
import { LOCAL_SIGNING_KEY } from '../../../src/codec/internal-attributes';
import { ConfigError } from '../../../src/config';
import { fakePubSub } from './fakes';

describe('resolveConnection', () => {
  it('when neither flag nor environment names a project, then the error says how to give one', () => {
    expect(() => resolveConnection({}, {})).toThrow(
      'no project: pass --project, set GOOGLE_CLOUD_PROJECT, or use --local for the npm start pipeline',
    );
  });

  it('when only the environment is set, then it decides', () => {
    const env = { GOOGLE_CLOUD_PROJECT: 'p', NOTIFIER_TOPIC: 't', SCHEMA_ENCODING: 'BINARY', PUBSUB_EMULATOR_HOST: 'h:1' };
    expect(resolveConnection({}, env)).toEqual({ projectId: 'p', topic: 't', encoding: 'BINARY', emulatorHost: 'h:1', signingKey: LOCAL_SIGNING_KEY });
  });

  it('when flags are given, then they win over the environment', () => {
    const env = { GOOGLE_CLOUD_PROJECT: 'p', NOTIFIER_TOPIC: 't', SCHEMA_ENCODING: 'BINARY' };
    const flags = { project: 'q', topic: 'u', encoding: 'json', source: 'ops' };
    expect(resolveConnection(flags, env)).toEqual({ projectId: 'q', topic: 'u', encoding: 'JSON', source: 'ops' });
  });

  it('when --local is given, then the npm start pipeline is used: its project, emulator, topic and events topic', () => {
    expect(resolveConnection({ local: true }, { NOTIFIER_TOPIC: 'prod-topic' })).toEqual({
      projectId: 'notifier-local',
      topic: 'notifications',
      encoding: 'JSON',
      emulatorHost: '127.0.0.1:8085',
      signingKey: LOCAL_SIGNING_KEY,
      eventsTopic: topologyNames().eventsTopic,
    });
  });

  it('when EVENTS_TOPIC is set, then commands know the events topic; unset, they publish no events', () => {
    expect(resolveConnection({}, { GOOGLE_CLOUD_PROJECT: 'p', EVENTS_TOPIC: 'notification-events' }).eventsTopic).toBe('notification-events');
    expect(resolveConnection({}, { GOOGLE_CLOUD_PROJECT: 'p' }).eventsTopic).toBeUndefined();
  });

  it('when replays would reach real Pub/Sub, then only INTERNAL_SIGNING_KEYS gives them a key, and without one they are refused naming it', () => {
    const env = { GOOGLE_CLOUD_PROJECT: 'p' };
    expect(resolveConnection({}, env).signingKey).toBeUndefined();
    expect(() => requireSigningKey(resolveConnection({}, env), 'notifier replay')).toThrow(/notifier replay needs INTERNAL_SIGNING_KEYS/);
    const key = 'k'.repeat(32);
    expect(resolveConnection({}, { ...env, INTERNAL_SIGNING_KEYS: `${key},${'o'.repeat(32)}` }).signingKey).toBe(key);
    expect(() => resolveConnection({}, { ...env, INTERNAL_SIGNING_KEYS: 'short' })).toThrow(ConfigError);
  });

  it('when --local is given and the environment moves the project or emulator, then it follows them as npm start does', () => {
    const env = { GOOGLE_CLOUD_PROJECT: 'mine', PUBSUB_EMULATOR_HOST: '127.0.0.1:9999' };
    expect(resolveConnection({ local: true }, env)).toMatchObject({ projectId: 'mine', emulatorHost: '127.0.0.1:9999' });
  });

  it('when --local is combined with flags, then the flags still win', () => {
    expect(resolveConnection({ local: true, topic: 'other', encoding: 'BINARY' }, {})).toMatchObject({
      topic: 'other',
      encoding: 'BINARY',
      emulatorHost: '127.0.0.1:8085',
    });
  });

  it('when --encoding is neither JSON nor BINARY, then the error names the flag', () => {
    expect(() => resolveConnection({ project: 'p', encoding: 'XML' }, {})).toThrow('--encoding: must be JSON or BINARY, got "XML"');
  });

  it('when SCHEMA_ENCODING is malformed, then the ConfigError names the variable', () => {
    expect(() => resolveConnection({}, { GOOGLE_CLOUD_PROJECT: 'p', SCHEMA_ENCODING: 'XML' })).toThrow(ConfigError);
  });
});

describe('withClient', () => {
  const connection = { projectId: 'p', topic: 't', encoding: 'JSON' as const };

  it('when the work succeeds, then its result is returned and the client closed', async () => {
    const fake = fakePubSub();
    await expect(withClient(fake.createClient, connection, async () => 42)).resolves.toBe(42);
    expect(fake.closed()).toBe(1);
  });

  it('when the work fails, then the client is closed and the work error is thrown, not the close error', async () => {
    const failingClose = () => ({ ...fakePubSub().createClient(connection), close: () => Promise.reject(new Error('close failed')) });
    await expect(
      withClient(failingClose, connection, async () => {
        throw new Error('work failed');
      }),
    ).rejects.toThrow('work failed');
  });
});

/** `127.0.0.1:<port>` where nothing listens (a port just released). */
async function unusedHost(): Promise<string> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return `127.0.0.1:${port}`;
}

describe('createPubSubClient', () => {
  it('when something listens that is not a Pub/Sub emulator, then it fails at once with the same hint', async () => {
    const server: Server = createServer((socket) => socket.destroy());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const host = `127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      await expect(createPubSubClient({ projectId: 'p', topic: 't', encoding: 'JSON', emulatorHost: host })).rejects.toThrow(
        `no Pub/Sub emulator answers at ${host}`,
      );
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('when the emulator named does not answer, then it fails at once with a hint, before any publish', async () => {
    const host = await unusedHost();
    await expect(createPubSubClient({ projectId: 'p', topic: 't', encoding: 'JSON', emulatorHost: host })).rejects.toThrow(
      `no Pub/Sub emulator answers at ${host}: is it running? (npm start runs the local pipeline)`,
    );
  });
});
