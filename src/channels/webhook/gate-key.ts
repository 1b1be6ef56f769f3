import { isIP } from 'node:net';
import type { Allowlist } from './allowlist';

/**
 * Which rate limit and circuit breaker a webhook goes through. A site must not multiply its
 * gates by spreading URLs over subdomains, so the key is never the full host name:
 *
 * - the allowlist entry that admits the URL (`*.example.com` is one gate for every subdomain;
 *   `hooks.example.com:8443` one gate for that host and port);
 * - with no allowlist, the site: the host's registrable domain (siteOf) and the port when it
 *   is not the scheme's default;
 * - a URL the allowlist refuses: its site under a prefix of its own, so that refused URLs
 *   never spend an admitted entry's tokens (they are refused before any request anyway).
 */
export function webhookGateKey(url: URL, allowlist: Allowlist): string {
  const admittedBy = allowlist.entryFor(url);
  if (admittedBy) return admittedBy.text;
  const site = `${siteOf(url.hostname)}${url.port ? `:${url.port}` : ''}`;
  return allowlist.size > 0 ? `not-allowed ${site}` : site;
}

/**
 * Second-level labels under which two-letter country TLDs register names: example.co.uk,
 * example.com.au, example.ne.jp. Under them a site is three labels, not two.
 */
export const COUNTRY_SECOND_LEVELS: ReadonlySet<string> = new Set(['ac', 'co', 'com', 'edu', 'go', 'gov', 'ne', 'net', 'or', 'org']);

/**
 * The registrable domain of a host, approximated without the Public Suffix List: the last two
 * labels, or three under a country code's second level (COUNTRY_SECOND_LEVELS). Every host of
 * one registered domain gets the same answer — a registrable domain has at least two labels,
 * so its subdomains share its last two — with one exception: a domain registered directly
 * under a country code with one of those names (`co.de` is registered like `example.de`)
 * splits by its subdomains' third label. Otherwise the error is in the safe direction: a
 * multi-label public suffix outside the list (`github.io`, `a.run.app`) is taken for one site,
 * so its tenants share a gate; WEBHOOK_ALLOWED_HOSTS entries give each its own. An IP address
 * is its own site.
 */
export function siteOf(hostname: string): string {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  if (name.startsWith('[') || isIP(name) !== 0) return name;
  const labels = name.split('.');
  const countrySecondLevel = labels.length >= 3 && labels.at(-1)!.length === 2 && COUNTRY_SECOND_LEVELS.has(labels.at(-2)!);
  return labels.slice(countrySecondLevel ? -3 : -2).join('.');
}
