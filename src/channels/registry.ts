import type { Config } from '../config';
import { CHANNELS } from '../codec/notification';
import type { Channel } from '../delivery/ports';
import { makeEmailChannel } from './email/channel';
import { makeFcmChannel } from './push/channel';
import { makeLineChannel } from './line/channel';
import { makeSlackChannel } from './slack/channel';
import { makeSmsChannel } from './sms/channel';
import { makeWebhookChannel } from './webhook/channel';

/**
 * The one place channels are registered: channel enum number → adapter. A channel whose
 * credentials are not configured is left out (its notifications are dead-lettered
 * CHANNEL_NOT_CONFIGURED). Adding a channel adds one line here and files beside this one.
 */
export function createChannels(config: Config): Map<number, Channel> {
  const timeoutMs = config.delivery.sendTimeoutMs;
  const { smtp } = config;
  const channels = new Map<number, Channel>();
  channels.set(CHANNELS.EMAIL, makeEmailChannel({ url: smtp.url, from: smtp.from, poolSize: smtp.poolSize, sendTimeoutMs: timeoutMs }));
  if (config.channels.sms) channels.set(CHANNELS.SMS, makeSmsChannel({ ...config.channels.sms, timeoutMs }));
  if (config.channels.push) channels.set(CHANNELS.PUSH, makeFcmChannel({ ...config.channels.push, timeoutMs }));
  if (config.channels.slack) channels.set(CHANNELS.SLACK, makeSlackChannel({ ...config.channels.slack, timeoutMs }));
  if (config.channels.line) channels.set(CHANNELS.LINE, makeLineChannel({ ...config.channels.line, timeoutMs }));
  if (config.channels.webhook) channels.set(CHANNELS.WEBHOOK, makeWebhookChannel({ ...config.channels.webhook, timeoutMs }));
  return channels;
}
