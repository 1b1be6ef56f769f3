import { cut } from '../../text';
import { defineMessage, lines, requiredRecipient, requiredText } from '../message-kit';

export interface SmsPayload {
  /** E.164, e.g. `+819012345678`. */
  to: string;
  body: string;
}

export const SMS_LIMITS = {
  body: 1600, // Twilio's maximum message length
} as const;

// E.164: a plus sign and at most 15 digits, no leading zero (7 is the shortest real number).
export const E164 = /^\+[1-9]\d{6,14}$/;

export const SMS = defineMessage<SmsPayload>()({
  name: 'SMS',
  number: 2,
  field: 'sms',
  contactsPerAccount: 3,
  recipientProblem: (a) => (E164.test(a) ? undefined : 'is not an E.164 phone number (+ and 7 to 15 digits)'),
  check(sms, problems) {
    requiredRecipient(problems, 'sms.to', sms.to, SMS.recipientProblem);
    requiredText(problems, 'sms.body', sms.body, SMS_LIMITS.body);
  },
  fromFlags: (f) => ({ to: f.to ?? '', body: f.text ?? '' }),
  render: (to, c) => ({ to, body: cut(lines(c.title, c.body, c.url), SMS_LIMITS.body) }),
});
