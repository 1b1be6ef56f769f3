import { connect, Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import SMTPConnection from 'nodemailer/lib/smtp-connection';

/** Where mail goes: from `smtp(s)://user:pass@host:port` (see smtpConnection in email.ts). */
export interface SmtpServer {
  host: string;
  port: number;
  /** Implicit TLS (smtps://); otherwise STARTTLS when the server offers it. */
  secure: boolean;
  auth?: { user: string; pass: string };
}

export interface SmtpPoolOptions {
  server: SmtpServer;
  /** Connections open at once; further sends wait for one, within their deadline. */
  size: number;
  /** One send's deadline: waiting for a connection, connecting, and the whole transaction. */
  timeoutMs: number;
  /** A connection is replaced after this many messages. */
  maxMessages?: number;
}

/**
 * A send that got no SMTP reply (replies are nodemailer errors with `responseCode`).
 * `handedOver`: the whole message had been given to the connection, so the server may have
 * accepted it; before that, a server cannot deliver it (the transaction never completed).
 */
export class SmtpNoReplyError extends Error {
  override name = 'SmtpNoReplyError';
  constructor(
    message: string,
    readonly details: { handedOver: boolean; timedOut: boolean; code?: string },
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface SmtpEnvelope {
  from: string;
  to: string[];
}

export interface SmtpPool {
  /** Resolves the server's final reply; rejects with its reply error or an SmtpNoReplyError. */
  send(envelope: SmtpEnvelope, message: Buffer): Promise<string>;
  close(): void;
}

interface Connection {
  smtp: SMTPConnection;
  socket: Socket;
  messages: number;
  /** The server or a socket timeout closed it. */
  closed: boolean;
}

const DEFAULT_MAX_MESSAGES = 100;

const isRefusal = (reply: number | undefined) => reply !== undefined && reply >= 400 && reply < 600;

/** Ends a connection at once: nothing it still had queued can reach the server afterwards. */
function destroy(c: Connection) {
  c.closed = true;
  c.socket.destroy();
  c.smtp.close();
}

/**
 * Pooled SMTP connections with one deadline per send. nodemailer's own pool cannot abandon
 * a send: one that timed out on our side stayed queued or kept its connection and was
 * accepted later, after we had already decided to retry it (the mail went out twice).
 * Here a send past its deadline destroys its connection, and the caller learns whether the
 * message had been handed over.
 */
export function makeSmtpPool(opts: SmtpPoolOptions): SmtpPool {
  const { server, timeoutMs } = opts;
  const maxMessages = opts.maxMessages ?? DEFAULT_MAX_MESSAGES;
  const idle: Connection[] = [];
  const open = new Set<Connection>();
  let free = opts.size;
  const waiting: Array<() => void> = [];
  let closing = false;

  function connectOne(signal: AbortSignal): Promise<Connection> {
    const socket = connect({ host: server.host, port: server.port, noDelay: true });
    const smtp = new SMTPConnection({
      host: server.host,
      port: server.port,
      secure: server.secure,
      connection: socket,
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
    });
    const c: Connection = { smtp, socket, messages: 0, closed: false };
    open.add(c);
    // nodemailer emits 'error' on idle connections too (a socket timeout); never unhandled.
    smtp.on('error', () => undefined);
    smtp.on('end', () => {
      c.closed = true;
      open.delete(c);
      const at = idle.indexOf(c);
      if (at >= 0) idle.splice(at, 1);
    });
    return exchange(c, signal, { handedOver: () => false }, (done) =>
      smtp.connect(() => {
        // As nodemailer's own transport: log in only where the server offers AUTH.
        if (!server.auth || !(smtp as SMTPConnection & { allowsAuth?: boolean }).allowsAuth) return done(null);
        smtp.login({ credentials: server.auth }, (err) => done(err ?? null));
      }),
    ).then(() => c);
  }

  /**
   * Runs one step on a connection until its callback, the connection failing, or the
   * deadline; on anything but success the connection is destroyed.
   */
  function exchange<T>(
    c: Connection,
    signal: AbortSignal,
    stage: { handedOver(): boolean },
    start: (done: (err: Error | null, value?: T) => void) => void,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const finish = (err: Error | null, value?: T) => {
        if (settled) return;
        settled = true;
        c.smtp.off('error', onError);
        c.smtp.off('end', onEnd);
        signal.removeEventListener('abort', onAbort);
        if (!err) return resolve(value as T);
        destroy(c);
        reject(err);
      };
      const noReply = (message: string, timedOut: boolean, cause?: unknown) =>
        finish(new SmtpNoReplyError(message, { handedOver: stage.handedOver(), timedOut, code: (cause as { code?: string })?.code }, { cause }));
      // A connection that died carries the last line the server sent, possibly cut short: only
      // a refusal (4xx/5xx) is a verdict; a partial "250" is no answer at all.
      const onError = (err: Error & { responseCode?: number }) =>
        isRefusal(err.responseCode) ? finish(err) : noReply(`SMTP connection failed: ${err.message}`, false, err);
      const onEnd = () => noReply('SMTP connection closed before the reply', false);
      const onAbort = () => noReply(`no SMTP reply within ${timeoutMs} ms`, true);
      if (signal.aborted) return onAbort();
      c.smtp.on('error', onError);
      c.smtp.on('end', onEnd);
      signal.addEventListener('abort', onAbort);
      // nodemailer answers a step with the server's reply or its own refusal (no recipients,
      // message too large, bad credentials): both are verdicts, classified as they are.
      start(finish);
    });
  }

  function takeSlot(signal: AbortSignal): Promise<void> {
    if (free > 0) {
      free--;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const grant = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        waiting.splice(waiting.indexOf(grant), 1);
        reject(new SmtpNoReplyError(`no SMTP connection free within ${timeoutMs} ms`, { handedOver: false, timedOut: true }));
      };
      waiting.push(grant);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  function giveSlot() {
    const next = waiting.shift();
    if (next) next();
    else free++;
  }

  async function transact(c: Connection, envelope: SmtpEnvelope, message: Buffer, signal: AbortSignal): Promise<string> {
    const body = new PassThrough();
    let handedOver = false;
    // nodemailer reads the message only after the server's 354; once all of it was read,
    // the terminating dot follows and the server may accept it at any moment.
    body.once('end', () => (handedOver = true));
    const response = await exchange<string>(c, signal, { handedOver: () => handedOver }, (done) => {
      c.smtp.send(envelope, body, (err, info) => done(err, info?.response));
      body.end(message);
    });
    c.messages++;
    return response;
  }

  return {
    async send(envelope, message) {
      if (closing) throw new SmtpNoReplyError('the SMTP pool is closed', { handedOver: false, timedOut: false });
      const deadline = new AbortController();
      const timer = setTimeout(() => deadline.abort(), timeoutMs);
      try {
        await takeSlot(deadline.signal);
        try {
          let c = idle.pop();
          while (c?.closed) c = idle.pop();
          c ??= await connectOne(deadline.signal);
          const response = await transact(c, envelope, message, deadline.signal);
          if (c.messages >= maxMessages || closing) {
            c.smtp.quit();
          } else {
            idle.push(c);
          }
          return response;
        } finally {
          giveSlot();
        }
      } finally {
        clearTimeout(timer);
      }
    },
    close() {
      closing = true;
      for (const c of open) destroy(c);
    },
  };
}
