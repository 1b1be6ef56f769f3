import { ChannelName, CHANNELS, Notification, PayloadField } from './notification';

export type ValidationCode = 'INVALID_PAYLOAD' | 'UNKNOWN_CHANNEL' | 'INVALID_RECIPIENT';

/** One problem of a notification: the field, what is wrong (never its value), and the failure code. */
export interface FieldProblem {
  field: string;
  problem: string;
  code: ValidationCode;
}

/**
 * Each channel's payload checks, run by the notifier before sending and by the producer
 * client before publishing. Values never appear in a problem (they may be personal data).
 */
type Problems = FieldProblem[];
type Check = (n: Notification, problems: Problems) => void;

// Deliberately simple: one @, no spaces or angle brackets, a dotted domain.
const EMAIL_ADDRESS = /^[^\s@<>(),;:"\\]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;
// E.164: a plus sign and at most 15 digits, no leading zero (7 is the shortest real number).
const E164 = /^\+[1-9]\d{6,14}$/;
const LINE_ID = /^[UCR][0-9a-f]{32}$/;
// A conversation ID (C…, G…, D…, or a user ID U… for a direct message) or a channel name.
const SLACK_CHANNEL = /^(?:[CGDU][A-Z0-9]{8,20}|#?[a-z0-9][a-z0-9._-]{0,79})$/;
const CONTROL_OR_SPACE = /[\s\u0000-\u001f\u007f]/;

export const LIMITS = {
  // A whole encoded notification: Pub/Sub's 10 MB less room for the attributes the notifier
  // adds when it publishes the message again (held, released, dead-lettered). No notification
  // within the channel limits comes near it; padding or unknown fields can.
  notificationBytes: 8 * 1024 * 1024,
  // A notification mail's text and html each: every byte is held several times over while
  // the mail is composed and sent, by each of the instance's concurrent deliveries.
  emailBodyBytes: 1024 * 1024,
  smsBody: 1600, // Twilio's maximum message length
  pushTokenLength: 4096,
  pushPayloadBytes: 4096, // FCM's limit for notification and data payloads
  lineText: 5000, // LINE text message limit
  slackText: 40000, // Slack truncates longer messages
  webhookUrlLength: 2048,
  webhookPayloadBytes: 1024 * 1024,
  // Objects and arrays within each other: a deeper document parses, but serialising it for the
  // signed request body overflows the stack (about 4,100 levels in Node 20).
  webhookPayloadDepth: 100,
  contentTitle: 256,
  contentBody: 4000,
  contentDataEntries: 20,
  contentPushBodyBytes: 256, // left for the body when content is rendered for a device
} as const;

/** FCM rejects these data keys: "from", "message_type", "notification", and any starting with "google" or "gcm". */
export function isReservedFcmKey(key: string): boolean {
  return ['from', 'message_type', 'notification'].includes(key) || /^(google|gcm)/i.test(key);
}

function problem(problems: Problems, field: string, text: string, code: ValidationCode = 'INVALID_PAYLOAD') {
  problems.push({ field, problem: text, code });
}

/** The channel's payload, or a problem naming it; checks run only when it is there. */
function payloadOf<F extends PayloadField>(n: Notification, field: F, channel: string, problems: Problems) {
  const payload = n[field];
  if (!payload) problem(problems, field, `is required for channel ${channel}`);
  return payload as NonNullable<Notification[F]> | undefined;
}

/** A required text field no longer than `max` characters. */
function text(problems: Problems, field: string, value: string, max?: number) {
  if (!value) problem(problems, field, 'is required');
  else if (max !== undefined && value.length > max) problem(problems, field, `is longer than ${max} characters`);
}

/** A channel that reaches a recipient: every channel but CHANNEL_UNSPECIFIED. */
export type RecipientChannel = Exclude<ChannelName, 'CHANNEL_UNSPECIFIED'>;

/**
 * Why `address` cannot reach anyone on a channel, or undefined. The check of each
 * payload's recipient field, and of an account's contacts (settings).
 */
export const RECIPIENT_CHECKS: Readonly<Record<RecipientChannel, (address: string) => string | undefined>> = {
  EMAIL: (a) => (a.length > 254 || !EMAIL_ADDRESS.test(a) ? 'is not a valid email address' : undefined),
  SMS: (a) => (E164.test(a) ? undefined : 'is not an E.164 phone number (+ and 7 to 15 digits)'),
  PUSH: (a) => (a.length > LIMITS.pushTokenLength || CONTROL_OR_SPACE.test(a) ? 'is not an FCM registration token' : undefined),
  SLACK: (a) => (SLACK_CHANNEL.test(a) ? undefined : 'is not a Slack conversation ID or channel name'),
  LINE: (a) => (LINE_ID.test(a) ? undefined : 'is not a LINE user, group or room ID'),
  WEBHOOK: (a) => webhookUrlProblem(a),
};

/** A required recipient field, checked by its channel's RECIPIENT_CHECKS. */
function recipient(problems: Problems, field: string, channel: RecipientChannel, value: string) {
  const why = value ? RECIPIENT_CHECKS[channel](value) : 'is required';
  if (why) problem(problems, field, why, 'INVALID_RECIPIENT');
}

const checkEmail: Check = (n, problems) => {
  const email = payloadOf(n, 'email', 'EMAIL', problems);
  if (!email) return;
  recipient(problems, 'email.to', 'EMAIL', email.to);
  if (!email.subject) problem(problems, 'email.subject', 'is required');
  else if (/[\r\n]/.test(email.subject)) problem(problems, 'email.subject', 'must be a single line');
  if (!email.text && !email.html) problem(problems, 'email.text', 'text or html is required');
  for (const [field, value] of [['email.text', email.text], ['email.html', email.html]] as const) {
    if (Buffer.byteLength(value) > LIMITS.emailBodyBytes) problem(problems, field, `is larger than ${LIMITS.emailBodyBytes} bytes`);
  }
};

const checkSms: Check = (n, problems) => {
  const sms = payloadOf(n, 'sms', 'SMS', problems);
  if (!sms) return;
  recipient(problems, 'sms.to', 'SMS', sms.to);
  text(problems, 'sms.body', sms.body, LIMITS.smsBody);
};

const checkPush: Check = (n, problems) => {
  const push = payloadOf(n, 'push', 'PUSH', problems);
  if (!push) return;
  recipient(problems, 'push.device_token', 'PUSH', push.deviceToken);
  if (!push.title && !push.body) problem(problems, 'push.body', 'title or body is required');
  const reserved = Object.keys(push.data).filter(isReservedFcmKey);
  if (reserved.length) problem(problems, 'push.data', `uses keys FCM reserves (${reserved.join(', ')})`);
  const bytes = [push.title, push.body, ...Object.entries(push.data).flat()].reduce((sum, s) => sum + Buffer.byteLength(s), 0);
  if (bytes > LIMITS.pushPayloadBytes) problem(problems, 'push', `title, body and data exceed FCM's ${LIMITS.pushPayloadBytes} bytes`);
};

const checkSlack: Check = (n, problems) => {
  const slack = payloadOf(n, 'slack', 'SLACK', problems);
  if (!slack) return;
  // Empty: the incoming webhook's own channel.
  if (slack.channel) recipient(problems, 'slack.channel', 'SLACK', slack.channel);
  text(problems, 'slack.text', slack.text, LIMITS.slackText);
};

const checkLine: Check = (n, problems) => {
  const line = payloadOf(n, 'line', 'LINE', problems);
  if (!line) return;
  recipient(problems, 'line.to', 'LINE', line.to);
  text(problems, 'line.text', line.text, LIMITS.lineText);
};

/** Why a webhook URL cannot be used at all; where it may point is the channel's (configured) decision. */
function webhookUrlProblem(value: string): string | undefined {
  if (value.length > LIMITS.webhookUrlLength) return `is longer than ${LIMITS.webhookUrlLength} characters`;
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

const checkWebhook: Check = (n, problems) => {
  const webhook = payloadOf(n, 'webhook', 'WEBHOOK', problems);
  if (!webhook) return;
  recipient(problems, 'webhook.url', 'WEBHOOK', webhook.url);
  if (!webhook.payloadJson) return problem(problems, 'webhook.payload_json', 'is required (a JSON document)');
  if (Buffer.byteLength(webhook.payloadJson) > LIMITS.webhookPayloadBytes) {
    return problem(problems, 'webhook.payload_json', `is larger than ${LIMITS.webhookPayloadBytes} bytes`);
  }
  try {
    JSON.parse(webhook.payloadJson);
  } catch {
    return problem(problems, 'webhook.payload_json', 'is not valid JSON');
  }
  if (nestingDepth(webhook.payloadJson) > LIMITS.webhookPayloadDepth) {
    problem(problems, 'webhook.payload_json', `nests objects and arrays more than ${LIMITS.webhookPayloadDepth} levels deep`);
  }
};

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

/** A routed notification's content; each channel's rendering is cut to that channel's limits. */
const checkContent: Check = (n, problems) => {
  const content = n.content;
  if (!content) return;
  if (!content.title && !content.body) problem(problems, 'content.body', 'title or body is required');
  if (content.title.length > LIMITS.contentTitle) problem(problems, 'content.title', `is longer than ${LIMITS.contentTitle} characters`);
  if (content.body.length > LIMITS.contentBody) problem(problems, 'content.body', `is longer than ${LIMITS.contentBody} characters`);
  const urlProblem = content.url ? webhookUrlProblem(content.url) : undefined;
  if (urlProblem) problem(problems, 'content.url', urlProblem);
  const keys = Object.keys(content.data);
  if (keys.length > LIMITS.contentDataEntries) problem(problems, 'content.data', `has more than ${LIMITS.contentDataEntries} entries`);
  const reserved = keys.filter(isReservedFcmKey);
  if (reserved.length) problem(problems, 'content.data', `uses keys FCM reserves (${reserved.join(', ')})`);
  // A device gets title, data and the link whole, and the body in what is left.
  const whole = [content.title, ...Object.entries(content.data).flat(), ...(content.url ? ['url', content.url] : [])];
  const bytes = whole.reduce((sum, s) => sum + Buffer.byteLength(s), 0);
  if (bytes > LIMITS.pushPayloadBytes - LIMITS.contentPushBodyBytes) {
    problem(problems, 'content.data', `with the title and url exceeds ${LIMITS.pushPayloadBytes - LIMITS.contentPushBodyBytes} bytes (FCM's ${LIMITS.pushPayloadBytes}, less room for the body)`);
  }
};

/** Channel number → its payload check. */
export const PAYLOAD_CHECKS: Readonly<Partial<Record<number, Check>>> = {
  [CHANNELS.CHANNEL_UNSPECIFIED]: checkContent,
  [CHANNELS.EMAIL]: checkEmail,
  [CHANNELS.SMS]: checkSms,
  [CHANNELS.PUSH]: checkPush,
  [CHANNELS.SLACK]: checkSlack,
  [CHANNELS.LINE]: checkLine,
  [CHANNELS.WEBHOOK]: checkWebhook,
};

/** The size check on a notification's encoded bytes (the validator sees only the decoded notification). */
export function encodedSizeProblem(bytes: number): FieldProblem | undefined {
  if (bytes <= LIMITS.notificationBytes) return undefined;
  return { field: 'notification', problem: `is ${bytes} bytes encoded, more than ${LIMITS.notificationBytes}`, code: 'INVALID_PAYLOAD' };
}
