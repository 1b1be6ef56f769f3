/**
 * Provider status callbacks (src/http/callbacks.ts): where the providers reach the notifier,
 * and the key SendGrid's signed Event Webhook is verified with. Twilio's requests are
 * verified with the account's auth token, the SMS channel's own setting
 * (config.channels.sms.authToken).
 */
import { createPublicKey, KeyObject } from 'node:crypto';
import { ConfigError, Env, optional, url } from './env';

export interface CallbacksConfig {
  /**
   * PUBLIC_URL: the notifier's own base URL as the providers call it, without a trailing
   * slash. Twilio signs the URL it calls, so its signatures are checked against this (and
   * the path), never against the request's Host header. Absent: Twilio callbacks are off.
   */
  readonly publicUrl?: string;
  /** SENDGRID_WEBHOOK_PUBLIC_KEY, base64 DER (SubjectPublicKeyInfo) of SendGrid's P-256 key. Absent: SendGrid callbacks are off. */
  readonly sendgridPublicKey?: string;
}

/**
 * PUBLIC_URL: https in production (Twilio and SendGrid call it over the internet), http
 * allowed elsewhere (the local sandboxes); no query or fragment; trailing slashes dropped.
 */
export function publicUrl(env: Env, production: boolean): string | undefined {
  if (optional(env, 'PUBLIC_URL') === undefined) return undefined;
  const value = url(env, 'PUBLIC_URL', production ? ['https:'] : ['https:', 'http:']);
  const parsed = new URL(value);
  if (parsed.search || parsed.hash || parsed.username || parsed.password) {
    throw new ConfigError('PUBLIC_URL', 'must be a base URL without credentials, query or fragment, e.g. https://notifier-abc123-uc.a.run.app');
  }
  return value.replace(/\/+$/, '');
}

/**
 * SendGrid's verification key as its console shows it: base64 of the DER public key
 * (PEM armour and line breaks are tolerated). It must be an EC key on P-256, the curve
 * SendGrid signs with; anything else stops start-up naming the variable.
 */
export function sendgridPublicKey(base64Der: string): KeyObject {
  const der = Buffer.from(base64Der.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');
  let key: KeyObject;
  try {
    key = createPublicKey({ key: der, format: 'der', type: 'spki' });
  } catch {
    throw new ConfigError('SENDGRID_WEBHOOK_PUBLIC_KEY', 'is not a base64 DER public key (the verification key of the signed Event Webhook)');
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new ConfigError('SENDGRID_WEBHOOK_PUBLIC_KEY', 'must be an ECDSA P-256 public key, as SendGrid signs its events');
  }
  return key;
}

/** The callbacks' settings from the environment, checked once at start-up. */
export function loadCallbacks(env: Env, production: boolean): CallbacksConfig {
  const key = optional(env, 'SENDGRID_WEBHOOK_PUBLIC_KEY');
  if (key !== undefined) sendgridPublicKey(key);
  const base = publicUrl(env, production);
  return Object.freeze({
    ...(base !== undefined && { publicUrl: base }),
    ...(key !== undefined && { sendgridPublicKey: key }),
  });
}
