import { isIP } from 'node:net';

/**
 * WEBHOOK_ALLOWED_HOSTS: where webhooks may go, and on which port. An entry is a host name,
 * `*.domain` for the domain's subdomains (not the domain itself), an IPv4 address or a
 * bracketed IPv6 address, optionally followed by `:port`. An entry without a port admits the
 * URL scheme's default port only (443 for https, 80 for http); one with a port admits that
 * port only. Several entries may name one host with different ports.
 */

/** One parsed entry. */
export interface AllowlistEntry {
  /** The entry in canonical form (lower case, the host as URLs serialise it): also its gate key. */
  readonly text: string;
  /** The host, or for `*.domain` the domain. */
  readonly host: string;
  readonly subdomains: boolean;
  /** Undefined: the URL scheme's default port. */
  readonly port?: number;
}

export class AllowlistEntryError extends Error {
  override name = 'AllowlistEntryError';
}

const SHAPE = /^(?<wildcard>\*\.)?(?<host>\[[0-9a-fA-F:.]+\]|[^\s:/?#@[\]\\]+)(?::(?<port>\d{1,5}))?$/;
/** Host names after WHATWG parsing: ASCII labels (IDN already punycode), underscores tolerated. */
const DNS_NAME = /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/;
const EXPECTED = 'a host name, *.domain, an IPv4 address or an [IPv6] address, optionally followed by :port';

/** The host as a webhook URL's `hostname` would be: lower case, punycode, canonical IP forms, no final dot. */
function canonicalHost(raw: string): string | undefined {
  try {
    return new URL(`http://${raw}`).hostname.replace(/\.$/, '');
  } catch {
    return undefined;
  }
}

const isIpHost = (host: string) => isIP(host.replace(/^\[(.*)\]$/, '$1')) !== 0;

/** Parses one entry; throws AllowlistEntryError saying what is wrong with it. */
export function parseAllowlistEntry(raw: string): AllowlistEntry {
  const shape = SHAPE.exec(raw.trim());
  if (!shape) throw new AllowlistEntryError(`"${raw}" is not ${EXPECTED}`);
  const { wildcard, host: rawHost, port: rawPort } = shape.groups as { wildcard?: string; host: string; port?: string };
  const host = canonicalHost(rawHost);
  const ip = host !== undefined && isIpHost(host);
  if (host === undefined || (!ip && !DNS_NAME.test(host))) throw new AllowlistEntryError(`"${raw}" is not ${EXPECTED}`);
  if (wildcard && ip) throw new AllowlistEntryError(`"${raw}": *. takes a domain name, not an IP address`);
  const port = rawPort === undefined ? undefined : Number(rawPort);
  if (port !== undefined && (port < 1 || port > 65535)) throw new AllowlistEntryError(`"${raw}": the port must be 1-65535`);
  return { text: `${wildcard ? '*.' : ''}${host}${port === undefined ? '' : `:${port}`}`, host, subdomains: Boolean(wildcard), port };
}

/** The port a URL connects to. WHATWG URLs leave `port` empty exactly when it is the scheme's default. */
export const portOf = (url: URL): number => (url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80);

function hostMatches(entry: AllowlistEntry, url: URL): boolean {
  const name = url.hostname.replace(/\.$/, '');
  return entry.subdomains ? name.endsWith(`.${entry.host}`) : name === entry.host;
}

const portMatches = (entry: AllowlistEntry, url: URL) => (entry.port === undefined ? url.port === '' : portOf(url) === entry.port);

export interface Allowlist {
  /** How many entries; 0 = no allowlist (any public host). */
  readonly size: number;
  /** The most specific entry admitting the URL's host and port; undefined when none does. */
  entryFor(url: URL): AllowlistEntry | undefined;
  /** Why the URL's host or port may not be reached; undefined when it may. */
  refusal(url: URL): string | undefined;
}

export interface AllowlistOptions {
  /**
   * With no entries, any port rather than only the default one. For local development
   * (private networks allowed), where receivers listen on random ports; never in production.
   */
  anyPortWhenEmpty: boolean;
}

/** The allowlist of canonical or raw entries (they are parsed again here; config has validated them). */
export function makeAllowlist(texts: readonly string[], opts: AllowlistOptions): Allowlist {
  // Most specific first: exact hosts before wildcards, longer domains before shorter ones.
  const entries = texts.map(parseAllowlistEntry).sort((a, b) => Number(a.subdomains) - Number(b.subdomains) || b.host.length - a.host.length);
  const entryFor = (url: URL) => entries.find((e) => hostMatches(e, url) && portMatches(e, url));
  return {
    size: entries.length,
    entryFor,
    refusal(url) {
      if (entries.length === 0) {
        return url.port === '' || opts.anyPortWhenEmpty ? undefined : `port ${url.port} is not allowed (only the scheme's default port unless WEBHOOK_ALLOWED_HOSTS names it)`;
      }
      if (entryFor(url)) return undefined;
      return entries.some((e) => hostMatches(e, url)) ? `port ${portOf(url)} is not allowed for this host` : 'host not allowed';
    },
  };
}
