/**
 * MJML compiled in a child process, a whole catalogue's emails in one call: mjml and its
 * dependencies hold ~35 MB once loaded, which the service would carry for its whole life to
 * use them only at start-up. The child loads them, compiles, and exits with them.
 */
import { execFileSync } from 'node:child_process';
import type mjml2html = require('mjml');
import { CatalogueError } from './errors';

/** One document's outcome: its HTML, or MJML's validation errors (or the exception's message). */
export type MjmlOutcome = { html: string } | { errors: mjml2html.MjmlError[]; message: string };

/** The options every email is compiled with: strict validation; mj-include ignored (a template reads no file). */
const OPTIONS = { validationLevel: 'strict', ignoreIncludes: true, keepComments: false };

/** The child: the sources as a JSON array on stdin, the outcomes as a JSON array on stdout. */
const CHILD = `
const mjml = require(process.argv[1]);
const chunks = [];
process.stdin.on('data', (c) => chunks.push(c)).on('end', () => {
  const outcomes = JSON.parse(Buffer.concat(chunks).toString('utf8')).map((source) => {
    try {
      return { html: mjml(source, ${JSON.stringify(OPTIONS)}).html };
    } catch (err) {
      return { errors: (err.errors || []).map(({ line, message, tagName, formattedMessage }) => ({ line, message, tagName, formattedMessage })), message: String(err.message) };
    }
  });
  process.stdout.write(JSON.stringify(outcomes));
});`;

/** Ample for a catalogue of hundreds of emails (a few ms each, once mjml is loaded in ~0.5 s); a child that hangs must not hang start-up. */
const COMPILE_TIMEOUT_MS = 120_000;

/** Compiles `sources` in order; CatalogueError when the child itself fails or times out (not when a document is invalid). */
export function compileMjml(sources: readonly string[]): MjmlOutcome[] {
  if (sources.length === 0) return [];
  let out: Buffer;
  try {
    out = execFileSync(process.execPath, ['-e', CHILD, require.resolve('mjml')], {
      input: JSON.stringify(sources),
      maxBuffer: 1024 * 1024 * 1024,
      timeout: COMPILE_TIMEOUT_MS,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  } catch (err) {
    const stderr = String((err as { stderr?: Buffer }).stderr ?? '').trim().split('\n').slice(-3).join(' ');
    throw new CatalogueError(`compiling the email templates' MJML failed: ${stderr || (err as Error).message}`, { cause: err });
  }
  const outcomes = JSON.parse(out.toString('utf8')) as MjmlOutcome[];
  if (outcomes.length !== sources.length) throw new CatalogueError(`the MJML compiler answered ${outcomes.length} documents for ${sources.length}`);
  return outcomes;
}
