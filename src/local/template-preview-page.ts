/**
 * The HTML of the template preview page: every template version × channel × locale of a
 * catalogue, rendered with the version's sample data. Everything written into the page is
 * escaped (escapeHtml), sample data included: it is treated as hostile, as real data would be.
 */
import { smsSegments } from '../channels/sms/segments';
import type { Catalogue, RenderedTemplate, TemplateChannel, TemplateVersionInfo } from '../templates';
import { escapeHtml as e } from './escape-html';

/** Which time zone a card renders in: the one asked for, else Tokyo for Japanese, UTC for the rest. */
export function previewTimeZone(locale: string, asked?: string): string {
  if (asked) return asked;
  return locale === 'ja' || locale.startsWith('ja-') ? 'Asia/Tokyo' : 'UTC';
}

/** One card's rendering, or why it failed. */
export type CardResult = { rendered: RenderedTemplate } | { error: string };

/** Renders one card; an error becomes the card's content instead of failing the page. */
export function renderCard(catalogue: Catalogue, t: TemplateVersionInfo, channel: TemplateChannel, locale: string, timeZone: string): CardResult {
  try {
    return { rendered: catalogue.render({ id: t.id, version: t.version, channel, locales: [locale], timeZone, data: t.sample }) };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The parts of a channel as they would be seen: an email as a mail client shows it, an SMS with its cost. */
function partsHtml(channel: TemplateChannel, r: RenderedTemplate): string {
  const { subject, html, text, title, body } = r.parts;
  switch (channel) {
    case 'EMAIL':
      return [
        `<p class="subject" data-testid="email-subject">${e(subject ?? '')}</p>`,
        // Empty sandbox: no scripts, no forms, a unique origin; the email cannot reach the page.
        `<iframe sandbox srcdoc="${e(html ?? '')}" title="${e(`${r.id}@${r.version} email ${r.locale}`)}" data-testid="email-html"></iframe>`,
        text === undefined ? '<p class="note">no text part</p>' : `<pre data-testid="email-text">${e(text)}</pre>`,
      ].join('\n');
    case 'SMS': {
      const s = smsSegments(body ?? '');
      return `<pre data-testid="sms-body">${e(body ?? '')}</pre>\n<p class="note" data-testid="sms-segments">${plural(s.segments, 'segment')} · ${s.encoding} · ${plural(s.characters, 'character')}</p>`;
    }
    case 'PUSH':
      return `${title === undefined ? '' : `<p class="subject" data-testid="push-title">${e(title)}</p>\n`}<pre data-testid="push-body">${e(body ?? '')}</pre>`;
    default:
      return `<pre data-testid="${channel.toLowerCase()}-text">${e(text ?? '')}</pre>`;
  }
}

function cardHtml(t: TemplateVersionInfo, channel: TemplateChannel, locale: string, timeZone: string, result: CardResult): string {
  const attributes = `data-testid="card" data-template="${e(t.id)}" data-version="${t.version}" data-channel="${channel}" data-locale="${e(locale)}" lang="${e(locale)}"`;
  const head = `<h3>${channel} · ${e(locale)}</h3>`;
  if ('error' in result) return `<section class="card failed" ${attributes}>${head}\n<p class="error" data-testid="render-error">${e(result.error)}</p></section>`;
  const r = result.rendered;
  const ref = `<p class="ref" data-testid="ref">${e(`${r.id}@${r.version} ${r.locale} (format ${r.formatLocale}) digest ${r.digest} · ${timeZone}`)}</p>`;
  return `<section class="card" ${attributes}>${head}\n${ref}\n${partsHtml(channel, r)}</section>`;
}

function versionHtml(catalogue: Catalogue, t: TemplateVersionInfo, askedTimeZone: string | undefined): string {
  const variables = Object.entries(t.variables).map(([name, type]) => `<code>${e(name)}: ${e(type)}</code>`).join(' ');
  const cards = t.channels.flatMap(({ channel, locales }) =>
    locales.map((locale) => {
      const timeZone = previewTimeZone(locale, askedTimeZone);
      return cardHtml(t, channel, locale, timeZone, renderCard(catalogue, t, channel, locale, timeZone));
    }),
  );
  const ref = `${t.id}@${t.version}`;
  return `<article id="${e(ref)}" data-testid="template" data-template="${e(t.id)}" data-version="${t.version}">
<h2 data-testid="template-heading">${e(ref)}${t.latest ? ' <small>latest</small>' : ''}</h2>
<p>${e(t.description)}</p>
<p class="note">variables: ${variables || 'none'}</p>
<div class="cards">
${cards.join('\n')}
</div>
</article>`;
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:1.5rem;background:#f4f4f5;color:#18181b}
article{margin-bottom:2.5rem}.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(380px,1fr));gap:1rem}
.card{background:#fff;border:1px solid #d4d4d8;border-radius:8px;padding:0 1rem 1rem}.card.failed{border-color:#dc2626}
.subject{font-weight:600}.ref,.note{color:#52525b;font-size:.85rem}.error{color:#b91c1c;white-space:pre-wrap}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#fafafa;border:1px solid #e4e4e7;padding:.5rem}
iframe{width:100%;height:420px;border:1px solid #e4e4e7;background:#fff}`;

/** The whole page: a section per template version (by id, then version), a card per channel × locale. */
export function previewPage(catalogue: Catalogue, askedTimeZone?: string): string {
  const versions = catalogue.list();
  const zone = askedTimeZone ? `every card in ${askedTimeZone}` : 'ja* in Asia/Tokyo, others in UTC (?tz=Zone/Name for one zone)';
  const body = versions.length
    ? versions.map((t) => versionHtml(catalogue, t, askedTimeZone)).join('\n')
    : `<p>no templates in ${e(catalogue.dir)}</p>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Templates · notifier</title><style>${STYLE}</style></head>
<body>
<h1>Templates</h1>
<p class="note">${e(catalogue.dir)} · rendered with each version's sample.json · ${e(zone)}</p>
${body}
</body></html>
`;
}
