import path from 'node:path';
import { smsSegments } from '../channels/sms/segments';
import { loadTemplatesDir } from '../config/templates';
import type { Catalogue, RenderedTemplate, TemplateChannel, TemplateParts, TemplateVersionInfo } from '../templates';
import type { CliIo, Command } from './command';
import { CliError, EXIT } from './errors';
import { Flags, GLOBAL_OPTIONS, parseFlagsAndArguments, positiveNumber } from './flags';
import { readText } from './input';

const OPTIONS = {
  templates: { type: 'string' },
  channel: { type: 'string' },
  version: { type: 'string' },
  locale: { type: 'string' },
  'time-zone': { type: 'string' },
  data: { type: 'string' },
} as const;

type TemplatesFlags = Flags<typeof GLOBAL_OPTIONS & typeof OPTIONS>;

const USAGE = `notifier templates list [--templates <dir>]
notifier templates render <id> --channel EMAIL|SMS|PUSH|SLACK|LINE [--version <n>] [--locale <tag>]
                          [--time-zone <zone>] [--data <file.json>|-] [--templates <dir>]
  The template catalogue: list shows each template version (the latest marked) with its
  channels, their locales and its variables; render prints what a channel's notification says,
  rendered as a delivery would render it, and for SMS how many segments it costs.
  --templates <dir>       the catalogue (default: env TEMPLATES_DIR, else the shipped templates/)
  --channel <name>        render: the channel whose files to render
  --version <n>           render: a version (default: the latest)
  --locale <tag>          render: the account's locale, e.g. ja-JP (default: the catalogue's)
  --time-zone <zone>      render: the account's IANA time zone for dates and times (default UTC)
  --data <file.json>|-    render: the data, a JSON object (default: the version's sample.json)
  Examples:
    npm run notifier -- templates list
    npm run notifier -- templates render order.shipped --channel EMAIL --locale ja-JP --time-zone Asia/Tokyo --data order.json`;

/** The template engine, loaded only when this command runs: the other commands never need Liquid or MJML. */
const engine = () => import('../templates');

/** Flags that only `render` takes, refused by `list` so a mistyped command does not silently ignore them. */
const RENDER_ONLY = ['channel', 'version', 'locale', 'time-zone', 'data'] as const;

async function openCatalogue(flags: TemplatesFlags, io: CliIo): Promise<Catalogue> {
  const { loadCatalogue, CatalogueError, DEFAULT_TEMPLATES_DIR } = await engine();
  const dir = path.resolve(flags.templates ?? loadTemplatesDir(io.env) ?? DEFAULT_TEMPLATES_DIR);
  try {
    return loadCatalogue(dir);
  } catch (err) {
    if (err instanceof CatalogueError) throw new CliError(`notifier templates: ${err.message}`);
    throw err;
  }
}

/** `order.shipped@1 (latest)  EMAIL(en, ja) SMS(en)  orderId:string total:money  — Order shipped` */
function versionLine(t: TemplateVersionInfo): string {
  const channels = t.channels.map((c) => `${c.channel}(${c.locales.join(', ')})`).join(' ');
  const variables = Object.entries(t.variables).map(([name, type]) => `${name}:${type}`).join(' ') || 'no variables';
  return `${t.id}@${t.version}${t.latest ? ' (latest)' : ''}  ${channels}  ${variables}${t.description ? `  — ${t.description}` : ''}`;
}

function list(catalogue: Catalogue, io: CliIo): number {
  const versions = catalogue.list();
  io.stdout.write(versions.length ? `${versions.map(versionLine).join('\n')}\n` : `no templates in ${catalogue.dir}\n`);
  return EXIT.OK;
}

function channelOf(value: string, channels: readonly TemplateChannel[]): TemplateChannel {
  const channel = channels.find((c) => c === value.toUpperCase());
  if (!channel) throw new CliError(`notifier templates render: --channel must be one of ${channels.join(', ')}, got "${value}"`);
  return channel;
}

function localeOf(value: string | undefined): string[] {
  if (value === undefined) return [];
  try {
    return Intl.getCanonicalLocales(value);
  } catch {
    throw new CliError(`notifier templates render: --locale "${value}" is not a BCP 47 language tag, e.g. ja-JP`);
  }
}

