import MailComposer from 'nodemailer/lib/mail-composer';
import type { Notification } from '../../codec/notification';
import { PermanentError } from '../../delivery/failures';
import type { Channel } from '../../delivery/ports';
import { maskEmail } from '../../logging';
import { classifySmtpError } from './outcomes';
import { makeSmtpPool, SmtpServer } from './smtp-pool';

export interface EmailChannelOptions {
  /** `smtp://user:pass@host:port` or `smtps://…`. */
  url: string;
  from: string;
  poolSize: number;
  /** One send's deadline: waiting for a connection, connecting, and the whole transaction. */
  sendTimeoutMs: number;
}

/** `smtp(s)://user:pass@host:port` → where the pool connects, with the URL's credentials decoded. */
export function smtpConnection(url: string): SmtpServer {
  const u = new URL(url);
  const secure = u.protocol === 'smtps:';
  return {
    host: u.hostname,
    port: Number(u.port || (secure ? 465 : 587)),
    secure,
    ...(u.username && { auth: { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } }),
  };
}

/** EMAIL over pooled SMTP connections, each send abandoned for good at its deadline (smtp-pool.ts). */
export function makeEmailChannel(opts: EmailChannelOptions): Channel {
  const pool = makeSmtpPool({ server: smtpConnection(opts.url), size: opts.poolSize, timeoutMs: opts.sendTimeoutMs });

  return {
    name: 'EMAIL',
    describeRecipient: (n) => maskEmail(n.email?.to ?? ''),
    provider: () => 'smtp',
    async send(n: Notification) {
      const email = n.email;
      if (!email) throw new PermanentError('INVALID_PAYLOAD', 'email payload missing');
      const mime = new MailComposer({
        from: opts.from,
        to: email.to,
        subject: email.subject,
        text: email.text || undefined,
        html: email.html || undefined,
        headers: { 'X-Notification-Id': n.notificationId },
      }).compile();
      const message = await mime.build().catch((err: unknown) => {
        throw new PermanentError('INVALID_PAYLOAD', 'the email could not be composed', { cause: err });
      });
      const envelope = mime.getEnvelope();
      try {
        await pool.send({ from: envelope.from || opts.from, to: envelope.to }, message);
        return { providerMessageId: mime.messageId() };
      } catch (err) {
        throw classifySmtpError(err);
      }
    },
    async close() {
      pool.close();
    },
  };
}
