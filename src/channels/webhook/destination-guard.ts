import { promises as dns } from 'node:dns';
import { BlockList, isIP, LookupFunction } from 'node:net';
import { PermanentError } from '../../delivery/failures';
import { makeAllowlist } from './allowlist';
import { webhookGateKey } from './gate-key';

/**
 * Where a webhook may go (SSRF protection). Producers choose webhook URLs, so a URL must
 * not reach the service's own network: loopback, private ranges, the metadata server.
 * The guard refuses before any connection, and the `lookup` it hands to the HTTP call
 * checks every address a name resolves to and returns those checked addresses, so the
 * connection goes where the check looked (a second DNS answer cannot rebind it). Ports are
 * restricted too (webhook-allowlist.ts): the scheme's default unless an allowlist entry names
 * another, so a webhook cannot be aimed at a mail, database or admin port of a public host.
 */

/** One range no webhook may reach unless private networks are allowed. */
export interface BlockedRange {
  cidr: string;
  /** Why, as it appears in a refusal. */
  kind: 'loopback' | 'private' | 'link-local' | 'unspecified' | 'shared (CGNAT)' | 'multicast' | 'reserved';
}

/**
 * IPv4: every block the IANA IPv4 Special-Purpose Address Registry marks not globally
 * reachable, plus multicast. Their IPv4-mapped (::ffff:0:0/96), NAT64 (64:ff9b::/96) and
 * 6to4 (2002::/16) IPv6 forms are refused with them.
 */
export const BLOCKED_IPV4: readonly BlockedRange[] = [
  { cidr: '0.0.0.0/8', kind: 'unspecified' }, // "this network"
  { cidr: '10.0.0.0/8', kind: 'private' },
  { cidr: '100.64.0.0/10', kind: 'shared (CGNAT)' },
  { cidr: '127.0.0.0/8', kind: 'loopback' },
  { cidr: '169.254.0.0/16', kind: 'link-local' }, // includes the metadata server 169.254.169.254
  { cidr: '172.16.0.0/12', kind: 'private' },
  { cidr: '192.0.0.0/24', kind: 'reserved' }, // IETF protocol assignments
  { cidr: '192.0.2.0/24', kind: 'reserved' }, // documentation (TEST-NET-1)
  { cidr: '192.168.0.0/16', kind: 'private' },
  { cidr: '198.18.0.0/15', kind: 'reserved' }, // benchmarking
  { cidr: '198.51.100.0/24', kind: 'reserved' }, // documentation (TEST-NET-2)
  { cidr: '203.0.113.0/24', kind: 'reserved' }, // documentation (TEST-NET-3)
  { cidr: '224.0.0.0/4', kind: 'multicast' },
  { cidr: '240.0.0.0/4', kind: 'reserved' }, // future use; its last address is the limited broadcast
];

/** IPv6: the IANA IPv6 Special-Purpose blocks not globally reachable, plus multicast. */
export const BLOCKED_IPV6: readonly BlockedRange[] = [
  { cidr: '::/96', kind: 'unspecified' }, // ::, ::1 and the deprecated IPv4-compatible form ::a.b.c.d
  { cidr: '64:ff9b:1::/48', kind: 'reserved' }, // local-use NAT64: translates into the local network
  { cidr: '100::/64', kind: 'reserved' }, // discard-only
  { cidr: '2001::/23', kind: 'reserved' }, // IETF protocol assignments (Teredo, benchmarking, ORCHID)
  { cidr: '2001:db8::/32', kind: 'reserved' }, // documentation
  { cidr: '3fff::/20', kind: 'reserved' }, // documentation
  { cidr: '5f00::/16', kind: 'reserved' }, // segment routing SIDs
  { cidr: 'fc00::/7', kind: 'private' }, // unique local
  { cidr: 'fe80::/10', kind: 'link-local' },
  { cidr: 'fec0::/10', kind: 'private' }, // deprecated site-local
  { cidr: 'ff00::/8', kind: 'multicast' },
];

/** IPv6 prefixes (/96 or 6to4's /16) that carry an IPv4 address a connection ends up at. */
const EMBEDDINGS: readonly ((v4: number[]) => string)[] = [
  (v4) => `::ffff:${v4.join('.')}`,
  (v4) => `64:ff9b::${v4.join('.')}`,
];
// 6to4 (2002:AABB:CCDD::/48) carries the IPv4 address in hex right after its 16-bit prefix.
const hex16 = (hi: number, lo: number) => ((hi << 8) | lo).toString(16);

