import type { PushedMessage } from '../delivery/deliver';

/** The request is not a Pub/Sub push envelope at all (→ 400). */
export class EnvelopeError extends Error {
  override name = 'EnvelopeError';
}

export interface PushEnvelope {
  message: PushedMessage;
  subscription: string;
  /** Only present when the subscription has a dead-letter policy; informational. */
  deliveryAttempt?: number;
  /** When Pub/Sub accepted the message (`publishTime`), epoch ms; absent when missing or unreadable. */
  publishTimeMs?: number;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Parses a wrapped push body: `{"message":{"data","attributes","messageId"|"message_id",…},
 * "subscription","deliveryAttempt"?}`. Only the envelope is checked here; the payload
 * (`data`) is the delivery's business, so a bad payload is never a 400.
 */
export function parseEnvelope(body: unknown): PushEnvelope {
  if (!isObject(body) || !isObject(body.message)) throw new EnvelopeError('body has no "message" object');
  const m = body.message;
  const messageId = m.messageId ?? m.message_id;
  if (typeof messageId !== 'string' || !messageId) throw new EnvelopeError('message has no messageId');
  if (m.data !== undefined && typeof m.data !== 'string') throw new EnvelopeError('message.data is not a base64 string');
  const attributes: Record<string, string> = {};
  if (m.attributes !== undefined && m.attributes !== null) {
    if (!isObject(m.attributes)) throw new EnvelopeError('message.attributes is not an object');
    for (const [k, v] of Object.entries(m.attributes)) {
      if (typeof v !== 'string') throw new EnvelopeError(`attribute ${JSON.stringify(k)} is not a string`);
      attributes[k] = v;
    }
  }
  const attempt = body.deliveryAttempt;
  const published = typeof (m.publishTime ?? m.publish_time) === 'string' ? Date.parse((m.publishTime ?? m.publish_time) as string) : NaN;
  return {
    message: { messageId, data: Buffer.from((m.data as string | undefined) ?? '', 'base64'), attributes },
    subscription: typeof body.subscription === 'string' ? body.subscription : '',
    deliveryAttempt: typeof attempt === 'number' && Number.isInteger(attempt) ? attempt : undefined,
    ...(Number.isFinite(published) && { publishTimeMs: published }),
  };
}
