import { MIN_SIGNING_KEY_LENGTH } from '../codec/internal-attributes';
import { ConfigError, Env, optional } from './env';
import { LOCAL_SUPPRESSION_KEY } from './service';

/**
 * SUPPRESSION_KEY for `notifier suppressions`: the notifier's key, so that the CLI's hashes are
 * the ones deliveries look up. Unlike the service outside production, the CLI never falls back
 * to the local key unless told `local`: a wrong key finds nothing and removes nothing, silently.
 */
export function loadSuppressionKey(env: Env = process.env, opts: { local?: boolean } = {}): string {
  const key = optional(env, 'SUPPRESSION_KEY') ?? (opts.local ? LOCAL_SUPPRESSION_KEY : undefined);
  if (key === undefined) {
    throw new ConfigError(
      'SUPPRESSION_KEY',
      "is required: the list keeps addresses as HMACs under the notifier's key " +
        '(gcloud secrets versions access latest --secret=notifier-suppression-key); --local uses the local key',
    );
  }
  if (key.length < MIN_SIGNING_KEY_LENGTH) throw new ConfigError('SUPPRESSION_KEY', `must be at least ${MIN_SIGNING_KEY_LENGTH} characters`);
  return key;
}
