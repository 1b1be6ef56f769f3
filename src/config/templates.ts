import { Env, optional } from './env';

/**
 * TEMPLATES_DIR for `notifier templates`, which has no service config to read it from (the
 * service's is Config.templatesDir). Undefined when unset: the command then uses the templates
 * shipped with the package (DEFAULT_TEMPLATES_DIR of src/templates).
 */
export function loadTemplatesDir(env: Env = process.env): string | undefined {
  return optional(env, 'TEMPLATES_DIR');
}
