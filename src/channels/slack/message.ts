import { cut } from '../../text';
import { defineMessage, lines, requiredRecipient, requiredText } from '../message-kit';

export interface SlackPayload {
  /** Empty = the configured incoming webhook's channel. */
  channel: string;
  text: string;
}

export const SLACK_LIMITS = {
  text: 40000, // Slack truncates longer messages
} as const;

// A conversation ID (C…, G…, D…, or a user ID U… for a direct message) or a channel name.
const SLACK_CHANNEL = /^(?:[CGDU][A-Z0-9]{8,20}|#?[a-z0-9][a-z0-9._-]{0,79})$/;

export const SLACK = defineMessage<SlackPayload, Partial<SlackPayload> & Pick<SlackPayload, 'text'>>()({
  name: 'SLACK',
  number: 4,
  field: 'slack',
  contactsPerAccount: 3,
  recipientProblem: (a) => (SLACK_CHANNEL.test(a) ? undefined : 'is not a Slack conversation ID or channel name'),
  check(slack, problems) {
    // Empty: the incoming webhook's own channel.
    if (slack.channel) requiredRecipient(problems, 'slack.channel', slack.channel, SLACK.recipientProblem);
    requiredText(problems, 'slack.text', slack.text, SLACK_LIMITS.text);
  },
  fromFlags: (f) => ({ channel: f.to, text: f.text ?? '' }),
  render: (channel, c) => ({ channel, text: cut(lines(c.title && `*${c.title}*`, c.body, c.url), SLACK_LIMITS.text) }),
});
