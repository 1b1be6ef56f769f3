import { defineMessage, problem, requiredRecipient } from '../message-kit';

export interface WebhookPayload {
  url: string;
  /** A JSON document; sent as `data` in the signed body. */
  payloadJson: string;
}

export const WEBHOOK_LIMITS = {
  urlLength: 2048,
  payloadBytes: 1024 * 1024,
  // Objects and arrays within each other: a deeper document parses, but serialising it for the
  // signed request body overflows the stack (about 4,100 levels in Node 20).
  payloadDepth: 100,
} as const;

/** Why a URL cannot be used at all; where a webhook may point is the channel's (configured) decision. */
export function webhookUrlProblem(value: string): string | undefined {
  if (value.length > WEBHOOK_LIMITS.urlLength) return `is longer than ${WEBHOOK_LIMITS.urlLength} characters`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an https URL';
  if (url.username || url.password) return 'must not contain credentials';
  return undefined;
}

/** How deeply objects and arrays nest in a valid JSON text (brackets inside strings do not count). */
function nestingDepth(json: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') deepest = Math.max(deepest, ++depth);
    else if (c === '}' || c === ']') depth--;
  }
  return deepest;
}

/** `payload` is any JSON value (sent as `data`); or give it already serialised as `payloadJson`. */
export type WebhookInput = { url: string; payload?: unknown; payloadJson?: string };

export const WEBHOOK = defineMessage<WebhookPayload, WebhookInput>()({
  name: 'WEBHOOK',
  number: 6,
  field: 'webhook',
  contactsPerAccount: 3,
  recipientProblem: webhookUrlProblem,
  check(webhook, problems) {
    requiredRecipient(problems, 'webhook.url', webhook.url, webhookUrlProblem);
    const field = 'webhook.payload_json';
    if (!webhook.payloadJson) return problem(problems, field, 'is required (a JSON document)');
    if (Buffer.byteLength(webhook.payloadJson) > WEBHOOK_LIMITS.payloadBytes) {
      return problem(problems, field, `is larger than ${WEBHOOK_LIMITS.payloadBytes} bytes`);
    }
    try {
      JSON.parse(webhook.payloadJson);
    } catch {
      return problem(problems, field, 'is not valid JSON');
    }
    if (nestingDepth(webhook.payloadJson) > WEBHOOK_LIMITS.payloadDepth) {
      problem(problems, field, `nests objects and arrays more than ${WEBHOOK_LIMITS.payloadDepth} levels deep`);
    }
  },
  fromInput: {
    keys: ['payload'],
    convert({ payload, ...rest }, problems) {
      if (payload === undefined) return rest;
      if (rest.payloadJson !== undefined) {
        problem(problems, 'webhook.payload', 'give payload or payloadJson, not both');
        return rest;
      }
      let payloadJson: string | undefined;
      try {
        payloadJson = JSON.stringify(payload);
      } catch {
        // a cycle or a BigInt: reported below
      }
      if (payloadJson === undefined) problem(problems, 'webhook.payload', 'cannot be serialised as JSON');
      return { ...rest, payloadJson: payloadJson ?? '' };
    },
  },
  fromFlags: (f) => ({ url: f.to ?? '', payloadJson: f.payload ?? '' }),
  render: (url, c) => ({ url, payloadJson: JSON.stringify({ title: c.title, body: c.body, url: c.url, data: c.data }) }),
});
