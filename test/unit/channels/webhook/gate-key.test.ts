import { makeAllowlist } from '../../../../src/channels/webhook/allowlist';
import { COUNTRY_SECOND_LEVELS, siteOf, webhookGateKey } from '../../../../src/channels/webhook/gate-key';

describe('siteOf: the registrable domain, approximated', () => {
  test.each([
    ['example.com', 'example.com'],
    ['hooks.example.com', 'example.com'],
    ['a.b.c.example.com', 'example.com'],
    ['HOOKS.Example.com.', 'example.com'],
    ['localhost', 'localhost'],
    ['hooks.example.co.uk', 'example.co.uk'],
    ['a.b.example.com.au', 'example.com.au'],
    ['co.uk', 'co.uk'],
    ['hooks.example.io', 'example.io'],
    ['tenant-a.github.io', 'github.io'],
    ['svc-123-uc.a.run.app', 'run.app'],
    ['xn--bcher-kva.example', 'xn--bcher-kva.example'],
    ['203.0.113.7', '203.0.113.7'],
    ['[2001:db8::7]', '[2001:db8::7]'],
  ])('when the host is %s, then the site is %s', (host, site) => {
    expect(siteOf(host)).toBe(site);
  });

  test.each([...COUNTRY_SECOND_LEVELS])('when a host is under the country second level %s, then the site keeps three labels under a country code', (level) => {
    expect(siteOf(`a.b.example.${level}.jp`)).toBe(`example.${level}.jp`);
    // Under a generic TLD the same label is an ordinary domain.
    expect(siteOf(`a.example.${level}.app`)).toBe(`${level}.app`);
  });
});

describe('webhookGateKey', () => {
  const key = (url: string, entries: string[]) => webhookGateKey(new URL(url), makeAllowlist(entries, { anyPortWhenEmpty: true }));

  test.each([
    ['https://a.example.com/x', '*.example.com'],
    ['https://b.c.example.com/y', '*.example.com'],
    ['https://hooks.example.com/z', 'hooks.example.com'],
    ['https://hooks.example.com:8443/z', 'hooks.example.com:8443'],
  ])('when an allowlist entry admits %s, then the key is the entry %s', (url, expected) => {
    expect(key(url, ['*.example.com', 'hooks.example.com', 'hooks.example.com:8443'])).toBe(expected);
  });

  test('when no entry admits the URL, then its site is the key under a prefix no entry can have', () => {
    expect(key('https://a.example.com/x', ['example.com'])).toBe('not-allowed example.com');
    expect(key('https://example.com:8443/x', ['example.com'])).toBe('not-allowed example.com:8443');
  });

  test.each([
    ['https://a.example.com/x', 'example.com'],
    ['http://b.example.com/x', 'example.com'],
    ['https://a.example.com:8443/x', 'example.com:8443'],
    ['http://127.0.0.1:41234/x', '127.0.0.1:41234'],
    ['https://[2001:db8::7]/x', '[2001:db8::7]'],
  ])('when there is no allowlist and the URL is %s, then the key is the site %s', (url, expected) => {
    expect(key(url, [])).toBe(expected);
  });
});
