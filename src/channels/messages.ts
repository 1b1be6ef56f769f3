/**
 * Every channel's message (client-safe half of a channel module): the one list the codec,
 * the validator, routing and settings loop over. The order is the proto enum's. Adding a
 * channel adds its folder and one line here; the compiler then asks for its module in
 * channels/modules.ts.
 */
import { EMAIL } from './email/message';
import { LINE } from './line/message';
import { PUSH } from './push/message';
import { SLACK } from './slack/message';
import { SMS } from './sms/message';
import { WEBHOOK } from './webhook/message';

export const MESSAGES = [EMAIL, SMS, PUSH, SLACK, LINE, WEBHOOK] as const;

export type AnyMessage = (typeof MESSAGES)[number];
