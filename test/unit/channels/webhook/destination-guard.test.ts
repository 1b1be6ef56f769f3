import type { LookupAddress, LookupOptions } from 'node:dns';
import { BLOCKED_IPV4, BLOCKED_IPV6, blockedAddressKind, makeDestinationGuard, Resolve } from '../../../../src/channels/webhook/destination-guard';
import { PermanentError } from '../../../../src/delivery/failures';

// Address arithmetic written here independently of the guard, to find each range's ends.
const v4ToInt = (a: string) => a.split('.').reduce((n, o) => n * 256 + Number(o), 0);
const intToV4 = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

function v6ToBigInt(address: string): bigint {
  const [head, tail = ''] = address.split('::');
  const groups = (part: string) => (part ? part.split(':') : []);
  const missing = 8 - groups(head!).length - groups(tail).length;
  const all = address.includes('::') ? [...groups(head!), ...Array(missing).fill('0'), ...groups(tail)] : groups(head!);
  return all.reduce((n, g) => (n << 16n) | BigInt(parseInt(g, 16)), 0n);
}
const bigIntToV6 = (n: bigint) => Array.from({ length: 8 }, (_, i) => ((n >> BigInt(112 - 16 * i)) & 0xffffn).toString(16)).join(':');

function ends(cidr: string): [string, string] {
  const [net, bits] = cidr.split('/') as [string, string];
  if (net.includes(':')) {
    const first = v6ToBigInt(net);
    return [bigIntToV6(first), bigIntToV6(first | ((1n << BigInt(128 - Number(bits))) - 1n))];
  }
  const first = v4ToInt(net);
  return [intToV4(first), intToV4(first + 2 ** (32 - Number(bits)) - 1)];
}

const hex = (a: string) => a.split('.').map(Number);
const sixToFour = (a: string) => {
  const [w, x, y, z] = hex(a) as [number, number, number, number];
  return `2002:${((w << 8) | x).toString(16)}:${((y << 8) | z).toString(16)}::1`;
};