function buildBlockLists(): Map<BlockedRange['kind'], BlockList> {
  const lists = new Map<BlockedRange['kind'], BlockList>();
  const listFor = (kind: BlockedRange['kind']) => lists.get(kind) ?? lists.set(kind, new BlockList()).get(kind)!;
  for (const { cidr, kind } of BLOCKED_IPV4) {
    const [net, bits] = cidr.split('/') as [string, string];
    const v4 = net.split('.').map(Number);
    listFor(kind).addSubnet(net, Number(bits), 'ipv4');
    for (const embed of EMBEDDINGS) listFor(kind).addSubnet(embed(v4), 96 + Number(bits), 'ipv6');
    listFor(kind).addSubnet(`2002:${hex16(v4[0]!, v4[1]!)}:${hex16(v4[2]!, v4[3]!)}::`, 16 + Number(bits), 'ipv6');
  }
  for (const { cidr, kind } of BLOCKED_IPV6) {
    const [net, bits] = cidr.split('/') as [string, string];
    listFor(kind).addSubnet(net, Number(bits), 'ipv6');
  }
  return lists;
}

/** One BlockList per kind, so that a refusal can say which kind of address it was. */
const BLOCK_LISTS = buildBlockLists();

/** Why an IP address may not be reached ('not an IP address' for anything else); undefined when it may. */
export function blockedAddressKind(address: string): string | undefined {
  const family = isIP(address);
  if (family === 0) return 'not an IP address';
  const type = family === 4 ? 'ipv4' : 'ipv6';
  for (const [kind, list] of BLOCK_LISTS) if (list.check(address, type)) return kind;
  return undefined;
}

/** Every address a host name resolves to (dns.promises.lookup with `all: true`). */
export type Resolve = (hostname: string) => Promise<{ address: string; family: number }[]>;

export interface DestinationGuardOptions {
  /** WEBHOOK_ALLOWED_HOSTS entries (webhook-allowlist.ts); empty = any public host, default ports. */
  allowedHosts: readonly string[];
  /** Also lifts the port rule when there is no allowlist: local receivers listen on random ports. */
  allowPrivateNetworks: boolean;
  httpsOnly: boolean;
  /** Defaults to the system resolver (getaddrinfo, so /etc/hosts counts), every address. */
  resolve?: Resolve;
}

export interface DestinationGuard {
  /** Refuses the URL before any connection: scheme, allowlisted host and port, an IP-literal host. */
  check(url: URL): void;
  /** The rate limit and circuit breaker the URL goes through (gate-key.ts). */
  gateKey(url: URL): string;
  /** For the HTTP call: resolves, checks every address, and answers with the checked ones. */
  lookup: LookupFunction;
}

const refusal = (host: string, reason: string) => new PermanentError('DESTINATION_NOT_ALLOWED', `webhook destination ${host} refused: ${reason}`);

/** The URL's host name without IPv6 brackets: what is resolved or connected to. */
const bareHostname = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, '$1');

/** The guard for one channel's settings; refusals are PermanentError DESTINATION_NOT_ALLOWED without the URL path. */
export function makeDestinationGuard(opts: DestinationGuardOptions): DestinationGuard {
  const resolve: Resolve = opts.resolve ?? ((host) => dns.lookup(host, { all: true, verbatim: true }));
  const allowlist = makeAllowlist(opts.allowedHosts, { anyPortWhenEmpty: opts.allowPrivateNetworks });

  function refusedAddress(host: string, address: string): PermanentError | undefined {
    if (opts.allowPrivateNetworks) return undefined;
    const kind = blockedAddressKind(address);
    return kind === undefined ? undefined : refusal(host, `a private address (${kind})`);
  }

  return {
    check(url) {
      if (url.protocol !== 'https:' && (opts.httpsOnly || url.protocol !== 'http:')) throw refusal(url.host, 'https is required');
      const notAllowed = allowlist.refusal(url);
      if (notAllowed) throw refusal(url.host, notAllowed);
      const hostname = bareHostname(url);
      const refused = isIP(hostname) ? refusedAddress(url.host, hostname) : undefined;
      if (refused) throw refused;
    },
    gateKey: (url) => webhookGateKey(url, allowlist),
    lookup(hostname, options, callback) {
      Promise.resolve()
        .then(() => resolve(hostname))
        .then(
          (answers) => {
            // Every answer is checked: a client may try any of them (happy eyeballs, retries).
            const refused = answers.map((a) => refusedAddress(hostname, a.address)).find(Boolean);
            if (refused) return callback(refused, '', 0);
            const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
            const usable = answers.filter((a) => !family || a.family === family);
            if (usable.length === 0) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
            if (options.all) return callback(null, usable);
            callback(null, usable[0]!.address, usable[0]!.family);
          },
          // Not `.catch`: an error thrown by the callback itself must not call it twice.
          (err: NodeJS.ErrnoException) => callback(err, '', 0),
        );
    },
  };
}
