import type { ChannelModule } from '../channel-module';
import { makeEmailChannel } from './channel';
import { EMAIL } from './message';

/** SMTP: always configured (SMTP_URL is required; its settings are the service's own, config.smtp). Local: MailDev. */
export const EMAIL_MODULE: ChannelModule = {
  message: EMAIL,
  // SMTP is bounded by its connection pool.
  rateLimit: { variable: 'EMAIL_RATE_LIMIT', perSecond: 0 },
  create: ({ smtp }, timeoutMs) => makeEmailChannel({ url: smtp.url, from: smtp.from, poolSize: smtp.poolSize, sendTimeoutMs: timeoutMs }),
};
