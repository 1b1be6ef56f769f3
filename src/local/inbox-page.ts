/**
 * The provider sandbox's inbox: `GET /` (and `/inbox`) shows what the sandbox accepted — SMS,
 * push, Slack, LINE, webhooks — as a person would see it, newest first, as MailDev's UI does
 * for email. It reloads itself with a meta refresh rather than a script, so the page can
 * forbid every script: recipients and texts come from producers and are treated as hostile,
 * escaped (escapeHtml) with the policy as a second line. `GET /favicon.ico` gets a silent 204.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SANDBOXED_MODULES } from '../channels/registry';
import type { SandboxMessage } from '../channels/sandbox-http';
import { smsSegments } from '../channels/sms/segments';
import { escapeHtml as e } from './escape-html';

/** The paths the inbox answers on (GET and HEAD only; other methods keep the sandbox's answers). */
export const INBOX_PATHS: readonly string[] = ['/', '/inbox'];
/** The newest this many are on the page; the rest stay in `GET /messages`, which has them all. */
export const INBOX_LIMIT = 200;
/** How often the page reloads itself, in seconds. */
export const INBOX_REFRESH_SECONDS = 2;

export interface InboxOptions {
  /** MailDev's web UI, linked for email; absent when there is none (SMTP_URL names the developer's server). */
  mailUiUrl?: string;
}

/** No script may run: the meta refresh needs none, and a text that escaped its escaping still could not act. */
const POLICY = "default-src 'none'; style-src 'unsafe-inline'";
/** The template preview `npm start` mounts on the same server (TEMPLATE_PREVIEW_PATH; not imported, it loads the engine). */
const TEMPLATES_PATH = '/templates';
const SEND_AN_SMS = 'npm run notifier -- publish --local --type otp.sent --channel SMS --to +819012345678 --text "Your code is 1234"';
/** The filter links, in the registry's order. */
const CHANNELS: readonly string[] = SANDBOXED_MODULES.map((m) => m.message.name);

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** A long ID as its head and tail (`U4af498062…0000`), the whole of it in the tooltip. */
function shortId(id: string, testId: string): string {
  const short = id.length > 16 ? `${id.slice(0, 10)}…${id.slice(-4)}` : id;
  return `<code title="${e(id)}" data-testid="${testId}">${e(short)}</code>`;
}

/** `2024-05-01 09:30:00 UTC` from the ISO 8601 receivedAt. */
const readableTime = (iso: string) => iso.replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC');

function smsHtml(m: SandboxMessage): string {
  const text = m.text ?? '';
  const s = smsSegments(text);
  return `<p class="to">to <span data-testid="sms-to">${e(m.recipient)}</span></p>
<div class="bubble" data-testid="sms-text">${e(text)}</div>
<p class="note" data-testid="sms-segments">${plural(s.segments, 'segment')} · ${s.encoding} · ${plural(s.characters, 'character')}</p>`;
}

function pushHtml(m: SandboxMessage): string {
  const data = Object.entries(m.data ?? {});
  const list = data.map(([key, value]) => `<dt>${e(key)}</dt><dd>${e(String(value))}</dd>`).join('');
  return `<p class="to">device ${shortId(m.recipient, 'push-token')}</p>
<div class="notification">${m.title ? `<p class="title" data-testid="push-title">${e(m.title)}</p>` : ''}<p data-testid="push-body">${e(m.text ?? '')}</p></div>
${list ? `<dl data-testid="push-data">${list}</dl>` : ''}`;
}

/** Slack's text as sent: mrkdwn, `<url|label>` and Slack's own entities stay as they are, never markup. */
function slackHtml(m: SandboxMessage): string {
  return `<p class="to" data-testid="slack-channel">${e(m.recipient)}</p>
<div class="slack" data-testid="slack-text">${e(m.text ?? '')}</div>`;
}

function lineHtml(m: SandboxMessage): string {
  return `<p class="to">to ${shortId(m.recipient, 'line-to')}</p>
<div class="bubble line" data-testid="line-text">${e(m.text ?? '')}</div>`;
}

function webhookHtml(m: SandboxMessage): string {
  return `<p class="to">POST <span data-testid="webhook-url">${e(m.recipient)}</span></p>
<pre data-testid="webhook-body">${e(JSON.stringify(m.body, null, 2) ?? '')}</pre>`;
}

/** How each channel looks; a channel added to the registry without a look here shows its text. */
function contentHtml(m: SandboxMessage): string {
  switch (m.channel) {
    case 'SMS':
      return smsHtml(m);
    case 'PUSH':
      return pushHtml(m);
    case 'SLACK':
      return slackHtml(m);
    case 'LINE':
      return lineHtml(m);
    case 'WEBHOOK':
      return webhookHtml(m);
    default:
      return `<p class="to">to ${e(m.recipient)}</p>\n<div class="slack" data-testid="text">${e(m.text ?? '')}</div>`;
  }
}

