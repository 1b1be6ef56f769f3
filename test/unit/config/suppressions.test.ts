import { ConfigError, loadSuppressionKey, LOCAL_SUPPRESSION_KEY } from '../../../src/config';

const KEY = 'a-deployment-suppression-key-of-32+chars';

describe('loadSuppressionKey', () => {
  test('when SUPPRESSION_KEY is set, then it is the key, with or without --local', () => {
    expect(loadSuppressionKey({ SUPPRESSION_KEY: ` ${KEY} ` })).toBe(KEY);
    expect(loadSuppressionKey({ SUPPRESSION_KEY: KEY }, { local: true })).toBe(KEY);
  });

  test('when SUPPRESSION_KEY is unset and the CLI runs with --local, then the local key, as npm start uses it', () => {
    expect(loadSuppressionKey({}, { local: true })).toBe(LOCAL_SUPPRESSION_KEY);
  });

  test('when SUPPRESSION_KEY is unset without --local, then a ConfigError names it and where the key is, whatever NODE_ENV says', () => {
    for (const env of [{}, { NODE_ENV: 'development' }, { SUPPRESSION_KEY: '  ' }]) {
      expect(() => loadSuppressionKey(env)).toThrow(ConfigError);
      expect(() => loadSuppressionKey(env)).toThrow(/^SUPPRESSION_KEY: is required: .*--secret=notifier-suppression-key.*--local uses the local key$/);
    }
  });

  test('when SUPPRESSION_KEY is shorter than 32 characters, then a ConfigError says so without quoting it', () => {
    expect(() => loadSuppressionKey({ SUPPRESSION_KEY: 'short-secret' })).toThrow(/^SUPPRESSION_KEY: must be at least 32 characters$/);
    expect(() => loadSuppressionKey({ SUPPRESSION_KEY: 'short-secret' }, { local: true })).toThrow(/^SUPPRESSION_KEY: must be at least 32 characters$/);
  });
});
