import { DEFAULT_TEMPLATES_DIR, loadCatalogue } from '../../../src/templates';
import { readManifest } from '../../../src/templates/manifest';
import { fixture } from './fixtures';

describe('readManifest', () => {
  test('when the shipped catalogue is read, then order.shipped@1 declares its variables', () => {
    expect(readManifest(DEFAULT_TEMPLATES_DIR).describe('order.shipped')).toEqual({
      version: 1,
      variables: { customerName: 'string', orderId: 'string', shippedAt: 'datetime', total: 'money', items: 'string[]', trackingUrl: 'url?' },
      channels: new Set(['EMAIL', 'SMS', 'PUSH', 'SLACK', 'LINE']),
    });
  });

  test('when it reads the shipped catalogue, then it agrees with the loaded catalogue on every version', () => {
    const manifest = readManifest(DEFAULT_TEMPLATES_DIR);
    for (const info of loadCatalogue(DEFAULT_TEMPLATES_DIR).list()) {
      expect(manifest.describe(info.id, info.version)).toEqual({ version: info.version, variables: info.variables, channels: new Set(info.channels.map((c) => c.channel)) });
    }
  });

  test('when version is 0 or absent, then the latest is described; an unknown id or version is undefined', () => {
    const manifest = readManifest(fixture('typed'));
    expect(manifest.describe('loop')?.version).toBe(2);
    expect(manifest.describe('loop', 0)?.version).toBe(2);
    expect(manifest.describe('loop', 1)).toMatchObject({ version: 1, variables: { count: 'integer' } });
    expect(manifest.describe('loop', 3)).toBeUndefined();
    expect(manifest.describe('nope')).toBeUndefined();
  });

  test('when a template.json is not JSON or declares an unknown type, then the error names the file', () => {
    expect(() => readManifest(fixture('bad-json'))).toThrow(/bad-json\/notice\/1\/template\.json: is not valid JSON$/);
    expect(() => readManifest(fixture('unknown-type'))).toThrow(/unknown-type\/notice\/1\/template\.json: variable name: "strng" is not a type/);
  });

  test('when the directory is missing, then the error names it', () => {
    expect(() => readManifest(fixture('no-such-catalogue'))).toThrow(/no-such-catalogue: cannot be read \(ENOENT\)$/);
  });
});
