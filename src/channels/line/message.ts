import { cut } from '../../text';
import { defineMessage, lines, requiredRecipient, requiredText } from '../message-kit';

export interface LinePayload {
  /** LINE user, group or room ID. */
  to: string;
  text: string;
}

export const LINE_LIMITS = {
  text: 5000, // LINE text message limit
} as const;

const LINE_ID = /^[UCR][0-9a-f]{32}$/;

export const LINE = defineMessage<LinePayload>()({
  name: 'LINE',
  number: 5,
  field: 'line',
  contactsPerAccount: 3,
  recipientProblem: (a) => (LINE_ID.test(a) ? undefined : 'is not a LINE user, group or room ID'),
  check(line, problems) {
    requiredRecipient(problems, 'line.to', line.to, LINE.recipientProblem);
    requiredText(problems, 'line.text', line.text, LINE_LIMITS.text);
  },
  fromFlags: (f) => ({ to: f.to ?? '', text: f.text ?? '' }),
  render: (to, c) => ({ to, text: cut(lines(c.title, c.body, c.url), LINE_LIMITS.text) }),
});