function timeZoneOf(value: string | undefined): string {
  if (value === undefined) return 'UTC';
  try {
    // The engine falls back to UTC for an unknown zone; a preview asked for one should say so instead.
    return new Intl.DateTimeFormat('en', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    throw new CliError(`notifier templates render: --time-zone "${value}" is not an IANA time zone, e.g. Asia/Tokyo`);
  }
}

/** The data to render with: the file (or stdin) given, else the version's sample. */
async function dataFor(id: string, version: number | undefined, flags: TemplatesFlags, catalogue: Catalogue, io: CliIo): Promise<unknown> {
  if (flags.data !== undefined) {
    const text = await readText(flags.data, io.stdin, 'data');
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new CliError(`notifier templates render: --data ${flags.data}: not valid JSON (${(err as Error).message})`);
    }
  }
  const info = catalogue.describe(id, version);
  if (!info) {
    throw new CliError(`notifier templates render: no template ${id}${version ? `@${version}` : ''} in ${catalogue.dir} (notifier templates list shows them)`);
  }
  return info.sample;
}

/** Single-line parts on their own line; the others under a `--- name` header. */
const PART_ORDER: readonly (keyof TemplateParts)[] = ['subject', 'title', 'body', 'text', 'html'];
const SINGLE_LINE = new Set<keyof TemplateParts>(['subject', 'title']);

/** What render prints: the template ref, each part, and for SMS the segment count. */
function renderedText(rendered: RenderedTemplate, channel: TemplateChannel, timeZone: string): string {
  const ref = `${rendered.id}@${rendered.version} ${rendered.locale} (format ${rendered.formatLocale}) digest ${rendered.digest} · time zone ${timeZone}`;
  const parts = PART_ORDER.flatMap((name) => {
    const value = rendered.parts[name];
    if (value === undefined) return [];
    return SINGLE_LINE.has(name) ? [`${name}: ${value}`] : [`--- ${name}`, value.replace(/\n$/, '')];
  });
  if (channel === 'SMS') {
    const s = smsSegments(rendered.parts.body ?? '');
    parts.push(`${s.segments} segment${s.segments === 1 ? '' : 's'} (${s.encoding}, ${s.characters} characters)`);
  }
  return `${[ref, ...parts].join('\n')}\n`;
}

async function render(positionals: string[], flags: TemplatesFlags, catalogue: Catalogue, io: CliIo): Promise<number> {
  const { TEMPLATE_CHANNELS, TemplateError } = await engine();
  const id = positionals[1];
  if (id === undefined || positionals.length > 2) throw new CliError('notifier templates render: name one template ID, e.g. order.shipped');
  if (flags.channel === undefined) throw new CliError(`notifier templates render: --channel is required, one of ${TEMPLATE_CHANNELS.join(', ')}`);
  const channel = channelOf(flags.channel, TEMPLATE_CHANNELS);
  const version = positiveNumber('version', flags.version, true);
  const locales = localeOf(flags.locale);
  const timeZone = timeZoneOf(flags['time-zone']);
  const data = await dataFor(id, version, flags, catalogue, io);
  try {
    const rendered = catalogue.render({ id, version, channel, locales, timeZone, data });
    io.stdout.write(renderedText(rendered, channel, timeZone));
    return EXIT.OK;
  } catch (err) {
    if (err instanceof TemplateError) throw new CliError(`notifier templates render: ${err.message}`);
    throw err;
  }
}

/** `notifier templates`: list the template catalogue, or render one template as a delivery would. */
export async function runTemplates(args: string[], io: CliIo): Promise<number> {
  const { flags, positionals } = parseFlagsAndArguments('templates', args, OPTIONS);
  if (flags.help) {
    io.stdout.write(`${USAGE}\n`);
    return EXIT.OK;
  }
  const action = positionals[0];
  if (action !== 'list' && action !== 'render') throw new CliError('notifier templates: name one action, list or render');
  if (action === 'list') {
    if (positionals.length > 1) throw new CliError(`notifier templates list: unexpected argument "${positionals[1]}"`);
    const extra = RENDER_ONLY.find((f) => flags[f] !== undefined);
    if (extra) throw new CliError(`notifier templates list: --${extra} does not apply (it is render's)`);
  }
  const catalogue = await openCatalogue(flags, io);
  return action === 'list' ? list(catalogue, io) : render(positionals, flags, catalogue, io);
}

/** `notifier templates list|render`: see USAGE. */
export const templatesCommand: Command = {
  name: 'templates',
  summary: 'the template catalogue: list its templates, render one as a delivery would (SMS: its segments)',
  usage: USAGE,
  run: runTemplates,
};
