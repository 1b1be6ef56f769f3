import nodemailer from 'nodemailer';
import type { Notification } from '../codec/notification';
import { PermanentError, TransientError } from '../delivery/failures';
import type { Channel } from '../delivery/ports';
import { maskEmail } from '../logging';
import { classifySmtpError } from './smtp-errors';
import { withTimeout } from '../timeout';

export interface EmailChannelOptions {
  /** `smtp://user:pass@host:port` or `smtps://…`. */
  url: string;
  from: string;
  poolSize: number;
  /** Bounds connect, greeting, each socket wait and the whole send. */
  sendTimeoutMs: number;
}

/** EMAIL over a pooled SMTP transport. */
export function makeEmailChannel(opts: EmailChannelOptions): Channel {
  const transport = nodemailer.createTransport({
    url: opts.url,
    pool: true,
    maxConnections: opts.poolSize,
    connectionTimeout: opts.sendTimeoutMs,
    greetingTimeout: opts.sendTimeoutMs,
    socketTimeout: opts.sendTimeoutMs,
  } as nodemailer.TransportOptions);

  return {
    name: 'EMAIL',
    describeRecipient: (n) => maskEmail(n.email?.to ?? ''),
    async send(n: Notification) {
      const email = n.email;
      if (!email) throw new PermanentError('INVALID_PAYLOAD', 'email payload missing');
      try {
        const info = await withTimeout(
          transport.sendMail({
            from: opts.from,
            to: email.to,
            subject: email.subject,
            text: email.text || undefined,
            html: email.html || undefined,
            headers: { 'X-Notification-Id': n.notificationId },
          }),
          opts.sendTimeoutMs,
          () => new TransientError('PROVIDER_TIMEOUT', `SMTP send timed out after ${opts.sendTimeoutMs} ms`),
        );
        return { providerMessageId: info.messageId };
      } catch (err) {
        if (err instanceof PermanentError || err instanceof TransientError) throw err;
        throw classifySmtpError(err);
      }
    },
    async close() {
      transport.close();
    },
  };
}
