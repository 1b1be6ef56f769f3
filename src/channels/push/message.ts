import { cut } from '../../text';
import { defineMessage, problem, requiredRecipient } from '../message-kit';

export interface PushPayload {
  /** FCM registration token. */
  deviceToken: string;
  title: string;
  body: string;
  data: Record<string, string>;
}

export const PUSH_LIMITS = {
  tokenLength: 4096,
  payloadBytes: 4096, // FCM's limit for notification and data payloads
} as const;

const CONTROL_OR_SPACE = /[\s\u0000-\u001f\u007f]/;

/** FCM rejects these data keys: "from", "message_type", "notification", and any starting with "google" or "gcm". */
export function isReservedFcmKey(key: string): boolean {
  return ['from', 'message_type', 'notification'].includes(key) || /^(google|gcm)/i.test(key);
}

const bytes = (texts: readonly string[]) => texts.reduce((sum, s) => sum + Buffer.byteLength(s), 0);

export const PUSH = defineMessage<PushPayload, Partial<PushPayload> & Pick<PushPayload, 'deviceToken'>>()({
  name: 'PUSH',
  number: 3,
  field: 'push',
  contactsPerAccount: 10,
  recipientProblem: (a) => (a.length > PUSH_LIMITS.tokenLength || CONTROL_OR_SPACE.test(a) ? 'is not an FCM registration token' : undefined),
  check(push, problems) {
    requiredRecipient(problems, 'push.device_token', push.deviceToken, PUSH.recipientProblem);
    if (!push.title && !push.body) problem(problems, 'push.body', 'title or body is required');
    const reserved = Object.keys(push.data).filter(isReservedFcmKey);
    if (reserved.length) problem(problems, 'push.data', `uses keys FCM reserves (${reserved.join(', ')})`);
    if (bytes([push.title, push.body, ...Object.entries(push.data).flat()]) > PUSH_LIMITS.payloadBytes) {
      problem(problems, 'push', `title, body and data exceed FCM's ${PUSH_LIMITS.payloadBytes} bytes`);
    }
  },
  fromFlags: (f) => ({ deviceToken: f.to ?? '', title: f.subject, body: f.text }),
  render(deviceToken, c) {
    // Title, data and the link whole (the content check keeps them small), the body in what is left.
    const data = { ...c.data, ...(c.url && { url: c.url }) };
    const room = PUSH_LIMITS.payloadBytes - bytes([c.title, ...Object.entries(data).flat()]);
    return { deviceToken, title: c.title, body: cut(c.body, Math.max(0, Math.floor(room / 4))), data };
  },
});
