import type { Config } from '../config';
import { CHANNELS } from '../codec/notification';
import type { Channel } from '../delivery/ports';
import { makeEmailChannel } from './email';

/**
 * The one place channels are registered: channel enum number → adapter.
 * Adding a channel adds one line here and one file beside this one.
 */
export function createChannels(config: Config): Map<number, Channel> {
  return new Map<number, Channel>([
    [
      CHANNELS.EMAIL,
      makeEmailChannel({
        url: config.smtp.url,
        from: config.smtp.from,
        poolSize: config.smtp.poolSize,
        sendTimeoutMs: config.delivery.sendTimeoutMs,
      }),
    ],
  ]);
}
