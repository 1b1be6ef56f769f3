import { connect, Socket } from 'node:net';
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

/**
 * `smtp(s)://user:pass@host:port` → nodemailer connection options. (Handing nodemailer
 * the URL itself would make it ignore every other option: pooling and timeouts.)
 */
export function smtpConnection(url: string): { host: string; port: number; secure: boolean; auth?: { user: string; pass: string } } {
  const u = new URL(url);
  const secure = u.protocol === 'smtps:';
  return {
    host: u.hostname,
    port: Number(u.port || (secure ? 465 : 587)),
    secure,
    ...(u.username && { auth: { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } }),
  };
}

/**
 * Opens SMTP connections with Nagle's algorithm off. nodemailer writes the message and
 * the closing dot separately; with Nagle on, the dot waits for the server's delayed ACK
 * (~40 ms), which capped each pooled connection at ~23 mails per second.
 */
function connectWithoutDelay(host: string, port: number) {
  // The socket is handed over before it connects, so nodemailer itself handles a refused
  // connection or a connect timeout and frees the pool slot. Reporting a failed connect
  // through the callback instead leaves the slot taken for good: after SMTP_POOL_SIZE
  // refusals (an SMTP outage) the pool never sent again.
  return (_options: unknown, callback: (err: Error | null, socket?: { connection: Socket }) => void) =>
    callback(null, { connection: connect({ host, port, noDelay: true }) });
}

/** EMAIL over a pooled SMTP transport. */
export function makeEmailChannel(opts: EmailChannelOptions): Channel {
  const connection = smtpConnection(opts.url);
  const transport = nodemailer.createTransport({
    ...connection,
    getSocket: connectWithoutDelay(connection.host, connection.port),
    pool: true,
    maxConnections: opts.poolSize,
    connectionTimeout: opts.sendTimeoutMs,
    greetingTimeout: opts.sendTimeoutMs,
    socketTimeout: opts.sendTimeoutMs,
  });

  return {
    name: 'EMAIL',
    describeRecipient: (n) => maskEmail(n.email?.to ?? ''),
    provider: () => 'smtp',
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
