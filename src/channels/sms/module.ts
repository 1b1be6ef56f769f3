import { publicUrl } from '../../config/callbacks';
import { baseUrl, matching, optional, text } from '../../config/env';
import type { ChannelModule } from '../channel-module';
import { makeSmsChannel, SmsChannelOptions } from './channel';
import { SMS } from './message';
import { twilioRoute } from './sandbox';
import { inboundSimulationRoute } from './sandbox-callbacks';
import { TWILIO_STATUS_PATH } from './twilio-webhooks';

/** Twilio Programmable Messaging. */
export type SmsSettings = Omit<SmsChannelOptions, 'timeoutMs'>;

const credentials = {
  twilioAccountSid: `AC${'0'.repeat(28)}1090`,
  twilioAuthToken: 'local-twilio-auth-token',
  /** Twilio's documented test sender number. */
  twilioFrom: '+15005550006',
  /** The local number's "A message comes in" webhook (npm start: PUBLIC_URL + /v1/callbacks/twilio/inbound); empty: none. */
  twilioInboundWebhookUrl: '',
};

export const SMS_MODULE: ChannelModule<SmsSettings, typeof credentials> = {
  message: SMS,
  rateLimit: { variable: 'SMS_RATE_LIMIT', perSecond: 10 },
  loadSettings(env, production) {
    if (optional(env, 'TWILIO_ACCOUNT_SID') === undefined) return undefined;
    // With PUBLIC_URL set, each message asks Twilio for status callbacks there (src/http/callbacks.ts).
    const callbacksAt = publicUrl(env, production);
    return {
      baseUrl: baseUrl(env, 'TWILIO_BASE_URL', 'https://api.twilio.com', production),
      accountSid: matching(env, 'TWILIO_ACCOUNT_SID', /^AC[0-9a-fA-F]{32}$/, 'an account SID (AC and 32 hex digits)'),
      authToken: text(env, 'TWILIO_AUTH_TOKEN'),
      from: matching(env, 'TWILIO_FROM', /^(\+[1-9]\d{6,14}|MG[0-9a-fA-F]{32})$/, 'an E.164 number or a messaging service SID (MG…)'),
      ...(callbacksAt !== undefined && { statusCallbackUrl: `${callbacksAt}${TWILIO_STATUS_PATH}` }),
    };
  },
  create: ({ channels: { sms } }, timeoutMs) => sms && makeSmsChannel({ ...sms, timeoutMs }),
  sandbox: {
    credentials,
    own: ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN'],
    env: (url) => ({ TWILIO_ACCOUNT_SID: credentials.twilioAccountSid, TWILIO_AUTH_TOKEN: credentials.twilioAuthToken, TWILIO_FROM: credentials.twilioFrom, TWILIO_BASE_URL: url }),
    routes: (c) => [
      twilioRoute(c.twilioAccountSid, c.twilioAuthToken),
      inboundSimulationRoute({ accountSid: c.twilioAccountSid, authToken: c.twilioAuthToken, from: c.twilioFrom, inboundUrl: c.twilioInboundWebhookUrl }),
    ],
  },
};
