/**
 * `npm start`'s template preview: `GET /templates` shows every template version × channel ×
 * locale of the catalogue rendered with its sample data (template-preview-page.ts), and
 * `GET /templates/<id>/<version>/EMAIL/<locale>.html` one email's HTML alone. A request
 * handler, mounted on the provider sandbox's server; it answers only paths under /templates.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Catalogue, loadCatalogue, TemplateError } from '../templates';
import { previewPage, previewTimeZone } from './template-preview-page';

/** A handler that answers some requests: true when it did, false to leave the request to the next. */
export type PageHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/** Where the preview lives on the server that mounts it. */
export const TEMPLATE_PREVIEW_PATH = '/templates';

const RAW_EMAIL_PATH = /^\/templates\/([^/]+)\/(\d+)\/EMAIL\/([^/]+)\.html$/;

/** No script may run on the page or in an email's frame (srcdoc frames inherit this): escaping has a second line. */
const PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline' https:; img-src https: http: data:; font-src https: data:";
/** An email's HTML served alone runs sandboxed, as it does in the page's frame. */
const RAW_POLICY = `sandbox; ${PAGE_POLICY}`;

function answer(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): true {
  res
    .writeHead(status, {
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      ...headers,
    })
    .end(body);
  return true;
}

/** `?tz=` when given and a time zone; an error message when given and not one. */
function askedTimeZone(url: URL): { timeZone?: string } | { problem: string } {
  const tz = url.searchParams.get('tz')?.trim();
  if (!tz) return {};
  try {
    return { timeZone: new Intl.DateTimeFormat('en', { timeZone: tz }).resolvedOptions().timeZone };
  } catch {
    return { problem: `tz: "${tz}" is not an IANA time zone, e.g. Asia/Tokyo` };
  }
}

/** A path segment decoded, or undefined when its percent-encoding is malformed. */
function decoded(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function rawEmail(catalogue: Catalogue, match: RegExpExecArray, url: URL, res: ServerResponse): true {
  const [id, version, locale] = [decoded(match[1]!), Number(match[2]), decoded(match[3]!)];
  if (id === undefined || locale === undefined) return answer(res, 400, `malformed percent-encoding in ${url.pathname}`);
  const tz = askedTimeZone(url);
  if ('problem' in tz) return answer(res, 400, tz.problem);
  const info = catalogue.describe(id, version);
  if (!info) return answer(res, 404, `no template ${id}@${version}; GET ${TEMPLATE_PREVIEW_PATH} lists them`);
  try {
    const rendered = catalogue.render({ id, version, channel: 'EMAIL', locales: [locale], timeZone: previewTimeZone(locale, tz.timeZone), data: info.sample });
    return answer(res, 200, rendered.parts.html ?? '', { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': RAW_POLICY });
  } catch (err) {
    const notFound = err instanceof TemplateError && err.code === 'TEMPLATE_NOT_FOUND';
    return answer(res, notFound ? 404 : 500, (err as Error).message);
  }
}

/** GET /templates, or one email's HTML; anything else under /templates is a 404 saying what is there. */
function route(catalogue: Catalogue, req: IncomingMessage, res: ServerResponse, url: URL): true {
  const { pathname } = url;
  if (req.method !== 'GET' && req.method !== 'HEAD') return answer(res, 405, `${req.method} is not allowed on ${pathname}`, { allow: 'GET, HEAD' });
  if (pathname === TEMPLATE_PREVIEW_PATH || pathname === `${TEMPLATE_PREVIEW_PATH}/`) {
    const tz = askedTimeZone(url);
    if ('problem' in tz) return answer(res, 400, tz.problem);
    return answer(res, 200, previewPage(catalogue, tz.timeZone), { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': PAGE_POLICY });
  }
  const raw = RAW_EMAIL_PATH.exec(pathname);
  if (raw) return rawEmail(catalogue, raw, url, res);
  return answer(res, 404, `no ${pathname}: the preview is at ${TEMPLATE_PREVIEW_PATH}, an email's HTML at ${TEMPLATE_PREVIEW_PATH}/<id>/<version>/EMAIL/<locale>.html`);
}

/** The preview of `catalogue`, rendered afresh per request (the catalogue itself is loaded once). */
export function makeTemplatePreview(catalogue: Catalogue): PageHandler {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://preview');
    const { pathname } = url;
    if (pathname !== TEMPLATE_PREVIEW_PATH && !pathname.startsWith(`${TEMPLATE_PREVIEW_PATH}/`)) return false;
    try {
      return route(catalogue, req, res, url);
    } catch (err) {
      // A request listener that throws takes the whole sandbox down; a broken page must not.
      return answer(res, 500, `the template preview failed: ${(err as Error).message}`);
    }
  };
}

/**
 * The preview of the catalogue in `dir` (npm start: TEMPLATES_DIR, the notifier's own), loaded
 * now: a catalogue that does not load throws its CatalogueError, naming the file, so `npm start`
 * stops at once rather than showing a broken page later.
 */
export function loadTemplatePreview(dir: string): { handler: PageHandler; catalogue: Catalogue } {
  const catalogue = loadCatalogue(dir);
  return { handler: makeTemplatePreview(catalogue), catalogue };
}
