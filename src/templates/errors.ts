/** The two ways the template catalogue fails: at load (the files) and at render (the request). */

/** Why a rendering was refused; both are permanent for the notification that asked for it. */
export type TemplateErrorCode = 'TEMPLATE_NOT_FOUND' | 'TEMPLATE_DATA_INVALID';

/**
 * A rendering refused: no such template, version, channel or locale (TEMPLATE_NOT_FOUND), or
 * data that does not fit the template (TEMPLATE_DATA_INVALID). The message names `id@version`,
 * the channel, the locales tried or the variable; never a data value.
 */
export class TemplateError extends Error {
  readonly code: TemplateErrorCode;

  constructor(code: TemplateErrorCode, message: string) {
    super(message);
    this.name = 'TemplateError';
    this.code = code;
  }
}

/** The catalogue's files are unusable; the message starts with the file (or directory) at fault. */
export class CatalogueError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CatalogueError';
  }
}
