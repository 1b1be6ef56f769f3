import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { INTERNAL_PREFIX, SIGNATURE_ATTRIBUTE } from './attributes';

/**
 * The notifier's own attributes (`notifier_target`, `notifier_release_of`,
 * `notifier_replay_of`, `notifier_routed_from`, …) change how it treats a message: which
 * ledger row it takes, whether quiet hours apply, whether a failed row may be reopened. Producers
 * publish to the same topic, so these attributes are obeyed only when the message carries a
 * valid signature made with one of INTERNAL_SIGNING_KEYS: an HMAC-SHA256 over the SHA-256 of
 * the message data and every `notifier_*` attribute's name and value. The notifier signs what it
 * publishes itself (routed messages, releases); `notifier replay` and `notifier resolve --as resend`
 * sign with the key an operator reads from Secret Manager. A signature cannot be moved to other
 * data or other attribute values, and a captured message published again is the same message
 * (the ledger deduplicates it; a replay reopens only a failed row, at most MAX_REPLAYS times).
 */
/** A key shorter than this is refused: it would be guessable. */
export const MIN_SIGNING_KEY_LENGTH = 32;
/** Not a secret: the key of the local pipeline and the tests (NODE_ENV other than production, or an emulator). */
export const LOCAL_SIGNING_KEY = 'local-only-notifier-signing-key-not-for-production';

const SCHEME = 'v1=';

const isInternal = (name: string) => name.startsWith(INTERNAL_PREFIX) && name !== SIGNATURE_ATTRIBUTE;

function signatureOf(key: string, data: Buffer, attributes: Record<string, string>): string {
  const internal = Object.entries(attributes)
    .filter(([k]) => isInternal(k))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const digest = createHash('sha256').update(data).digest('hex');
  return SCHEME + createHmac('sha256', key).update(JSON.stringify([digest, internal])).digest('base64url');
}

const withoutSignature = ({ [SIGNATURE_ATTRIBUTE]: _, ...rest }: Record<string, string>) => rest;

/** `attributes` signed for `data` with `key`; with no `notifier_*` attribute, nothing to sign. */
export function signInternal(data: Buffer, attributes: Record<string, string>, key: string): Record<string, string> {
  const rest = withoutSignature(attributes);
  if (!Object.keys(rest).some(isInternal)) return rest;
  return { ...rest, [SIGNATURE_ATTRIBUTE]: signatureOf(key, data, rest) };
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The attributes the notifier may act on: all of them when the `notifier_*` ones are signed
 * with one of `keys` (the first signs, the others are still accepted while a key is rotated),
 * else the message's attributes without any `notifier_*` one; `ignored` names those left out.
 * The signature itself is never passed on.
 */
export function trustedAttributes(
  data: Buffer,
  attributes: Record<string, string>,
  keys: readonly string[],
): { attributes: Record<string, string>; ignored: string[] } {
  const signature = attributes[SIGNATURE_ATTRIBUTE];
  const rest = withoutSignature(attributes);
  const internal = Object.keys(rest).filter(isInternal);
  if (internal.length === 0) return { attributes: rest, ignored: [] };
  if (signature !== undefined && keys.some((key) => sameText(signature, signatureOf(key, data, rest)))) {
    return { attributes: rest, ignored: [] };
  }
  return { attributes: Object.fromEntries(Object.entries(rest).filter(([k]) => !isInternal(k))), ignored: internal };
}
