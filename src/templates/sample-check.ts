/**
 * A version's sample.json must fit its variables and render every file: a template that
 * fails with its own sample fails at load, not at its first delivery.
 */
import { CatalogueError } from './errors';
import type { CatalogueContext } from './load-version';
import { PartRenderError, renderParts, type LocaleFiles } from './parts';
import { toScope } from './typed-values';
import type { TemplateChannel } from './types';
import { checkData, describeDataProblems, type ParsedVariableSpec } from './variables';

/** Throws CatalogueError naming sample.json (bad data) or the file that failed to render it. */
export function checkSample(
  declared: Readonly<Record<string, string>>,
  variables: ReadonlyMap<string, ParsedVariableSpec>,
  sample: unknown,
  channels: ReadonlyMap<TemplateChannel, ReadonlyMap<string, LocaleFiles>>,
  sampleFile: string,
  ctx: CatalogueContext,
): void {
  const problems = checkData(declared, sample);
  if (problems.length) throw ctx.fail(sampleFile, describeDataProblems(problems));
  for (const byLocale of channels.values()) {
    for (const files of byLocale.values()) {
      const scope = toScope(variables, sample as Record<string, unknown>, { locale: files.locale, timeZone: 'UTC' });
      let parts;
      try {
        parts = renderParts(files, scope);
      } catch (err) {
        if (!(err instanceof PartRenderError)) throw err;
        throw new CatalogueError(`${err.source}: rendering sample.json failed: ${(err.failure as Error).message}`);
      }
      // A body that renders to nothing would be refused at every delivery.
      const empty = files.parts.find((p) => !p.singleLine && !parts[p.part]);
      if (empty) throw new CatalogueError(`${empty.source}: renders empty with sample.json`);
    }
  }
}
