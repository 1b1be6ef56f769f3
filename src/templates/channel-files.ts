/**
 * The files a version directory may hold for each channel (`<channel>.<locale>.<ext>`), the
 * part each fills, its front matter and how its outputs are escaped.
 */
import type { Escaping } from './liquid-engine';
import type { TemplateChannel, TemplateParts } from './types';

/** Every channel a template can support, in the order info lists them. */
export const TEMPLATE_CHANNELS: readonly TemplateChannel[] = Object.freeze(['EMAIL', 'SMS', 'PUSH', 'SLACK', 'LINE']);

/** A front matter key and the single-line part it fills. */
export interface Setting {
  key: string;
  part: keyof TemplateParts;
  required: boolean;
}

/** One kind of channel file. */
export interface FileKind {
  channel: TemplateChannel;
  /** `email`, `sms` …: the file name's first part. */
  prefix: string;
  ext: 'mjml' | 'txt' | 'liquid';
  /** The file that makes the channel supported in its locale (an email's text part is an extra). */
  main: boolean;
  /** The part the file's body fills. */
  part: keyof TemplateParts;
  escaping: Escaping;
  settings: readonly Setting[];
}

/** Every kind of channel file; a file matching none of them is a load error (a typo would drop a channel silently). */
export const FILE_KINDS: readonly FileKind[] = Object.freeze([
  { channel: 'EMAIL', prefix: 'email', ext: 'mjml', main: true, part: 'html', escaping: 'html', settings: [{ key: 'subject', part: 'subject', required: true }] },
  { channel: 'EMAIL', prefix: 'email', ext: 'txt', main: false, part: 'text', escaping: 'none', settings: [] },
  { channel: 'SMS', prefix: 'sms', ext: 'liquid', main: true, part: 'body', escaping: 'none', settings: [] },
  { channel: 'PUSH', prefix: 'push', ext: 'liquid', main: true, part: 'body', escaping: 'none', settings: [{ key: 'title', part: 'title', required: false }] },
  { channel: 'SLACK', prefix: 'slack', ext: 'liquid', main: true, part: 'text', escaping: 'slack', settings: [] },
  { channel: 'LINE', prefix: 'line', ext: 'liquid', main: true, part: 'text', escaping: 'none', settings: [] },
]);

/** A channel file's name taken apart; the locale is as written (the loader checks it). */
export interface ChannelFileName {
  kind: FileKind;
  locale: string;
}

/** The kind and locale of a file name such as `email.ja-JP.mjml`; undefined when it is not a channel file. */
export function parseChannelFileName(name: string): ChannelFileName | undefined {
  const m = /^([a-z]+)\.([A-Za-z0-9-]+)\.([a-z]+)$/.exec(name);
  if (!m) return undefined;
  const kind = FILE_KINDS.find((k) => k.prefix === m[1] && k.ext === m[3]);
  return kind && { kind, locale: m[2]! };
}

/** The accepted file names, for an error message. */
export function fileNamePatterns(): string {
  return FILE_KINDS.map((k) => `${k.prefix}.<locale>.${k.ext}`).join(', ');
}
