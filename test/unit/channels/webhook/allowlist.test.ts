import { AllowlistEntryError, makeAllowlist, parseAllowlistEntry, portOf } from '../../../../src/channels/webhook/allowlist';

describe('parseAllowlistEntry', () => {
  test.each([
    ['hooks.example.com', { text: 'hooks.example.com', host: 'hooks.example.com', subdomains: false, port: undefined }],
    [' Hooks.Example.COM ', { text: 'hooks.example.com', host: 'hooks.example.com', subdomains: false, port: undefined }],
    ['hooks.example.com.', { text: 'hooks.example.com', host: 'hooks.example.com', subdomains: false, port: undefined }],
    ['*.example.com', { text: '*.example.com', host: 'example.com', subdomains: true, port: undefined }],
    ['hooks.example.com:8443', { text: 'hooks.example.com:8443', host: 'hooks.example.com', subdomains: false, port: 8443 }],
    ['*.Example.com:08443', { text: '*.example.com:8443', host: 'example.com', subdomains: true, port: 8443 }],
    ['hooks.example.com:443', { text: 'hooks.example.com:443', host: 'hooks.example.com', subdomains: false, port: 443 }],
    ['bücher.example', { text: 'xn--bcher-kva.example', host: 'xn--bcher-kva.example', subdomains: false, port: undefined }],
    ['localhost', { text: 'localhost', host: 'localhost', subdomains: false, port: undefined }],
    ['203.0.113.7:8080', { text: '203.0.113.7:8080', host: '203.0.113.7', subdomains: false, port: 8080 }],
    ['[2001:DB8:0::7]:8443', { text: '[2001:db8::7]:8443', host: '[2001:db8::7]', subdomains: false, port: 8443 }],
    ['[::ffff:127.0.0.1]', { text: '[::ffff:7f00:1]', host: '[::ffff:7f00:1]', subdomains: false, port: undefined }],
  ])('when the entry is %j, then it parses to the canonical %j', (raw, entry) => {
    expect(parseAllowlistEntry(raw)).toEqual(entry);
  });

  test.each([
    ['https://hooks.example.com', 'is not a host name'],
    ['hooks.example.com/path', 'is not a host name'],
    ['user@hooks.example.com', 'is not a host name'],
    ['hooks.example.com:', 'is not a host name'],
    ['hooks.example.com:https', 'is not a host name'],
    ['hooks.example.com:0', 'the port must be 1-65535'],
    ['hooks.example.com:65536', 'the port must be 1-65535'],
    ['hooks.example.com:123456', 'is not a host name'],
    ['2001:db8::7', 'is not a host name'],
    ['*.*.example.com', 'is not a host name'],
    ['a*b.example.com', 'is not a host name'],
    ['*.203.0.113.7', '*. takes a domain name'],
    ['hooks example.com', 'is not a host name'],
    ['-', 'is not a host name'],
  ])('when the entry is %j, then it is refused: %s', (raw, problem) => {
    expect(() => parseAllowlistEntry(raw)).toThrow(AllowlistEntryError);
    expect(() => parseAllowlistEntry(raw)).toThrow(problem);
  });
});

describe('portOf', () => {
  test.each([
    ['https://h/', 443],
    ['https://h:443/', 443],
    ['http://h/', 80],
    ['http://h:443/', 443],
    ['https://h:8443/', 8443],
  ])('when the URL is %s, then the port connected to is %i', (url, port) => {
    expect(portOf(new URL(url))).toBe(port);
  });
});

describe('makeAllowlist', () => {
  const list = ['hooks.example.com', '*.example.com', 'api.partner.example:8443', '*.partner.example', '127.0.0.1:9000'];
  const allowlist = makeAllowlist(list, { anyPortWhenEmpty: true });

  test.each([
    ['https://hooks.example.com/x', 'hooks.example.com'],
    ['https://HOOKS.example.com:443/x', 'hooks.example.com'],
    ['https://hooks.example.com./x', 'hooks.example.com'],
    ['http://hooks.example.com/x', 'hooks.example.com'],
    ['https://a.example.com/x', '*.example.com'],
    ['https://a.b.example.com/x', '*.example.com'],
    ['https://api.partner.example:8443/x', 'api.partner.example:8443'],
    ['https://api.partner.example/x', '*.partner.example'],
    ['http://127.0.0.1:9000/x', '127.0.0.1:9000'],
  ])('when the URL is %s, then the most specific admitting entry is %s', (url, entry) => {
    expect(allowlist.entryFor(new URL(url))?.text).toBe(entry);
    expect(allowlist.refusal(new URL(url))).toBeUndefined();
  });

  test.each([
    ['https://example.com/x', 'host not allowed'],
    ['https://badexample.com/x', 'host not allowed'],
    ['https://example.com.evil.net/x', 'host not allowed'],
    ['https://hooks.example.com:8443/x', 'port 8443 is not allowed for this host'],
    ['http://hooks.example.com:443/x', 'port 443 is not allowed for this host'],
    ['https://b.partner.example:8443/x', 'port 8443 is not allowed for this host'],
    ['http://127.0.0.1/x', 'port 80 is not allowed for this host'],
    ['http://127.0.0.1:9001/x', 'port 9001 is not allowed for this host'],
  ])('when the URL is %s, then it is refused: %s', (url, reason) => {
    expect(allowlist.entryFor(new URL(url))).toBeUndefined();
    expect(allowlist.refusal(new URL(url))).toBe(reason);
  });

  test('when there is no allowlist, then any host passes on the default port only, unless any port is allowed without one', () => {
    const strict = makeAllowlist([], { anyPortWhenEmpty: false });
    expect([strict.refusal(new URL('https://anything.net/')), strict.refusal(new URL('http://anything.net:80/'))]).toEqual([undefined, undefined]);
    expect(strict.refusal(new URL('https://anything.net:8443/'))).toMatch(/^port 8443 is not allowed/);
    expect(strict.refusal(new URL('https://anything.net:80/'))).toMatch(/^port 80 is not allowed/);
    expect(makeAllowlist([], { anyPortWhenEmpty: true }).refusal(new URL('http://127.0.0.1:41234/'))).toBeUndefined();
    expect(strict.entryFor(new URL('https://anything.net/'))).toBeUndefined();
  });

  test('when the allowlist is set, then allowing any port without one does not loosen it', () => {
    const loose = makeAllowlist(['localhost'], { anyPortWhenEmpty: true });
    expect(loose.refusal(new URL('http://localhost:41234/'))).toBe('port 41234 is not allowed for this host');
  });
});
