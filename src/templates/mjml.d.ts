// mjml 4 ships no types; this declares only what mjml-email.ts uses.
declare module 'mjml' {
  namespace mjml2html {
    interface MjmlError {
      line: number;
      message: string;
      tagName: string;
      formattedMessage: string;
    }
    interface MjmlOptions {
      validationLevel?: 'strict' | 'soft' | 'skip';
      ignoreIncludes?: boolean;
      keepComments?: boolean;
    }
    interface MjmlResult {
      html: string;
      errors: MjmlError[];
    }
  }
  function mjml2html(input: string, options?: mjml2html.MjmlOptions): mjml2html.MjmlResult;
  export = mjml2html;
}
