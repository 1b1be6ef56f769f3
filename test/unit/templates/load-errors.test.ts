import path from 'node:path';
import { CatalogueError, loadCatalogue } from '../../../src/templates';
import { fixture } from './fixtures';

function loadError(name: string): CatalogueError {
  try {
    loadCatalogue(fixture(name));
  } catch (err) {
    expect(err).toBeInstanceOf(CatalogueError);
    return err as CatalogueError;
  }
  throw new Error(`fixture ${name} loaded without an error`);
}

describe('loadCatalogue refuses a broken catalogue, naming the file', () => {
  test.each([
    ['undeclared-variable', /^undeclared-variable\/notice\/1\/sms\.en\.liquid: uses couponCode, not declared in template\.json "variables"$/],
    ['bad-json', /^bad-json\/notice\/1\/template\.json: is not valid JSON$/],
    ['unknown-type', /^unknown-type\/notice\/1\/template\.json: variable name: "strng" is not a type/],
    ['missing-default-locale', /^missing-default-locale\/notice\/1: SMS has files but none in the default locale \(sms\.en\.liquid\)$/],
    ['missing-subject', /^missing-subject\/notice\/1\/email\.en\.mjml: front matter "subject:" is required$/],
    ['bad-sample', /^bad-sample\/notice\/1\/sample\.json: data\.name: is required$/],
    ['mjml-error', /^mjml-error\/notice\/1\/email\.en\.mjml: MJML error: mjml-error\/notice\/1\/email\.en\.mjml line 5 \(mj-text\): mj-text cannot be used inside mj-section/],
    ['mjml-liquid-syntax', /^mjml-liquid-syntax\/notice\/1\/email\.en\.mjml: tag \{% if name %\} not closed, line:6, col:14/],
    ['mjml-dropped-liquid', /^mjml-dropped-liquid\/notice\/1\/email\.en\.mjml: MJML dropped or changed the Liquid \{% endif %\}; put Liquid inside an ending tag/],
    ['unknown-layout', /^unknown-layout\/notice\/1\/template\.json: layout "fancy" is not in layouts\/ \(default\)$/],
    ['unknown-front-matter', /^unknown-front-matter\/notice\/1\/sms\.en\.liquid line 2: unknown front matter key "title" \(this file takes none\)$/],
    ['non-canonical-locale', /^non-canonical-locale\/notice\/1\/sms\.en-us\.liquid: write the locale as en-US$/],
    // Longer than an account's or a notification's locale can be, and than the ledger's rendering reference has room for.
    ['long-locale', /^long-locale\/notice\/1\/sms\.en-US-u-ca-gregory-co-phonebk-hc-h23-nu-latn\.liquid: "en-US-u-ca-gregory-co-phonebk-hc-h23-nu-latn" is not a BCP 47 language tag of at most 35 characters$/],
    ['unknown-file', /^unknown-file\/notice\/1\/sms\.en\.txt: is not a template file \(template\.json, sample\.json, email\.<locale>\.mjml/],
    ['bad-template-id', /^bad-template-id\/Notice: is not a template ID/],
    ['bad-version', /^bad-version\/notice\/v1: is not a version \(a positive integer\)$/],
    ['liquid-syntax', /^liquid-syntax\/notice\/1\/sms\.en\.liquid: undefined filter: shout, line:1, col:4/],
    ['bad-catalogue-json', /^bad-catalogue-json\/catalogue\.json: "defaultLocale" must be a canonical BCP 47 language tag/],
    ['empty-render', /^empty-render\/notice\/1\/sms\.en\.liquid: renders empty with sample\.json$/],
    ['unknown-property', /^unknown-property\/notice\/1\/sms\.en\.liquid: rendering sample\.json failed: undefined variable: total\.amout/],
  ])('when the catalogue is %s, then the CatalogueError says where and what', (name, message) => {
    expect(loadError(name).message).toMatch(message);
  });

  test('when the directory does not exist, then the error names it', () => {
    const missing = fixture('no-such-catalogue');
    expect(() => loadCatalogue(missing)).toThrow(new CatalogueError(`${path.resolve(missing)}: templates directory not found`));
  });

  test('when the directory has no catalogue.json, then the error names that file', () => {
    expect(() => loadCatalogue(path.join(fixture('typed'), 'loop'))).toThrow(/^loop\/catalogue\.json: cannot be read \(ENOENT\)$/);
  });
});

describe('a template cannot read files', () => {
  test.each([
    ['include', 'include-file'],
    ['render', 'render-file'],
  ])('when a file uses {%% %s %%}, then loading fails on the tag, before any file is looked up', (tag, name) => {
    const error = loadError(name);
    expect(error.message).toMatch(new RegExp(`^${name}/notice/1/sms\\.en\\.liquid: tag "${tag}" not found`));
    expect(error.message).not.toMatch(/root:|ENOENT|EACCES/);
  });
});
