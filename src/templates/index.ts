/**
 * The template catalogue: template files (templates/ at the package root) loaded and compiled
 * once, rendered per channel and locale. Server side (Liquid, MJML); producers use the
 * client-safe variables.ts and manifest.ts.
 */
import { TEMPLATES_DIR } from '../paths';
import { loadCatalogue as load } from './load-catalogue';
import type { Catalogue } from './types';

export { TEMPLATE_CHANNELS } from './channel-files';
export { CatalogueError, TemplateError, type TemplateErrorCode } from './errors';
export type { Catalogue, RenderedTemplate, TemplateChannel, TemplateParts, TemplateRequest, TemplateVersionInfo } from './types';

/** The catalogue deployed with the service. */
export const DEFAULT_TEMPLATES_DIR: string = TEMPLATES_DIR;

/** Loads and compiles the catalogue in `dir` (default: the deployed one); sync; throws CatalogueError naming the file. */
export function loadCatalogue(dir: string = DEFAULT_TEMPLATES_DIR): Catalogue {
  return load(dir);
}
