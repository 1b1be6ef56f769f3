import { cut } from '../../text';
import { defineMessage, lines, problem, requiredRecipient } from '../message-kit';

export interface EmailPayload {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export const EMAIL_LIMITS = {
  // A notification mail's text and html each: every byte is held several times over while
  // the mail is composed and sent, by each of the instance's concurrent deliveries.
  bodyBytes: 1024 * 1024,
  addressLength: 254,
  subjectFromContent: 200,
} as const;

// Deliberately simple: one @, no spaces or angle brackets, a dotted domain.
const EMAIL_ADDRESS = /^[^\s@<>(),;:"\\]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;

/** A mail subject from content: the first line with text in the title, else the body, else the type (any of CR, LF, CRLF ends a line). */
function subjectOf(title: string, body: string, type: string): string {
  const line = [title, body].flatMap((t) => t.split(/\r\n|\r|\n/)).find((l) => l.trim() !== '');
  return cut(line ?? type, EMAIL_LIMITS.subjectFromContent);
}

export const EMAIL = defineMessage<EmailPayload, Partial<EmailPayload> & Pick<EmailPayload, 'to' | 'subject'>>()({
  name: 'EMAIL',
  number: 1,
  field: 'email',
  contactsPerAccount: 3,
  recipientProblem: (a) => (a.length > EMAIL_LIMITS.addressLength || !EMAIL_ADDRESS.test(a) ? 'is not a valid email address' : undefined),
  check(email, problems) {
    requiredRecipient(problems, 'email.to', email.to, EMAIL.recipientProblem);
    if (!email.subject) problem(problems, 'email.subject', 'is required');
    else if (/[\r\n]/.test(email.subject)) problem(problems, 'email.subject', 'must be a single line');
    if (!email.text && !email.html) problem(problems, 'email.text', 'text or html is required');
    for (const [field, value] of [['email.text', email.text], ['email.html', email.html]] as const) {
      if (Buffer.byteLength(value) > EMAIL_LIMITS.bodyBytes) problem(problems, field, `is larger than ${EMAIL_LIMITS.bodyBytes} bytes`);
    }
  },
  fromFlags: (f) => ({ to: f.to ?? '', subject: f.subject ?? '', text: f.text, html: f.html }),
  render: (to, c, type) => ({ to, subject: subjectOf(c.title, c.body, type), text: lines(c.body || c.title, c.url && `\n${c.url}`), html: '' }),
});
