import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../../../src/paths';

/**
 * The README and the guides in docs/ as a reader follows them: every relative link leads to a
 * file that exists and, with a `#fragment`, to a heading there; the README stays a front door
 * (short, with every guide linked from its first screen).
 */
const README = 'README.md';
const MAX_README_LINES = 250;
/** What a reader sees without scrolling: the top of the README. */
const FIRST_SCREEN_LINES = 50;

const documents = (): string[] => [
  README,
  ...readdirSync(path.join(PACKAGE_ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`),
];

const read = (file: string) => readFileSync(path.join(PACKAGE_ROOT, file), 'utf8');

/** The lines outside fenced code blocks (``` or ~~~), with their 1-based numbers. */
function proseLines(text: string): { line: number; text: string }[] {
  const lines: { line: number; text: string }[] = [];
  let fence: string | undefined;
  text.split('\n').forEach((t, i) => {
    const marker = /^\s*(```|~~~)/.exec(t)?.[1];
    if (marker && (fence === undefined || fence === marker)) {
      fence = fence === undefined ? marker : undefined;
      return;
    }
    if (fence === undefined) lines.push({ line: i + 1, text: t });
  });
  return lines;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
export function slug(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]*>/g, '')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Every anchor a Markdown file offers: its headings' slugs, repeats numbered as GitHub does. */
function anchorsOf(file: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const { text } of proseLines(read(file))) {
    const heading = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(text)?.[1];
    if (heading === undefined) continue;
    const base = slug(heading);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

interface Link {
  file: string;
  line: number;
  target: string;
}

/** Paragraphs of prose (a link's text may span lines), each with the number of its first line. */
function proseBlocks(text: string): { line: number; text: string }[] {
  const blocks: { line: number; text: string }[] = [];
  let previous = -1;
  for (const { line, text: t } of proseLines(text)) {
    if (!t.trim()) continue;
    if (line === previous + 1 && blocks.length > 0) blocks.at(-1)!.text += ` ${t.trim()}`;
    else blocks.push({ line, text: t.trim() });
    previous = line;
  }
  return blocks;
}

/** The inline links `[text](target)` of a document's prose, code spans left out. */
function linksOf(file: string): Link[] {
  return proseBlocks(read(file)).flatMap(({ line, text }) =>
    [...text.replace(/`[^`]*`/g, '').matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => ({ file, line, target: m[1]! })),
  );
}

const isRelative = (target: string) => !/^[a-z][a-z0-9+.-]*:/i.test(target);

/** Why a relative link leads nowhere, or undefined when it arrives. */
function brokenBecause(link: Link): string | undefined {
  const [rawPath, fragment] = link.target.split('#', 2) as [string, string | undefined];
  const pathPart = decodeURI(rawPath);
  const resolved = pathPart === '' ? link.file : path.posix.normalize(path.posix.join(path.posix.dirname(link.file), pathPart));
  if (resolved.startsWith('..')) return `${resolved} is outside the package`;
  const absolute = path.join(PACKAGE_ROOT, resolved);
  if (!existsSync(absolute)) return `${resolved} does not exist`;
  if (fragment === undefined || fragment === '') return undefined;
  if (statSync(absolute).isDirectory() || !resolved.endsWith('.md')) return `#${fragment} points into ${resolved}, which has no headings`;
  return anchorsOf(resolved).has(decodeURIComponent(fragment)) ? undefined : `${resolved} has no heading for #${fragment}`;
}

describe('links in README.md and docs/*.md', () => {
  test('when the anchors of headings are computed, then they follow GitHub (lower case, punctuation dropped, spaces as hyphens)', () => {
    expect(slug('Local pipeline (`npm start`)')).toBe('local-pipeline-npm-start');
    expect(slug('`notifier failures`')).toBe('notifier-failures');
    expect(slug('smtp-outage --mode refuse — FAIL (the e-mail channel never recovers)')).toBe('smtp-outage---mode-refuse--fail-the-e-mail-channel-never-recovers');
    expect(slug('notifier: backlog growing')).toBe('notifier-backlog-growing');
    expect(slug('Memory per push (`npm run bench:memory`)')).toBe('memory-per-push-npm-run-benchmemory');
  });

  test('when the documents are read, then they hold relative links to check (so the next test is not vacuous)', () => {
    const relative = documents().flatMap(linksOf).filter((l) => isRelative(l.target));
    expect(relative.length).toBeGreaterThan(50);
    expect(relative.some((l) => l.target.includes('#'))).toBe(true);
  });

  test.each(documents())('when a reader follows a relative link in %s, then the file exists and so does the heading it names', (file) => {
    const broken = linksOf(file)
      .filter((l) => isRelative(l.target))
      .map((l) => ({ at: `${l.file}:${l.line}`, target: l.target, problem: brokenBecause(l) }))
      .filter((l) => l.problem !== undefined);
    expect(broken).toEqual([]);
  });
});

describe('README.md as the front door', () => {
  test(`when the README is read, then it is at most ${MAX_README_LINES} lines`, () => {
    const lines = read(README).replace(/\n$/, '').split('\n').length;
    expect(lines).toBeLessThanOrEqual(MAX_README_LINES);
  });

  test(`when a newcomer reads the README's first ${FIRST_SCREEN_LINES} lines, then every guide in docs/ is linked there`, () => {
    const firstScreen: Link[] = linksOf(README).filter((l) => l.line <= FIRST_SCREEN_LINES);
    const linked = new Set(firstScreen.filter((l) => isRelative(l.target)).map((l) => path.posix.normalize(l.target.split('#')[0]!)));
    const guides = documents().filter((f) => f !== README);
    expect(guides.filter((g) => !linked.has(g))).toEqual([]);
  });
});