describe('the blocked address table', () => {
  test.each(BLOCKED_IPV4.map((r) => [r.cidr, r.kind]))('when an address is in %s, then it is refused as %s, in every IPv6 form too', (cidr, kind) => {
    for (const address of ends(cidr)) {
      expect(blockedAddressKind(address)).toBe(kind);
      expect(blockedAddressKind(`::ffff:${address}`)).toBe(kind);
      expect(blockedAddressKind(`64:ff9b::${address}`)).toBe(kind);
      expect(blockedAddressKind(sixToFour(address))).toBe(kind);
    }
  });

  test.each(BLOCKED_IPV6.map((r) => [r.cidr, r.kind]))('when an address is in %s, then it is refused as %s', (cidr, kind) => {
    for (const address of ends(cidr)) expect(blockedAddressKind(address)).toBe(kind);
  });

  test.each([
    ['127.0.0.1', 'loopback'],
    ['::1', 'unspecified'],
    ['::', 'unspecified'],
    ['0.0.0.0', 'unspecified'],
    ['::127.0.0.1', 'unspecified'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['255.255.255.255', 'reserved'],
    ['fd00:ec2::254', 'private'],
    ['FE80::1', 'link-local'],
  ])('when the address is %s, then it is refused as %s', (address, kind) => {
    expect(blockedAddressKind(address)).toBe(kind);
  });

  test.each([
    '8.8.8.8',
    '1.1.1.1',
    '9.255.255.255',
    '11.0.0.0',
    '100.63.255.255',
    '100.128.0.0',
    '172.15.255.255',
    '172.32.0.0',
    '169.253.255.255',
    '198.17.255.255',
    '198.20.0.0',
    '223.255.255.255',
    '2606:4700:4700::1111',
    '2a00:1450:4001::200e',
    '::ffff:8.8.8.8',
    '64:ff9b::8.8.8.8',
    '2002:808:808::1',
  ])('when the address is the public %s, then it is allowed', (address) => {
    expect(blockedAddressKind(address)).toBeUndefined();
  });

  test('when the value is not an IP address, then it is refused', () => {
    expect(blockedAddressKind('localhost')).toBe('not an IP address');
  });
});

const refusedWith = (reason: string) => expect.objectContaining({ code: 'DESTINATION_NOT_ALLOWED', message: expect.stringContaining(reason) });
const guardOf = (opts: Partial<Parameters<typeof makeDestinationGuard>[0]> = {}) =>
  makeDestinationGuard({ allowedHosts: [], allowPrivateNetworks: false, httpsOnly: false, ...opts });

describe('makeDestinationGuard: check', () => {
  test('when https only and the URL is http, then it is refused without the path', () => {
    const check = () => guardOf({ httpsOnly: true }).check(new URL('http://hooks.example.com/secret-token'));
    expect(check).toThrow(PermanentError);
    expect(check).toThrow(refusedWith('https is required'));
    expect(check).toThrow(expect.objectContaining({ message: expect.not.stringContaining('secret-token') }));
  });

  test('when https only and the URL is https, then it passes', () => {
    expect(() => guardOf({ httpsOnly: true }).check(new URL('https://hooks.example.com/x'))).not.toThrow();
  });

  test('when the scheme is neither http nor https, then it is refused', () => {
    expect(() => guardOf().check(new URL('ftp://hooks.example.com/x'))).toThrow(refusedWith('https is required'));
  });

  test('when the host is not on the allowlist, then it is refused as host not allowed', () => {
    const guard = guardOf({ allowedHosts: ['*.example.com'] });
    expect(() => guard.check(new URL('https://example.com/x'))).toThrow(refusedWith('host not allowed'));
    expect(() => guard.check(new URL('https://a.example.com/x'))).not.toThrow();
  });

  test.each(['http://127.0.0.1/', 'http://[::1]/', 'http://[::ffff:127.0.0.1]/', 'http://2130706433/', 'http://0x7f.1/', 'http://10.0.0.1/'])(
    'when the host is the IP literal in %s, then it is refused as a private address',
    (url) => {
      expect(() => guardOf().check(new URL(url))).toThrow(refusedWith('a private address'));
    },
  );

  test('when private networks are allowed, then an IP-literal loopback host passes', () => {
    expect(() => guardOf({ allowPrivateNetworks: true }).check(new URL('http://127.0.0.1:8080/'))).not.toThrow();
  });

  test('when an allowlisted host is an IP literal of a private address, then it is still refused', () => {
    expect(() => guardOf({ allowedHosts: ['127.0.0.1:8080'] }).check(new URL('http://127.0.0.1:8080/'))).toThrow(refusedWith('a private address'));
  });
});

describe('makeDestinationGuard: ports', () => {
  const production = { httpsOnly: true, allowPrivateNetworks: false };

  test.each(['https://hooks.example.com/x', 'https://hooks.example.com:443/x'])('when in production without an allowlist the URL is %s (port 443), then it passes', (url) => {
    expect(() => guardOf(production).check(new URL(url))).not.toThrow();
  });

  test.each([
    ['https://hooks.example.com:8443/x', 'port 8443 is not allowed'],
    ['https://hooks.example.com:80/x', 'port 80 is not allowed'],
    ['https://hooks.example.com:25/x', 'port 25 is not allowed'],
    ['http://hooks.example.com/x', 'https is required'],
  ])('when in production without an allowlist the URL is %s, then it is refused: %s, without the path', (url, reason) => {
    const check = () => guardOf(production).check(new URL(url));
    expect(check).toThrow(refusedWith(reason));
    expect(check).toThrow(expect.objectContaining({ message: expect.not.stringContaining('/x') }));
  });

  test('when in production the allowlist names a port, then that port passes and the default one does not for that entry', () => {
    const guard = guardOf({ ...production, allowedHosts: ['hooks.example.com:8443'] });
    expect(() => guard.check(new URL('https://hooks.example.com:8443/x'))).not.toThrow();
    expect(() => guard.check(new URL('https://hooks.example.com/x'))).toThrow(refusedWith('port 443 is not allowed for this host'));
    expect(() => guard.check(new URL('https://hooks.example.com:9443/x'))).toThrow(refusedWith('port 9443 is not allowed for this host'));
  });

  test('when outside production with private networks refused, then http on port 80 passes and other ports are refused', () => {
    const guard = guardOf();
    expect(() => guard.check(new URL('http://hooks.example.com/x'))).not.toThrow();
    expect(() => guard.check(new URL('http://hooks.example.com:8080/x'))).toThrow(refusedWith('port 8080 is not allowed'));
  });

  test('when private networks are allowed (local development), then any port passes without an allowlist, and only named ports with one', () => {
    expect(() => guardOf({ allowPrivateNetworks: true }).check(new URL('http://localhost:41234/x'))).not.toThrow();
    const listed = guardOf({ allowPrivateNetworks: true, allowedHosts: ['localhost:41234'] });
    expect(() => listed.check(new URL('http://localhost:41234/x'))).not.toThrow();
    expect(() => listed.check(new URL('http://localhost:41235/x'))).toThrow(refusedWith('port 41235 is not allowed for this host'));
  });
});

describe('makeDestinationGuard: gateKey', () => {
  test('when an allowlist is set, then subdomains admitted by one wildcard entry share its key', () => {
    const guard = guardOf({ allowedHosts: ['*.example.com', 'hooks.partner.example:8443'] });
    expect(guard.gateKey(new URL('https://a.example.com/x'))).toBe('*.example.com');
    expect(guard.gateKey(new URL('https://b.c.example.com/y'))).toBe('*.example.com');
    expect(guard.gateKey(new URL('https://hooks.partner.example:8443/'))).toBe('hooks.partner.example:8443');
  });

  test('when there is no allowlist, then subdomains of one site share the site as key', () => {
    const guard = guardOf();
    expect(guard.gateKey(new URL('https://a.example.com/x'))).toBe('example.com');
    expect(guard.gateKey(new URL('https://b.c.example.com/y'))).toBe('example.com');
  });
});

type LookupResult = { err: NodeJS.ErrnoException | null; address: string | LookupAddress[]; family?: number };
function lookupWith(resolve: Resolve, allowPrivateNetworks: boolean, options: LookupOptions): Promise<LookupResult> {
  const guard = guardOf({ resolve, allowPrivateNetworks });
  return new Promise((done) => guard.lookup('hooks.example.com', options, (err, address, family) => done({ err, address, family })));
}

describe('makeDestinationGuard: lookup', () => {
  const answers = (...addresses: string[]): Resolve => async () => addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

  test('when the name resolves to a private address, then the lookup fails with DESTINATION_NOT_ALLOWED', async () => {
    const { err } = await lookupWith(answers('10.1.2.3'), false, { all: true });
    expect(err).toBeInstanceOf(PermanentError);
    expect(err).toEqual(refusedWith('a private address (private)'));
  });

  test('when the name resolves to one public and one private address, then the lookup fails', async () => {
    const { err } = await lookupWith(answers('93.184.215.14', '127.0.0.1'), false, { all: true });
    expect(err).toEqual(refusedWith('a private address (loopback)'));
  });

  test('when every address is public, then the lookup answers with exactly the checked addresses', async () => {
    const result = await lookupWith(answers('93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'), false, { all: true });
    expect(result.err).toBeNull();
    expect(result.address).toEqual([
      { address: '93.184.215.14', family: 4 },
      { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 },
    ]);
  });

  test('when one address of a family is asked for, then the first checked one of that family is answered', async () => {
    const result = await lookupWith(answers('93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'), false, { family: 6 });
    expect(result).toEqual({ err: null, address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 });
  });

  test('when private networks are allowed, then a private answer is returned', async () => {
    expect(await lookupWith(answers('10.1.2.3'), true, {})).toEqual({ err: null, address: '10.1.2.3', family: 4 });
  });

  test('when the name does not resolve, then the resolver error is passed on', async () => {
    const notFound = Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    const { err } = await lookupWith(() => Promise.reject(notFound), false, { all: true });
    expect(err).toBe(notFound);
  });

  test('when the resolver answers nothing, then the lookup fails with ENOTFOUND', async () => {
    const { err } = await lookupWith(answers(), false, { all: true });
    expect(err).toMatchObject({ code: 'ENOTFOUND' });
  });
});
