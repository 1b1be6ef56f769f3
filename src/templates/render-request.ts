/** Rendering one request against a compiled version: channel, locale, data, then the parts. */
import { TEMPLATE_ID } from './catalogue-dirs';
import { TEMPLATE_CHANNELS } from './channel-files';
import { TemplateError } from './errors';
import { knownTimeZone } from './intl-formats';
import type { CompiledVersion } from './load-version';
import { chooseLocale, preferredLocales, triedLocales } from './locales';
import { PartRenderError, renderParts } from './parts';
import { toScope } from './typed-values';
import type { RenderedTemplate, TemplateChannel, TemplateRequest } from './types';
import { checkData, describeDataProblems } from './variables';

/** The version a request names, or why there is none (a TEMPLATE_NOT_FOUND message). */
export type Resolved = { version: CompiledVersion } | { missing: string };

/** Renders `req` with the version `resolve` finds; TemplateError for every refusal. */
export function renderRequest(req: TemplateRequest, resolved: Resolved, defaultLocale: string): RenderedTemplate {
  if ('missing' in resolved) throw new TemplateError('TEMPLATE_NOT_FOUND', resolved.missing);
  const { info, variables, channels } = resolved.version;
  const ref = `template ${info.id}@${info.version}`;
  const channel = req.channel as string;
  const byLocale = (TEMPLATE_CHANNELS as readonly string[]).includes(channel) ? channels.get(channel as TemplateChannel) : undefined;
  if (!byLocale) {
    const has = TEMPLATE_CHANNELS.filter((c) => channels.has(c)).join(', ') || 'none';
    throw new TemplateError('TEMPLATE_NOT_FOUND', `${ref} has no ${shownChannel(channel)} files (it has: ${has})`);
  }
  const preferred = preferredLocales(Array.isArray(req.locales) ? req.locales : [], defaultLocale);
  const choice = chooseLocale(preferred, new Set(byLocale.keys()));
  if (!choice) {
    throw new TemplateError('TEMPLATE_NOT_FOUND', `${ref} has no ${channel} file for locales ${triedLocales(preferred).join(', ')}`);
  }
  const problems = checkData(info.variables, req.data);
  if (problems.length) throw new TemplateError('TEMPLATE_DATA_INVALID', `${ref}: ${describeDataProblems(problems)}`);
  const files = byLocale.get(choice.locale)!;
  const scope = toScope(variables, req.data as Record<string, unknown>, { locale: choice.formatLocale, timeZone: knownTimeZone(req.timeZone) });
  try {
    const parts = renderParts(files, scope);
    return { id: info.id, version: info.version, locale: choice.locale, formatLocale: choice.formatLocale, digest: files.digest, parts };
  } catch (err) {
    if (!(err instanceof PartRenderError)) throw err;
    // Checked data that still fails (a limit hit by a huge array, say) is the data's problem.
    throw new TemplateError('TEMPLATE_DATA_INVALID', `${ref} ${channel} ${choice.locale}: ${err.source} failed to render: ${safeReason(err.failure)}`);
  }
}

/** The message for a request naming an unknown id or version (never echoing a malformed id). */
export function missingMessage(id: unknown, version: unknown, known: readonly number[] | undefined): string {
  const shownId = typeof id === 'string' && TEMPLATE_ID.test(id) ? id : 'with an invalid id';
  if (!known) return `template ${shownId} is not in the catalogue`;
  return `template ${shownId}@${String(version).slice(0, 20)} is not in the catalogue (versions: ${known.join(', ')})`;
}

function shownChannel(channel: string): string {
  return /^[A-Z_]{1,32}$/.test(channel) ? channel : 'such channel';
}

/**
 * The part of a Liquid render error that cannot hold data: a limit, an undefined variable's
 * path, or just the error's kind and place. A filter's JavaScript error could quote a value.
 */
function safeReason(failure: unknown): string {
  const message = failure instanceof Error ? failure.message : '';
  const head = message.split(', line:')[0]!;
  const place = /line:\d+, col:\d+/.exec(message)?.[0];
  const at = place ? ` (${place})` : '';
  if (/^[a-z ]+ limit exceeded$/.test(head) || /^undefined variable: [\w.[\]]+$/.test(head)) return head + at;
  return `${failure instanceof Error ? failure.name : 'error'}${at}`;
}
