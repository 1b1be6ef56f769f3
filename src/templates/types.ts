/** The catalogue's public types (re-exported by index.ts, which is what callers import). */
import type { ChannelName } from '../codec/notification';

/** The channels a template can have files for (a webhook gets the data itself). */
export type TemplateChannel = 'EMAIL' | 'SMS' | 'PUSH' | 'SLACK' | 'LINE';

/** What to render: a template version, for a channel, in the first locale it has a file for. */
export interface TemplateRequest {
  id: string;
  /** undefined or 0: the latest version. */
  version?: number;
  channel: ChannelName;
  /** Preference order (account's, then notification's); invalid or empty ones are skipped; the default is appended. */
  locales: readonly string[];
  /** IANA; default 'UTC'; an unknown zone falls back to 'UTC'. */
  timeZone?: string;
  /** JSON.parse'd data_json. */
  data: unknown;
}

/** EMAIL → subject, html, text?; SMS → body; PUSH → title?, body; SLACK → text; LINE → text. */
export interface TemplateParts {
  subject?: string;
  text?: string;
  html?: string;
  title?: string;
  body?: string;
}

/** A rendering and exactly which files produced it. */
export interface RenderedTemplate {
  id: string;
  version: number;
  /** The file's locale, e.g. 'ja'. */
  locale: string;
  /** The Intl locale numbers and dates were formatted in, e.g. 'ja-JP'. */
  formatLocale: string;
  /** 12 hex of sha256 over the files that produced this rendering. */
  digest: string;
  parts: TemplateParts;
}

/** One template version as the catalogue holds it. */
export interface TemplateVersionInfo {
  id: string;
  version: number;
  latest: boolean;
  description: string;
  layout?: string;
  /** As declared in template.json. */
  variables: Readonly<Record<string, string>>;
  channels: readonly { channel: TemplateChannel; locales: readonly string[] }[];
  /** sample.json. */
  sample: unknown;
}

/** The loaded, compiled templates. */
export interface Catalogue {
  readonly dir: string;
  readonly defaultLocale: string;
  /** Resolves version (undefined/0 → latest); undefined when the id or version is unknown. */
  describe(id: string, version?: number): TemplateVersionInfo | undefined;
  /** Every version, by id then version. */
  list(): readonly TemplateVersionInfo[];
  /** Synchronous; throws TemplateError only. */
  render(req: TemplateRequest): RenderedTemplate;
}