function messageHtml(m: SandboxMessage): string {
  const id = m.providerMessageId ? `<code data-testid="provider-id">${e(m.providerMessageId)}</code>` : '<span class="note">no message ID</span>';
  return `<article class="message" data-testid="message" data-channel="${e(m.channel)}">
<header><strong>${e(m.channel)}</strong> <time datetime="${e(m.receivedAt)}" data-testid="received-at">${e(readableTime(m.receivedAt))}</time> · ${id}</header>
${contentHtml(m)}
</article>`;
}

function filterHtml(messages: readonly SandboxMessage[], channel: string | undefined): string {
  const link = (href: string, label: string, count: number, current: boolean) =>
    `<a href="${href}"${current ? ' aria-current="page"' : ''}>${label} (${count})</a>`;
  const links = CHANNELS.map((c) => link(`/?channel=${e(c)}`, e(c), messages.filter((m) => m.channel === c).length, c === channel));
  return `<nav data-testid="filter">${[link('/', 'all', messages.length, !channel), ...links].join(' · ')}</nav>`;
}

function emptyHtml(channel: string | undefined): string {
  if (channel && !CHANNELS.includes(channel)) {
    return `<p data-testid="empty">${e(channel)} is not a channel the sandbox receives: it has ${e(CHANNELS.join(', '))} (email is in the mail UI).</p>`;
  }
  return `<p data-testid="empty">${channel ? `No ${e(channel)} message yet.` : 'Nothing received yet.'} Send one, e.g. an SMS: <code>${e(SEND_AN_SMS)}</code></p>`;
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:1.5rem;background:#f4f4f5;color:#18181b;max-width:52rem}
nav a[aria-current]{font-weight:700;color:inherit}.note,.to,header{color:#52525b;font-size:.85rem}
.message{background:#fff;border:1px solid #d4d4d8;border-radius:8px;padding:.6rem 1rem;margin:.8rem 0}
.bubble,.slack,pre{white-space:pre-wrap;overflow-wrap:anywhere}
.bubble{display:inline-block;max-width:24rem;background:#e4e4e7;border-radius:18px;padding:.5rem .9rem}.bubble.line{background:#d1fae5}
.notification{border:1px solid #e4e4e7;border-radius:12px;padding:.4rem .9rem;box-shadow:0 1px 3px #0002;max-width:24rem}
.notification p{margin:.2rem 0}.title{font-weight:600}
dl{display:grid;grid-template-columns:max-content 1fr;gap:0 .8rem;font-size:.8rem}dt{color:#52525b}dd{margin:0}
pre{background:#fafafa;border:1px solid #e4e4e7;padding:.5rem;font-size:.8rem}`;

/**
 * The page for `messages` (newest last, as the sandbox keeps them): the newest INBOX_LIMIT of
 * `channel` (all when absent), newest first, and how many older ones the page leaves out.
 */
export function inboxPage(messages: readonly SandboxMessage[], channel?: string, opts: InboxOptions = {}): string {
  const matching = channel ? messages.filter((m) => m.channel === channel) : messages;
  const shown = matching.slice(-INBOX_LIMIT).reverse();
  const hidden = matching.length - shown.length;
  const links = [
    ...(opts.mailUiUrl ? [`<a href="${e(opts.mailUiUrl)}" data-testid="mail-ui">email: the mail UI</a>`] : []),
    `<a href="${TEMPLATES_PATH}">templates</a>`,
    '<a href="/messages">JSON: /messages</a>',
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="${INBOX_REFRESH_SECONDS}">
<title>Inbox · provider sandbox · notifier</title><style>${STYLE}</style></head>
<body>
<h1>Inbox</h1>
<p class="note">what the provider sandbox accepted, newest first; reloads every ${INBOX_REFRESH_SECONDS} s · ${links.join(' · ')}</p>
${filterHtml(messages, channel)}
${shown.length ? shown.map(messageHtml).join('\n') : emptyHtml(channel)}
${hidden > 0 ? `<p class="note" data-testid="hidden">${plural(hidden, 'older message')} not shown: the page keeps the newest ${INBOX_LIMIT}; <a href="/messages">/messages</a> has them all.</p>` : ''}
</body></html>
`;
}

function answer(res: ServerResponse, status: number, body: string, headers: Record<string, string>): true {
  res.writeHead(status, { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers }).end(body);
  return true;
}

/**
 * The inbox over `messages`, the sandbox's own array (read per request, so it shows what came
 * since): true when it answered, false to leave the request to the provider routes.
 */
export function makeInbox(messages: readonly SandboxMessage[], opts: InboxOptions = {}): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const url = new URL(req.url ?? '/', 'http://sandbox');
    // Browsers ask for it on every visit: an answer keeps the sandbox's "refused" lines for real mistakes.
    if (url.pathname === '/favicon.ico') return answer(res, 204, '', {});
    if (!INBOX_PATHS.includes(url.pathname)) return false;
    const channel = url.searchParams.get('channel')?.trim().toUpperCase() || undefined;
    try {
      return answer(res, 200, inboxPage(messages, channel, opts), { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': POLICY });
    } catch (err) {
      // A request listener that throws takes the whole sandbox down; a broken page must not.
      return answer(res, 500, `the inbox failed: ${(err as Error).message}`, { 'content-type': 'text/plain; charset=utf-8' });
    }
  };
}
